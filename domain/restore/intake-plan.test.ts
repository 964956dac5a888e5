/**
 * Runbook 5, "Restore from Backup": the intake's decision (restoreIntakePlan), pure. A relayed
 * operator request (RDS snapshot / point-in-time, S3 versions) starts the durable restore named
 * after the request's event id (a duplicate joins it); a request the operator-request function
 * did not relay is refused with a P2 that touches nothing; an RDS backup problem is a P3 for a
 * human (Escalation Matrix: P3, 4 hours).
 */
import { quoteUntrusted } from '../untrusted-text';
import { defaultConfig } from '../config';
import { fnv1a, openIncident, type IncidentRecord } from '../incident';
import type { IntakePlan, PlannedPage } from '../intake-plan';
import { parseEvent, type AutopilotEvent, type EventOf } from '../../events';
import { loadSample, sampleTime } from '../../events/samples/load';
import { backupProblem } from './backup-events';
import { restoreIncidentKey, restoreIntakePlan, type RestoreAdmitted, type RestoreWorkflowInput } from './intake-plan';

const config = defaultConfig;

function parsed(name: string, patch: (raw: Record<string, unknown> & { detail: Record<string, unknown> }) => void = () => undefined): AutopilotEvent {
  const raw = loadSample(name) as Record<string, unknown> & { detail: Record<string, unknown> };
  patch(raw);
  const r = parseEvent(raw, { config, now: sampleTime(name) + 5000 });
  if (!r.ok) throw new Error(`sample ${name} did not parse: ${r.rejection.message}`);
  return r.event;
}

function dbRequest(name = 'autopilot-restore-requested'): EventOf<'restore-request'> {
  const e = parsed(name);
  if (e.kind !== 'restore-request') throw new Error(e.kind);
  return e;
}

function s3Request(): EventOf<'s3-restore-request'> {
  const e = parsed('autopilot-s3-restore-requested');
  if (e.kind !== 's3-restore-request') throw new Error(e.kind);
  return e;
}

function backupProblemOf(name: string): Extract<RestoreAdmitted, { kind: 'backup-problem' }> {
  const e = parsed(name);
  if (e.kind === 'rds-instance') {
    const problem = backupProblem(config, { kind: 'rds-instance', eventId: e.detail.eventId, dbInstanceId: e.detail.dbInstanceId });
    if (!problem) throw new Error('not a backup problem');
    return { kind: 'backup-problem', event: e, resource: e.detail.dbInstanceId, problem };
  }
  if (e.kind === 'rds-snapshot') {
    const problem = backupProblem(config, { kind: 'rds-snapshot', eventId: e.detail.eventId, snapshotId: e.detail.snapshotId });
    if (!problem) throw new Error('not a backup problem');
    return { kind: 'backup-problem', event: e, resource: e.detail.snapshotId, problem };
  }
  throw new Error(e.kind);
}

function decide(admitted: RestoreAdmitted, loaded?: IncidentRecord): IntakePlan {
  return restoreIntakePlan(admitted, { loaded }, { event: admitted.event, config, now: admitted.event.time + 5000 });
}

function loadedFor(plan: IntakePlan): IncidentRecord {
  if (plan.kind === 'ignore') throw new Error('no record');
  return { ...openIncident(plan.record.init), timeline: [{ at: plan.record.init.detectedAt, kind: 'event', summary: 'first delivery' }] };
}

function expectStart(plan: IntakePlan): Extract<IntakePlan, { kind: 'start' }> {
  expect(plan.kind).toBe('start');
  if (plan.kind !== 'start') throw new Error(`expected a start, got ${plan.kind}`);
  return plan;
}

function expectPage(plan: IntakePlan): Extract<IntakePlan, { kind: 'page' }> {
  expect(plan.kind).toBe('page');
  if (plan.kind !== 'page') throw new Error(`expected a page, got ${plan.kind}`);
  return plan;
}

/** Every line of a page a human reads. */
function pageText(page: PlannedPage): string[] {
  return [page.title, ...page.diagnosis, ...page.done, ...page.refused.map((r) => `${r.action}: ${r.guardrail} - ${r.reason}`), page.nextStep];
}

