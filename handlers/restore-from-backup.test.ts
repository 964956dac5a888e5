/**
 * Runbook 5 as a durable execution (LocalDurableTestRunner, time skipping) over the
 * simulated region and dynalite: what the workflow creates, what it refuses, and that a
 * person decides the switch.
 */
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import type { RestoreRequest } from '../domain/restore/request';
import type { S3RestoreRequest } from '../domain/restore/s3-workflow';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import type { RestoreWorkflowInput } from '../runbooks/restore-from-backup/intake';
import { buildWorkflow } from './restore-from-backup-workflow';

const PRIMARY = defaultConfig.database.primaryInstanceId;

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

interface Harness {
  world: SimWorld;
  rt: Runtime;
  runner: LocalDurableTestRunner;
  mutations(): string[];
  pages(): { subject?: string; message: string }[];
}

async function harness(worldPatch: Parameters<typeof mergeWorld>[1] = {}, config: AutopilotConfig = defaultConfig): Promise<Harness> {
  const spec = mergeWorld(baselineWorld(), worldPatch);
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const table = await freshStateTable('restore');
  const rt = createRuntime({ config, clock, tableName: table.tableName, dynamoEndpoint: table.endpoint, clientSetup: simClientSetup(world) });
  const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => rt) });
  return {
    world,
    rt,
    runner,
    mutations: () => world.calls.filter((c) => c.outcome === 'ok' && /^(Create|Restore|Register|Update|Copy|Promote|Modify|Delete)/.test(c.operation)).map((c) => `${c.service}.${c.operation}`),
    pages: () => world.snsOutbox.map((m) => ({ subject: m.subject, message: `${m.subject ?? ''}\n${m.message}` })),
  };
}

function dbRequest(h: Harness, source: RestoreRequest['source']): RestoreWorkflowInput {
  return { kind: 'db', request: { incidentKey: `restore-test-${Math.random().toString(36).slice(2, 8)}`, dbInstanceId: PRIMARY, source, reason: 'accidental deletion of dogs rows', requestedBy: 'alice', requestedAt: h.rt.clock.now() } };
}

