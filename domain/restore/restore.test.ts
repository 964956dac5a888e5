import { neverOverwriteVerdict, planRestore, validateRestoreRequest, type RestoreFacts, type RestoreRequest } from './request';
import { planKeyRestore, planS3Restore, splitCompleteKeys, type ObjectVersion } from './s3';

const T = Date.parse('2024-01-15T14:30:00Z');
const instance = { id: 'regami-db-primary', status: 'available', instanceClass: 'db.t3.medium', subnetGroupName: 'regami-db-subnet-group', securityGroupIds: ['sg-1'] };

function pitr(restoreTime: number): RestoreRequest {
  return { incidentKey: 'k', dbInstanceId: 'regami-db-primary', source: { kind: 'point-in-time', restoreTime }, reason: 'accidental delete', requestedBy: 'alice', requestedAt: T + 3600_000 };
}

describe('restore request validation', () => {
  const facts: RestoreFacts = { instance, restoreWindow: { earliest: T - 7 * 86400_000, latest: T + 1800_000 } };

  it('accepts a point in time inside the restorable window', () => {
    const verdicts = validateRestoreRequest(pitr(T), facts, T + 3600_000);
    expect(verdicts.every((v) => v.pass)).toBe(true);
  });

  it('refuses a point in time before the earliest restorable time, naming the window', () => {
    const verdicts = validateRestoreRequest(pitr(T - 8 * 86400_000), facts, T + 3600_000);
    const refusal = verdicts.find((v) => !v.pass);
    expect(refusal?.guardrail).toBe('RestoreTimeInWindow');
    expect(refusal?.reason).toContain('OutOfWindow');
  });

  it('refuses a point in time after the latest restorable time', () => {
    const verdicts = validateRestoreRequest(pitr(T + 2 * 3600_000), facts, T + 3 * 3600_000);
    expect(verdicts.find((v) => !v.pass)?.guardrail).toBe('RestoreTimeInWindow');
  });

  it('refuses point-in-time restore when the database has no automated backups', () => {
    const verdicts = validateRestoreRequest(pitr(T), { instance }, T + 3600_000);
    expect(verdicts.find((v) => !v.pass)?.reason).toContain('no automated backups');
  });

  it('refuses a snapshot that belongs to another database', () => {
    const req: RestoreRequest = { ...pitr(T), source: { kind: 'snapshot', snapshotId: 's1' } };
    const verdicts = validateRestoreRequest(req, { instance, snapshot: { id: 's1', status: 'available', sourceInstanceId: 'other-db' } }, T);
    expect(verdicts.find((v) => !v.pass)?.guardrail).toBe('SnapshotBelongsToDatabase');
  });

  it('refuses a snapshot that is not available yet, and one that does not exist', () => {
    const req: RestoreRequest = { ...pitr(T), source: { kind: 'snapshot', snapshotId: 's1' } };
    expect(validateRestoreRequest(req, { instance, snapshot: { id: 's1', status: 'creating', sourceInstanceId: 'regami-db-primary' } }, T).some((v) => !v.pass)).toBe(true);
    expect(validateRestoreRequest(req, { instance }, T).find((v) => !v.pass)?.reason).toContain('not found');
  });

  it('refuses when the source database does not exist', () => {
    expect(validateRestoreRequest(pitr(T), {}, T)[0]).toMatchObject({ guardrail: 'SourceDatabaseExists', pass: false });
  });

  it('plans a new instance with the primary class, subnet group and security groups, named from the request', () => {
    const plan = planRestore(pitr(T), { instance });
    expect(plan.targetInstanceId).toBe('regami-db-primary-pitr-20240115-153000');
    expect(plan.preRestoreSnapshotId).toBe('regami-db-primary-before-restore-20240115-153000');
    expect(plan).toMatchObject({ instanceClass: 'db.t3.medium', subnetGroupName: 'regami-db-subnet-group', securityGroupIds: ['sg-1'] });
    expect(planRestore(pitr(T), { instance })).toEqual(plan); // deterministic: a repeated step finds the same names
  });

  it('never restores over a live database', () => {
    expect(neverOverwriteVerdict('regami-db-primary', ['regami-db-primary']).pass).toBe(false);
    expect(neverOverwriteVerdict('regami-db-primary-pitr-x', ['regami-db-primary']).pass).toBe(true);
  });
});

describe('S3 restore planning', () => {
  const v = (key: string, versionId: string, at: number, opts: Partial<ObjectVersion> = {}): ObjectVersion => ({ key, versionId, lastModified: at, isLatest: false, deleteMarker: false, ...opts });

  it('copies the newest version at or before T over a version changed after T', () => {
    const d = planKeyRestore('a.jpg', [v('a.jpg', 'v2', T + 60_000, { isLatest: true, etag: 'e2' }), v('a.jpg', 'v1', T - 60_000, { etag: 'e1' }), v('a.jpg', 'v0', T - 120_000)], T);
    expect(d).toMatchObject({ action: 'copy', fromVersionId: 'v1' });
  });

  it('restores an object deleted after T (delete marker is the latest)', () => {
    const d = planKeyRestore('b.jpg', [v('b.jpg', 'dm', T + 60_000, { isLatest: true, deleteMarker: true }), v('b.jpg', 'v1', T - 60_000)], T);
    expect(d).toMatchObject({ action: 'copy', fromVersionId: 'v1' });
  });

  it('leaves unchanged objects, objects created after T, and objects absent at T', () => {
    expect(planKeyRestore('c', [v('c', 'v1', T - 1, { isLatest: true })], T).action).toBe('unchanged');
    expect(planKeyRestore('d', [v('d', 'v1', T + 1, { isLatest: true })], T).action).toBe('skip');
    expect(planKeyRestore('e', [v('e', 'v2', T + 5, { isLatest: true }), v('e', 'dm', T - 5, { deleteMarker: true })], T).action).toBe('skip');
  });

  it('treats a copy made by an earlier run (same ETag) as already restored, so a retry does not copy twice', () => {
    const d = planKeyRestore('a', [v('a', 'v3', T + 120_000, { isLatest: true, etag: 'e1' }), v('a', 'v2', T + 60_000, { etag: 'e2' }), v('a', 'v1', T - 60_000, { etag: 'e1' })], T);
    expect(d.action).toBe('unchanged');
  });

  it('plans every key of a page in key order', () => {
    const plan = planS3Restore([v('z', 'z1', T - 1, { isLatest: true }), v('a', 'a2', T + 1, { isLatest: true }), v('a', 'a1', T - 1)], T);
    expect(plan.map((d) => [d.key, d.action])).toEqual([['a', 'copy'], ['z', 'unchanged']]);
  });

  it('carries the last key of a truncated page over to the next page', () => {
    const versions = [v('a', 'a1', 1), v('b', 'b2', 2), v('b', 'b1', 1)];
    expect(splitCompleteKeys(versions, true)).toEqual({ complete: [versions[0]], carry: [versions[1], versions[2]] });
    expect(splitCompleteKeys(versions, false)).toEqual({ complete: versions, carry: [] });
  });
});