describe('restoreIntakePlan: relayed requests start the durable restore', () => {
  it('a Restore Requested (snapshot) starts the db restore keyed by the request event id', () => {
    const event = dbRequest();
    const admitted: RestoreAdmitted = { kind: 'db-request', event };
    const key = restoreIncidentKey(admitted);
    expect(key).toContain(fnv1a(event.id));
    expect(key).toContain('regami-db-primary');
    const plan = expectStart(decide(admitted));
    expect(plan.joining).toBe(false);
    expect(plan.workflow.executionName).toBe(key);
    expect(plan.record).toEqual({ kind: 'continue', loaded: undefined, init: { key, runbook: 'restore-from-backup', title: 'Restore regami-db-primary from rds:regami-db-primary-2026-11-26-03-00', severity: 'P2', detectedAt: event.time } });
    const input = plan.workflow.input as RestoreWorkflowInput;
    expect(input.kind).toBe('db');
    expect(input.request).toMatchObject({
      incidentKey: key,
      dbInstanceId: 'regami-db-primary',
      source: { kind: 'snapshot', snapshotId: 'rds:regami-db-primary-2026-11-26-03-00' },
      requestedBy: 'alice@regami.com',
      requestedAt: event.time,
    });
    expect(plan.entries).toHaveLength(1);
    expect(plan.entries[0]?.summary).toMatch(/restore requested by alice@regami.com/);
  });

  it('a point-in-time request names its restore time in the title', () => {
    const event = dbRequest('autopilot-restore-requested-pitr');
    const plan = expectStart(decide({ kind: 'db-request', event }));
    expect(event.detail.restorePoint.kind).toBe('point-in-time');
    expect((plan.workflow.input as RestoreWorkflowInput).request).toMatchObject({ source: { kind: 'point-in-time' } });
    expect(plan.record.init.title).toMatch(/^Restore regami-db-primary from \d{4}-\d{2}-\d{2}T/);
  });

  it('a duplicate of the db request (its record loaded) joins the same execution', () => {
    const admitted: RestoreAdmitted = { kind: 'db-request', event: dbRequest() };
    const first = decide(admitted);
    const loaded = loadedFor(first);
    const plan = expectStart(decide(admitted, loaded));
    expect(plan.joining).toBe(true);
    expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
    expect(plan.workflow.executionName).toBe(restoreIncidentKey(admitted));
  });

  it('another request (another event id) for the same instance is another incident and execution', () => {
    const a: RestoreAdmitted = { kind: 'db-request', event: dbRequest() };
    const other = parsed('autopilot-restore-requested', (raw) => {
      raw.id = '11111111-2222-4333-8444-555555555555';
    });
    if (other.kind !== 'restore-request') throw new Error(other.kind);
    const b: RestoreAdmitted = { kind: 'db-request', event: other };
    expect(restoreIncidentKey(b)).not.toBe(restoreIncidentKey(a));
    expect(expectStart(decide(b)).workflow.executionName).not.toBe(expectStart(decide(a)).workflow.executionName);
  });

  it('an S3 Restore Requested starts the S3 restore (dry-run as asked), keyed by bucket and event id; a duplicate joins', () => {
    const event = s3Request();
    const admitted: RestoreAdmitted = { kind: 's3-request', event };
    const key = restoreIncidentKey(admitted);
    expect(key).toContain('regami-uploads');
    expect(key).toContain(fnv1a(event.id));
    const plan = expectStart(decide(admitted));
    expect(plan.joining).toBe(false);
    expect(plan.workflow.executionName).toBe(key);
    expect(plan.record.init).toMatchObject({ key, severity: 'P2', title: 'Dry-run S3 restore of s3://regami-uploads/dogs/photos/' });
    const input = plan.workflow.input as RestoreWorkflowInput;
    expect(input).toMatchObject({ kind: 's3', request: { incidentKey: key, bucket: 'regami-uploads', prefix: 'dogs/photos/', dryRun: true, confirmWholeBucket: false, requestedBy: 'alice@regami.com' } });
    const joined = expectStart(decide(admitted, loadedFor(plan)));
    expect(joined.joining).toBe(true);
    expect(joined.workflow.executionName).toBe(key);
  });
});