describe('restore from backup (durable)', () => {
  it('snapshot path: pre-restore snapshot, restore to a new instance, approval, then the application switch', async () => {
    const h = await harness();
    const snapshotId = Object.keys(baselineWorld().regions['us-east-1']!.rds!.snapshots!)[0]!;
    const run = h.runner.run({ payload: dbRequest(h, { kind: 'snapshot', snapshotId }) });
    const gate = h.runner.getOperation('approve-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    // Prepared, nothing switched yet: the human decides.
    expect(h.mutations()).toEqual(['RDS.CreateDBSnapshot', 'RDS.RestoreDBInstanceFromDBSnapshot']);
    expect(h.pages().some((p) => /verify .* and approve the switch/.test(p.message))).toBe(true);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'bob' }));
    const execution = await run;
    expect(execution.getStatus()).toBe('SUCCEEDED');
    expect(execution.getResult()).toMatchObject({ outcome: 'switched' });
    expect(h.mutations()).toEqual(['RDS.CreateDBSnapshot', 'RDS.RestoreDBInstanceFromDBSnapshot', 'ECS.RegisterTaskDefinition', 'ECS.UpdateService']);
    const restore = h.world.calls.find((c) => c.operation === 'RestoreDBInstanceFromDBSnapshot')!.input as Record<string, unknown>;
    expect(restore.DBInstanceIdentifier).not.toBe(PRIMARY);
    expect(restore).toMatchObject({ DBSnapshotIdentifier: snapshotId, DBInstanceClass: defaultConfig.database.instanceClass, PubliclyAccessible: false, DBSubnetGroupName: defaultConfig.database.subnetGroupName });
    const registered = h.world.calls.find((c) => c.operation === 'RegisterTaskDefinition')!.input as { containerDefinitions: { environment?: { name: string; value: string }[] }[] };
    const url = registered.containerDefinitions.flatMap((c) => c.environment ?? []).find((e) => e.name === 'DATABASE_URL')!.value;
    expect(url).toContain(String(restore.DBInstanceIdentifier));
  });

  it('point-in-time path restores to a new instance at the requested time', async () => {
    const h = await harness();
    const restoreTime = h.rt.clock.now() - 3600_000;
    const run = h.runner.run({ payload: dbRequest(h, { kind: 'point-in-time', restoreTime }) });
    const gate = h.runner.getOperation('approve-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'bob' }));
    const execution = await run;
    expect(execution.getResult()).toMatchObject({ outcome: 'switched' });
    const pitr = h.world.calls.find((c) => c.operation === 'RestoreDBInstanceToPointInTime' && c.outcome === 'ok')!.input as Record<string, unknown>;
    expect(pitr.SourceDBInstanceIdentifier).toBe(PRIMARY);
    expect(pitr.TargetDBInstanceIdentifier).not.toBe(PRIMARY);
    expect(new Date(pitr.RestoreTime as string | Date).getTime()).toBe(restoreTime);
  });

  it('refuses the requester approving their own restore: nothing is switched, it pages, and the gate waits for a second person', async () => {
    const h = await harness();
    const run = h.runner.run({ payload: dbRequest(h, { kind: 'point-in-time', restoreTime: h.rt.clock.now() - 600_000 }) });
    const first = h.runner.getOperation('approve-switch');
    await first.waitForData(WaitingOperationStatus.SUBMITTED);
    await first.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'alice' }));
    const second = h.runner.getOperation('approve-switch#2');
    await second.waitForData(WaitingOperationStatus.SUBMITTED);
    // Refused and paged; still nothing production reads has changed.
    expect(h.mutations()).toEqual(['RDS.CreateDBSnapshot', 'RDS.RestoreDBInstanceToPointInTime']);
    expect(h.pages().some((p) => /self-approval refused/.test(p.message) && /alice requested this and cannot also approve it/.test(p.message))).toBe(true);
    await second.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'bob' }));
    expect((await run).getResult()).toMatchObject({ outcome: 'switched' });
    expect(h.mutations()).toContain('ECS.UpdateService');
  });

  it('refuses an approval that names no approver (only the operator-request function answers gates, and it always does)', async () => {
    const h = await harness();
    const run = h.runner.run({ payload: dbRequest(h, { kind: 'point-in-time', restoreTime: h.rt.clock.now() - 600_000 }) });
    const first = h.runner.getOperation('approve-switch');
    await first.waitForData(WaitingOperationStatus.SUBMITTED);
    await first.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED' }));
    const second = h.runner.getOperation('approve-switch#2');
    await second.waitForData(WaitingOperationStatus.SUBMITTED);
    await second.sendCallbackFailure({ ErrorMessage: 'rejected by bob' });
    expect((await run).getResult()).toMatchObject({ outcome: 'prepared-not-switched', approval: 'REJECTED' });
    expect(h.mutations()).not.toContain('ECS.UpdateService');
  });

  it('starts every restore page with the age of the restore point', async () => {
    const h = await harness();
    const run = h.runner.run({ payload: dbRequest(h, { kind: 'point-in-time', restoreTime: h.rt.clock.now() - 2 * 3600_000 }) });
    const gate = h.runner.getOperation('approve-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackFailure({ ErrorMessage: 'not needed after all' });
    await run;
    const pages = h.pages();
    expect(pages.length).toBeGreaterThanOrEqual(2);
    // The body's first line is the severity banner and the title; the title starts with the age.
    for (const p of pages) expect(p.message).toMatch(/(INCIDENT|RESOLVED) \[[^\]]+\] \[restore point 2026-01-15T01:00:00\.000Z, \d+h\d\dm old\] /);
  });

  it('rejection leaves the prepared instance in place, does not switch, and pages', async () => {
    const h = await harness();
    const run = h.runner.run({ payload: dbRequest(h, { kind: 'point-in-time', restoreTime: h.rt.clock.now() - 600_000 }) });
    const gate = h.runner.getOperation('approve-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackFailure({ ErrorMessage: 'rows still missing in the restored copy' });
    const execution = await run;
    expect(execution.getResult()).toMatchObject({ outcome: 'prepared-not-switched', approval: 'REJECTED' });
    expect(h.mutations()).not.toContain('ECS.UpdateService');
    expect(h.mutations()).not.toContain('ECS.RegisterTaskDefinition');
    expect(h.pages().some((p) => /NOT switched \(REJECTED\)/.test(p.message))).toBe(true);
  });

  it('an approval that times out counts as denied (EXPIRED) and pages', async () => {
    // The local runner times callbacks out in real time: keep the window short.
    const config: AutopilotConfig = { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, restore: { ...defaultConfig.guardrails.restore, approvalTimeoutSeconds: 2 } } };
    const h = await harness({}, config);
    const execution = await h.runner.run({ payload: dbRequest(h, { kind: 'point-in-time', restoreTime: h.rt.clock.now() - 600_000 }) });
    expect(execution.getResult()).toMatchObject({ outcome: 'prepared-not-switched', approval: 'EXPIRED' });
    expect(h.mutations()).not.toContain('ECS.UpdateService');
    expect(h.pages().some((p) => /NOT switched \(EXPIRED\)/.test(p.message))).toBe(true);
  });

  it('a point in time outside the restorable window is refused before any AWS mutation', async () => {
    const h = await harness();
    const execution = await h.runner.run({ payload: dbRequest(h, { kind: 'point-in-time', restoreTime: h.rt.clock.now() - 30 * 86400_000 }) });
    expect(execution.getResult()).toMatchObject({ outcome: 'refused', verdict: { guardrail: 'RestoreTimeInWindow' } });
    expect(h.mutations()).toEqual([]);
    expect(h.pages().some((p) => /refused: RestoreTimeInWindow/.test(p.message))).toBe(true);
  });

  it('a snapshot of another database is refused before any AWS mutation', async () => {
    const h = await harness({ regions: { 'us-east-1': { rds: { snapshots: { 'other-db-snap': { instanceId: 'other-db', status: 'available', createdAt: -3600, type: 'manual' } } } } } });
    const execution = await h.runner.run({ payload: dbRequest(h, { kind: 'snapshot', snapshotId: 'other-db-snap' }) });
    expect(execution.getResult()).toMatchObject({ outcome: 'refused', verdict: { guardrail: 'SnapshotBelongsToDatabase' } });
    expect(h.mutations()).toEqual([]);
  });
});

