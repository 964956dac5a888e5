/**
 * Runbook 1, "Database Failover": the intake's decision (failoverIntakePlan), pure. A trigger
 * only opens the confirmation window; the decision says which episode it belongs to:
 * the first trigger starts one, a trigger during an open episode joins it, a late copy of an
 * event the last episode judged is ignored, nothing starts while the old primary is out of
 * service after a failover (failing back is a human's decision), and new evidence after a
 * refused episode is judged again, by an execution of its own.
 */
import { TUNABLES, defaultConfig } from '../config';
import { incidentKey, openIncident, type IncidentRecord } from '../incident';
import type { IntakePlan } from '../intake-plan';
import { parseEvent, type AutopilotEvent } from '../../events';
import { loadSample } from '../../events/samples/load';
import { failoverExecutionName, failoverIncidentTitle } from './episodes';
import { failoverIntakePlan, failoverTriggerOf, maxFailoverEpisodeSeconds, type FailoverAdmitted } from './intake-plan';
import type { FailoverInput } from './workflow';

const config = defaultConfig;
const KEY = incidentKey('database-failover', config.database.primaryInstanceId);
const BUCKET_MS = TUNABLES.failover.episodeBucketSeconds * 1000;
/** 15:00 UTC: the start of an episode bucket. */
const T0 = Date.UTC(2026, 10, 26, 15, 0, 0);

function parsed(name: string, at: number, id = `${name}-${at}`): AutopilotEvent {
  const raw = loadSample(name);
  raw.id = id;
  raw.time = new Date(at).toISOString();
  const r = parseEvent(raw, { config, now: at + 2000 });
  if (!r.ok) throw new Error(`sample ${name} did not parse: ${r.rejection.message}`);
  return r.event;
}

/** The database-down composite alarm in ALARM, delivered at `at`. */
const dbDownAlarm = (at: number, id?: string) => parsed('alarm-db-down-composite', at, id);
/** RDS-EVENT-0221 (storage full, database shut down) on the primary. */
const storageFull = (at: number, id?: string) => parsed('rds-instance-storage-full', at, id);

function admitted(event: AutopilotEvent): FailoverAdmitted {
  const { trigger, whyNot } = failoverTriggerOf(event, config);
  if (!trigger) throw new Error(`not a trigger: ${whyNot}`);
  return { key: KEY, trigger };
}

function episode(over: Partial<IncidentRecord> & { detectedAt: number }): IncidentRecord {
  return {
    ...openIncident({ key: KEY, runbook: 'database-failover', title: failoverIncidentTitle(config), severity: 'P1', detectedAt: over.detectedAt }),
    timeline: [{ at: over.detectedAt, kind: 'event', summary: 'trigger: alarm regami-db-down ALARM' }],
    ...over,
  };
}

function decide(event: AutopilotEvent, loaded: IncidentRecord | undefined, now: number): IntakePlan {
  return failoverIntakePlan(admitted(event), { loaded }, { event, config, now });
}

function expectStart(plan: IntakePlan): Extract<IntakePlan, { kind: 'start' }> {
  expect(plan.kind).toBe('start');
  if (plan.kind !== 'start') throw new Error(`expected a start, got ${plan.kind}: ${plan.kind === 'ignore' ? plan.reason : ''}`);
  return plan;
}

describe('failoverTriggerOf', () => {
  it('a configured database-down alarm in ALARM is a trigger', () => {
    const t = failoverTriggerOf(dbDownAlarm(T0), config);
    expect(t.trigger).toMatch(/^alarm regami-db-down ALARM: /);
    expect(t.whyNot).toBeUndefined();
  });

  it('the same alarm back to OK is none', () => {
    const raw = loadSample('alarm-db-down-composite') as Record<string, unknown> & { detail: { state: Record<string, unknown> } };
    raw.time = new Date(T0).toISOString();
    raw.detail.state = { ...raw.detail.state, value: 'OK' };
    const r = parseEvent(raw, { config, now: T0 + 2000 });
    if (!r.ok) throw new Error(r.rejection.message);
    const t = failoverTriggerOf(r.event, config);
    expect(t.trigger).toBeUndefined();
    expect(t.whyNot).toMatch(/is OK/);
  });

  it('another alarm (the 5XX alarm) is none', () => {
    const t = failoverTriggerOf(parsed('alarm-5xx-alarm', T0), config);
    expect(t.trigger).toBeUndefined();
    expect(t.whyNot).toMatch(/not a configured database-down alarm/);
  });

  it('an RDS event ID meaning the primary is failing is a trigger, naming the event and the instance', () => {
    const t = failoverTriggerOf(storageFull(T0), config);
    expect(t.trigger).toMatch(/^RDS-EVENT-0221 on regami-db-primary: /);
  });

  it('a Multi-AZ failover (RDS healing the primary itself) is none: a promotion racing it would split the database', () => {
    const t = failoverTriggerOf(parsed('rds-instance-failover-completed', T0), config);
    expect(t.trigger).toBeUndefined();
    expect(t.whyNot).toMatch(/not a failover trigger for regami-db-primary/);
  });

  it('a failing event about another instance is none', () => {
    const raw = loadSample('rds-instance-storage-full') as Record<string, unknown> & { detail: Record<string, unknown> };
    raw.time = new Date(T0).toISOString();
    raw.resources = ['arn:aws:rds:us-east-1:123456789012:db:other-db'];
    raw.detail = { ...raw.detail, SourceArn: 'arn:aws:rds:us-east-1:123456789012:db:other-db', SourceIdentifier: 'rds:other-db' };
    const r = parseEvent(raw, { config, now: T0 + 2000 });
    if (!r.ok) throw new Error(r.rejection.message);
    expect(failoverTriggerOf(r.event, config).trigger).toBeUndefined();
  });

  it('any other kind of event is none', () => {
    const t = failoverTriggerOf(parsed('ecs-deployment-failed', T0), config);
    expect(t.trigger).toBeUndefined();
    expect(t.whyNot).toMatch(/^ecs-deployment event is not a failover trigger/);
  });
});