describe('restoreIntakePlan: a request that was not relayed', () => {
  const requestEvent = (requestedBy?: string): EventOf<'restore-request'> => {
    const event = parsed('autopilot-restore-requested', (raw) => {
      if (requestedBy !== undefined) raw.detail.requestedBy = requestedBy;
    });
    if (event.kind !== 'restore-request') throw new Error(event.kind);
    return event;
  };
  const unverified = (requestedBy?: string): Extract<RestoreAdmitted, { kind: 'unverified' }> => ({ kind: 'unverified', event: requestEvent(requestedBy) });

  it('is refused with a P2 (VerifiedRequester), escalated, no workflow, keyed apart from real requests', () => {
    const event = requestEvent();
    const admitted: RestoreAdmitted = { kind: 'unverified', event };
    const key = restoreIncidentKey(admitted);
    expect(key).toContain('unverified-request');
    expect(key).not.toBe(restoreIncidentKey({ kind: 'db-request', event }));
    const plan = expectPage(decide(admitted));
    expect(plan).not.toHaveProperty('workflow');
    expect(plan.record).toMatchObject({ kind: 'continue', init: { key, severity: 'P2' } });
    expect(plan.patch).toEqual({ status: 'escalated' });
    expect(plan.page).toMatchObject({ incidentKey: key, action: 'trigger', severity: 'P2', runbook: 'restore-from-backup' });
    expect(plan.page.refused).toEqual([expect.objectContaining({ action: 'restore-request', guardrail: 'VerifiedRequester' })]);
    expect(plan.page.refused[0]?.reason).toMatch(/^UnverifiedRequest: /);
    expect(plan.entries).toEqual([expect.objectContaining({ kind: 'guardrail', verdict: expect.objectContaining({ guardrail: 'VerifiedRequester', pass: false }) })]);
    expect(plan.entries[0]?.summary).toMatch(/^VerifiedRequester: REFUSE/);
    expect(plan.page.diagnosis).toContain('claimed requester (not verified): "alice@regami.com"');
    expect(plan.page.nextStep).toMatch(/autopilot request/);
  });

  it('never claims anything was restored: nothing done, the title says nothing was restored', () => {
    const plan = expectPage(decide(unverified()));
    expect(plan.page.title).toMatch(/refused: nothing restored$/);
    expect(plan.page.done).toEqual(['nothing: no snapshot, no instance, no object was touched']);
    for (const line of pageText(plan.page)) {
      // Our own lines speak of a restore only to say none happened.
      if (/restor(ed|ing)|promot|copied|switch/i.test(line)) expect(line).toMatch(/nothing|not relayed|If the restore is wanted/);
    }
  });

  it("bounds the claimed requester's text to 200 characters wherever it is repeated", () => {
    const long = `mallory-${'x'.repeat(240)}-tail`; // 253 characters: an identity the parser accepts
    const plan = expectPage(decide(unverified(long)));
    // Quoted (Markdown escaped) and cut at 200 characters, the cut saying how much was dropped.
    const claimed = quoteUntrusted(long, 200);
    expect(claimed).toMatch(/^"mallory\\-x+" \[\+53 chars\]$/);
    expect(plan.page.diagnosis).toContain(`claimed requester (not verified): ${claimed}`);
    const everything = [...pageText(plan.page), ...plan.entries.map((e) => e.summary)].join('\n');
    expect(everything).not.toContain('-tail');
    expect(everything).not.toContain('x'.repeat(193));
    expect(plan.page.refused[0]?.reason).toContain(`${claimed} is only a claim`);
  });

  it('quotes the claimed requester: forged text cannot say a restore happened or carry a live link', () => {
    const forged = 'ops. RESTORE COMPLETED: data restored, [approve the switch](https://evil.example) **now**';
    const plan = expectPage(decide(unverified(forged)));
    const everything = [...pageText(plan.page), ...plan.entries.map((e) => e.summary)].join('\n');
    expect(everything).not.toContain('[approve the switch](https://evil.example)');
    expect(everything).not.toContain('**now**');
    expect(plan.page.diagnosis).toContain(`claimed requester (not verified): ${quoteUntrusted(forged, 200)}`);
    expect(plan.page.title).toBe('Unverified Restore Requested refused: nothing restored');
  });

  it('an S3 request that was not relayed is refused the same way', () => {
    const event = s3Request();
    const plan = expectPage(decide({ kind: 'unverified', event }));
    expect(plan.page.severity).toBe('P2');
    expect(plan.page.title).toBe('Unverified S3 Restore Requested refused: nothing restored');
    expect(plan.page.refused).toEqual([expect.objectContaining({ action: 's3-restore-request', guardrail: 'VerifiedRequester' })]);
    expect(plan.patch).toEqual({ status: 'escalated' });
  });
});

describe('restoreIntakePlan: backup problems', () => {
  it('automated backups disabled on the primary: a P3 page, nothing else', () => {
    const admitted = backupProblemOf('rds-instance-backups-disabled');
    const key = restoreIncidentKey(admitted);
    expect(key).toContain('backup-regami-db-primary');
    expect(key).toContain('RDS-EVENT-0028');
    const plan = expectPage(decide(admitted));
    expect(plan).not.toHaveProperty('workflow');
    expect(plan.patch).toBeUndefined();
    expect(plan.record).toMatchObject({ kind: 'continue', init: { key, severity: 'P3' } });
    expect(plan.page).toMatchObject({ incidentKey: key, action: 'trigger', severity: 'P3', title: 'RDS RDS-EVENT-0028 on regami-db-primary', refused: [] });
    expect(plan.page.done).toEqual(['nothing: backup problems are for a human']);
    expect(plan.page.diagnosis.join('\n')).toMatch(/automated backups disabled/);
    expect(plan.page.nextStep).toMatch(/aws rds describe-db-snapshots --db-instance-identifier regami-db-primary --snapshot-type automated/);
  });

  it('a failed snapshot export: a P3 page about the snapshot', () => {
    const admitted = backupProblemOf('rds-snapshot-export-failed');
    const plan = expectPage(decide(admitted));
    expect(plan.page.severity).toBe('P3');
    expect(plan.page.title).toBe('RDS RDS-EVENT-0159 on rds:regami-db-primary-2026-11-26-03-00');
    expect(plan.page.resource).toBe('arn:aws:rds:us-east-1:123456789012:snapshot:rds:regami-db-primary-2026-11-26-03-00');
  });

  it('the same backup event delivered again lands on the same record (appended, not a new incident)', () => {
    const admitted = backupProblemOf('rds-instance-backups-disabled');
    const loaded = loadedFor(decide(admitted));
    const plan = expectPage(decide(admitted, loaded));
    expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
  });
});