describe('S3 restore (durable, simulated region)', () => {
  const START = Date.parse(baselineWorld().start);
  const T = START - 3600_000; // restore to one hour before the drill start
  const bucket = defaultConfig.dependencies.s3Buckets[0]!;
  const worldWithVersions = {
    regions: {
      'us-east-1': {
        s3: {
          buckets: {
            [bucket]: {
              versioning: 'Enabled',
              objects: {
                'dogs/photos/1.jpg': [{ versionId: 'v1a', lastModified: -7200, etag: '"rex-original"' }, { versionId: 'v1b', lastModified: -600, etag: '"rex-corrupted"' }],
                'dogs/photos/2.jpg': [{ versionId: 'v2a', lastModified: -7200, etag: '"fido"' }, { versionId: 'v2dm', lastModified: -300, deleteMarker: true }],
                'dogs/photos/3.jpg': [{ versionId: 'v3a', lastModified: -7200, etag: '"untouched"' }],
                'dogs/photos/4.jpg': [{ versionId: 'v4a', lastModified: -60, etag: '"new since T"' }],
                'cats/1.jpg': [{ versionId: 'c1a', lastModified: -7200, etag: '"a"' }, { versionId: 'c1b', lastModified: -60, etag: '"b"' }],
              },
            },
          },
        },
      },
    },
  };

  function s3Input(dryRun: boolean): RestoreWorkflowInput {
    const request: S3RestoreRequest = { incidentKey: `s3-restore-${dryRun ? 'dry' : 'real'}-${Math.random().toString(36).slice(2, 8)}`, bucket, prefix: 'dogs/', restoreTime: T, dryRun, requestedBy: 'alice' };
    return { kind: 's3', request };
  }

  it('a dry run lists the keys it would restore and changes nothing', async () => {
    const h = await harness(worldWithVersions as never);
    const execution = await h.runner.run({ payload: s3Input(true) });
    const summary = execution.getResult() as { planned: { key: string; action: string }[]; copied: string[] };
    expect(summary.copied).toEqual([]);
    expect(summary.planned.filter((d) => d.action === 'copy').map((d) => d.key)).toEqual(['dogs/photos/1.jpg', 'dogs/photos/2.jpg']);
    expect(h.world.calls.filter((c) => c.operation === 'CopyObject')).toEqual([]);
    expect(h.pages().some((p) => /DRY-RUN S3 restore/.test(p.message))).toBe(true);
  });

  async function approvedRealRun(h: Harness, input: RestoreWorkflowInput, by = 'bob') {
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const run = runner.run({ payload: input });
    const gate = runner.getOperation('approve-s3-restore');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    // The dry-run report came first; nothing is copied before the approval.
    expect(h.world.calls.filter((c) => c.operation === 'CopyObject')).toEqual([]);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by }));
    return run;
  }

  it('the real run copies each object back to its newest version older than T, and only under the prefix', async () => {
    const h = await harness(worldWithVersions as never);
    const execution = await approvedRealRun(h, s3Input(false));
    const summary = execution.getResult() as { copied: string[] };
    expect(summary.copied).toEqual(['dogs/photos/1.jpg', 'dogs/photos/2.jpg']);
    const copies = h.world.calls.filter((c) => c.operation === 'CopyObject' && c.outcome === 'ok').map((c) => (c.input as { Key: string; CopySource: string }));
    expect(copies.map((c) => c.Key)).toEqual(['dogs/photos/1.jpg', 'dogs/photos/2.jpg']);
    expect(copies[0]!.CopySource).toContain('versionId=v1a');
    expect(copies[1]!.CopySource).toContain('versionId=v2a');
    // Running it again finds nothing left to do (same content): no approval, no double copies.
    const again = await new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) }).run({ payload: s3Input(false) });
    expect((again.getResult() as { copied: string[] }).copied).toEqual([]);
    expect(h.pages().every((p) => /(INCIDENT|RESOLVED) \[[^\]]+\] \[restore point [^\]]+ old\] /.test(p.message))).toBe(true);
    expect(h.world.snsOutbox.every((m) => m.topicArn === defaultConfig.paging.topics.P2)).toBe(true);
  });

  it('refuses an empty prefix (the whole bucket) unless the request confirms it, before listing anything', async () => {
    const h = await harness(worldWithVersions as never);
    const input = s3Input(false);
    if (input.kind !== 's3') throw new Error('s3 input');
    const execution = await h.runner.run({ payload: { kind: 's3', request: { ...input.request, prefix: '' } } });
    expect(execution.getResult()).toMatchObject({ refused: expect.stringMatching(/^WholeBucketConfirmed: EmptyPrefix/) });
    expect(h.world.calls.filter((c) => c.operation === 'ListObjectVersions' || c.operation === 'CopyObject')).toEqual([]);
    expect(h.pages().some((p) => /refused: WholeBucketConfirmed/.test(p.message))).toBe(true);
  });

  it('refuses a restore time older than the configured window (default 30 days)', async () => {
    const h = await harness(worldWithVersions as never);
    const input = s3Input(true);
    if (input.kind !== 's3') throw new Error('s3 input');
    const execution = await h.runner.run({ payload: { kind: 's3', request: { ...input.request, restoreTime: h.rt.clock.now() - 31 * 86_400_000 } } });
    expect(execution.getResult()).toMatchObject({ refused: expect.stringMatching(/^S3RestoreTimeInWindow: OutOfWindow/) });
    expect(h.world.calls.filter((c) => c.operation === 'ListObjectVersions')).toEqual([]);
  });

  it('refuses the requester approving their own S3 restore: nothing copied until someone else approves', async () => {
    const h = await harness(worldWithVersions as never);
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const run = runner.run({ payload: s3Input(false) });
    const first = runner.getOperation('approve-s3-restore');
    await first.waitForData(WaitingOperationStatus.SUBMITTED);
    await first.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'alice' }));
    const second = runner.getOperation('approve-s3-restore#2');
    await second.waitForData(WaitingOperationStatus.SUBMITTED);
    expect(h.world.calls.filter((c) => c.operation === 'CopyObject')).toEqual([]);
    await second.sendCallbackFailure({ ErrorMessage: 'rejected by bob' });
    expect((await run).getResult()).toMatchObject({ copied: [], refused: expect.stringMatching(/^HumanApproval/) });
    expect(h.world.calls.filter((c) => c.operation === 'CopyObject')).toEqual([]);
  });

  it('stops at the per-bucket object budget for the day, across requests', async () => {
    const config: AutopilotConfig = { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, restore: { ...defaultConfig.guardrails.restore, s3MaxObjectsPerBucketPerDay: 1 } } };
    const h = await harness(worldWithVersions as never, config);
    const execution = await approvedRealRun(h, s3Input(false));
    expect(execution.getResult()).toMatchObject({ copied: ['dogs/photos/1.jpg'], refused: expect.stringMatching(/^S3DailyObjectBudget: 1 of 1 objects/) });
    expect(h.world.calls.filter((c) => c.operation === 'CopyObject' && c.outcome === 'ok')).toHaveLength(1);
    expect(h.pages().some((p) => /S3DailyObjectBudget/.test(p.message))).toBe(true);
  });
});