describe('failoverIntakePlan: start and join', () => {
  it('the first trigger starts the workflow (confirmation checks first), named after its episode bucket', () => {
    const now = T0 + 5000;
    const event = dbDownAlarm(T0);
    const plan = expectStart(decide(event, undefined, now));
    expect(plan.joining).toBe(false);
    expect(plan.record).toEqual({ kind: 'continue', loaded: undefined, init: { key: KEY, runbook: 'database-failover', title: failoverIncidentTitle(config), severity: 'P1', detectedAt: now } });
    expect(plan.workflow.executionName).toBe(failoverExecutionName(KEY, now));
    const input = plan.workflow.input as FailoverInput;
    expect(input).toMatchObject({ incidentKey: KEY, primaryInstanceId: 'regami-db-primary', detectedAt: now, executionName: plan.workflow.executionName });
    expect(input.trigger).toMatch(/^alarm regami-db-down ALARM/);
    expect(plan.entries.map((e) => e.kind)).toEqual(['event', 'note']);
    expect(plan.entries[1]?.summary).toMatch(/confirmation checks first/);
  });

  it('two triggers racing before any record exists land on one execution name (same bucket)', () => {
    const a = expectStart(decide(dbDownAlarm(T0 + 1000), undefined, T0 + 2000));
    const b = expectStart(decide(storageFull(T0 + 1500), undefined, T0 + 3000));
    expect(b.workflow.executionName).toBe(a.workflow.executionName);
  });

  it('a trigger during the open episode joins it: the loaded record, its execution name, its detection time', () => {
    const loaded = episode({ detectedAt: T0 + 10_000 });
    const now = T0 + 20 * 60_000; // another bucket: the name still comes from the episode's detection
    const event = storageFull(now - 1000);
    const plan = expectStart(decide(event, loaded, now));
    expect(plan.joining).toBe(true);
    expect(plan.record.kind).toBe('continue');
    expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
    expect(plan.workflow.executionName).toBe(failoverExecutionName(KEY, T0 + 10_000));
    expect(plan.workflow.executionName).not.toBe(failoverExecutionName(KEY, now));
    expect((plan.workflow.input as FailoverInput).detectedAt).toBe(T0 + 10_000);
    expect(plan.entries[plan.entries.length - 1]?.summary).toMatch(/^joining the running failover workflow/);
  });

  it('a record opened but never written to is no earlier episode: it starts, not joins', () => {
    const loaded = { ...episode({ detectedAt: T0 }), timeline: [] };
    const plan = expectStart(decide(dbDownAlarm(T0 + 60_000), loaded, T0 + 62_000));
    expect(plan.joining).toBe(false);
    expect(plan.record.kind).toBe('continue');
  });

  it('an "open" record older than any execution can live is a dead episode: a new episode, a new execution', () => {
    const loaded = episode({ detectedAt: T0 });
    const now = T0 + (maxFailoverEpisodeSeconds(config) + 60) * 1000;
    const plan = expectStart(decide(dbDownAlarm(now - 1000), loaded, now));
    expect(plan.joining).toBe(false);
    expect(plan.record.kind).toBe('new-episode');
    expect(plan.workflow.executionName).not.toBe(failoverExecutionName(KEY, T0));
  });
});

describe('failoverIntakePlan: episodes that are over', () => {
  it('a late copy of an event the refused episode already judged is ignored (the record is not rewritten)', () => {
    const refused = episode({ detectedAt: T0, status: 'escalated', timeline: [{ at: T0, kind: 'event', summary: 'trigger' }, { at: T0 + 180_000, kind: 'decision', summary: 'failover NOT started: replica lag unknown' }] });
    // The 15:01 event re-delivered at 15:05 (EventBridge retry).
    const plan = decide(dbDownAlarm(T0 + 60_000), refused, T0 + 300_000);
    expect(plan).toMatchObject({ kind: 'ignore', incidentKey: KEY });
    expect(plan.kind === 'ignore' && plan.reason).toMatch(/late copy/);
  });

  it('a late copy after an episode that ended because the primary recovered is ignored too', () => {
    const recovered = episode({ detectedAt: T0, status: 'resolved', resolvedAt: T0 + 240_000 });
    expect(decide(storageFull(T0 + 30_000), recovered, T0 + 400_000).kind).toBe('ignore');
  });

  it('within minSecondsBetweenFailovers after a failover, no trigger about the old primary starts anything', () => {
    const failedOver = episode({ detectedAt: T0, status: 'mitigated', mitigatedAt: T0 + 12 * 60_000 });
    // A brand-new event hours later (the old primary is still down, on purpose).
    const later = T0 + 3 * 3600_000;
    const plan = decide(dbDownAlarm(later), failedOver, later + 2000);
    expect(plan).toMatchObject({ kind: 'ignore', incidentKey: KEY });
    expect(plan.kind === 'ignore' && plan.reason).toMatch(/failing back is a human's decision/);
    // Also a late copy of the episode's own trigger.
    expect(decide(dbDownAlarm(T0 + 1000), failedOver, T0 + 13 * 60_000).kind).toBe('ignore');
  });

  it('after minSecondsBetweenFailovers, a trigger is judged again as a new episode', () => {
    const failedOver = episode({ detectedAt: T0, status: 'mitigated', mitigatedAt: T0 + 12 * 60_000 });
    const later = T0 + 12 * 60_000 + (config.guardrails.failover.minSecondsBetweenFailovers + 60) * 1000;
    const plan = expectStart(decide(dbDownAlarm(later), failedOver, later + 2000));
    expect(plan.record.kind).toBe('new-episode');
  });
});

describe('failoverIntakePlan: new evidence after a refused episode', () => {
  it('is a new episode: a new record under the same key, a different execution name, detected now', () => {
    const refused = episode({ detectedAt: T0, status: 'escalated', timeline: [{ at: T0 + 180_000, kind: 'decision', summary: 'failover NOT started' }] });
    const now = T0 + 2 * 3600_000;
    const plan = expectStart(decide(storageFull(now - 1000), refused, now));
    expect(plan.joining).toBe(false);
    expect(plan.record).toEqual({ kind: 'new-episode', init: expect.objectContaining({ key: KEY, detectedAt: now }) });
    expect(plan.workflow.executionName).not.toBe(failoverExecutionName(KEY, T0));
    expect(plan.workflow.executionName).toBe(failoverExecutionName(KEY, now));
    expect((plan.workflow.input as FailoverInput).detectedAt).toBe(now);
    expect(plan.entries[0]).toMatchObject({ kind: 'note' });
    expect(plan.entries[0]?.summary).toMatch(/new evidence after the escalated episode/);
  });

  it('also in the same 15-minute bucket as the finished execution: a name of its own, or it would join that one', () => {
    const refused = episode({ detectedAt: T0 + 10_000, status: 'escalated', timeline: [{ at: T0 + 180_000, kind: 'decision', summary: 'failover NOT started' }] });
    const now = T0 + 6 * 60_000;
    expect(Math.floor(now / BUCKET_MS)).toBe(Math.floor((T0 + 10_000) / BUCKET_MS));
    const plan = expectStart(decide(dbDownAlarm(now - 1000), refused, now));
    expect(plan.record.kind).toBe('new-episode');
    const finished = failoverExecutionName(KEY, T0 + 10_000);
    expect(plan.workflow.executionName).not.toBe(finished);
    expect(plan.workflow.executionName).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect((plan.workflow.input as FailoverInput).executionName).toBe(plan.workflow.executionName);
  });

  it('a later trigger of that reopened episode joins its execution, not the finished one of the same bucket', () => {
    const refused = episode({ detectedAt: T0 + 10_000, status: 'escalated', timeline: [{ at: T0 + 180_000, kind: 'decision', summary: 'failover NOT started' }] });
    const reopenedAt = T0 + 6 * 60_000;
    const reopened = expectStart(decide(dbDownAlarm(reopenedAt - 1000), refused, reopenedAt));
    expect(reopened.record.kind).toBe('new-episode');
    // What the pipeline saves for the new episode: its record, opened from the plan's init.
    const saved = { ...openIncident(reopened.record.init), timeline: [{ at: reopenedAt, kind: 'note' as const, summary: 'starting' }] };
    const later = expectStart(decide(storageFull(reopenedAt + 60_000), saved, reopenedAt + 61_000));
    expect(later.joining).toBe(true);
    expect(later.workflow.executionName).toBe(reopened.workflow.executionName);
    expect(later.workflow.executionName).not.toBe(failoverExecutionName(KEY, T0 + 10_000));
  });
});
