/**
 * Runbook 3, "Scale ECS Tasks": the intake's decision (scaleIntakePlan), pure. Real-world
 * orders: a delivery after the alarm recovered, a late ALARM the last episode already handled,
 * a flapping alarm joining the running episode, diagnosis before scaling on a new CPU episode
 * (runbook 4: more tasks make pool exhaustion worse and cannot fix a down dependency), and the
 * 'Scale Requested' hand-off that the investigation already diagnosed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../config';
import { openIncident, type IncidentRecord } from '../incident';
import type { DecisionContext, IntakePlan } from '../intake-plan';
import { parseEvent, type AutopilotEvent } from '../../events';
import { loadSample, sampleTime } from '../../events/samples/load';
import type { FiveXxSignals } from '../investigation/signals';
import { NO_SCALE_GUARDRAIL } from '../investigation/respond';
import { episodeExecutionName, scaleIntake, scalingIncidentKey } from './intake';
import { diagnosisNeeded, maxScalingEpisodeSeconds, scaleIntakePlan, type ScaleStart } from './intake-plan';
import type { ScaleEcsInput } from './workflow';

const config = defaultConfig;
const ref = { region: config.service.region, cluster: config.service.clusterName, service: config.service.serviceName };
const KEY = scalingIncidentKey(ref);
const CPU_ALARM = 'regami-ecs-cpu-high';
/** The sample CPU ALARM's own time (2026-11-26T14:20:48Z). */
const T0 = sampleTime('alarm-cpu-metric-math');

function parsed(raw: Record<string, unknown>, now: number): AutopilotEvent {
  const r = parseEvent(raw, { config, now });
  if (!r.ok) throw new Error(`event did not parse: ${r.rejection.message}`);
  return r.event;
}

/** The CPU alarm entering ALARM at `stateAt`, delivered at `deliveredAt`. */
function cpuAlarm(stateAt: number, deliveredAt: number = stateAt, id = `cpu-${stateAt}`): AutopilotEvent {
  const raw = loadSample('alarm-cpu-metric-math') as Record<string, unknown> & { detail: { state: Record<string, unknown> } };
  raw.id = id;
  raw.time = new Date(deliveredAt).toISOString();
  raw.detail.state = { ...raw.detail.state, value: 'ALARM', timestamp: new Date(stateAt).toISOString().replace('Z', '+0000') };
  return parsed(raw, deliveredAt + 2000);
}

function scaleRequested(at: number): AutopilotEvent {
  const raw = loadSample('autopilot-scale-requested');
  raw.time = new Date(at).toISOString();
  return parsed(raw, at + 2000);
}

function admitted(event: AutopilotEvent): ScaleStart {
  const intake = scaleIntake(event, config);
  if (intake.kind !== 'start') throw new Error(`not admitted: ${intake.reason}`);
  return { ...intake, key: scalingIncidentKey(intake.ref) };
}

function ctx(event: AutopilotEvent, now: number): DecisionContext {
  return { event, config, now };
}

function record(over: Partial<IncidentRecord> & { detectedAt: number }): IncidentRecord {
  return {
    ...openIncident({ key: KEY, runbook: 'scale-ecs', title: `High load on ${ref.cluster}/${ref.service}`, severity: 'P3', detectedAt: over.detectedAt }),
    timeline: [{ at: over.detectedAt, kind: 'event', summary: 'earlier ALARM' }],
    ...over,
  };
}

/** Recorded 5XX-investigation signal sets, read again for the CPU alarm (diagnosis before scaling). */
function signals(name: string, alarmAt: number): FiveXxSignals {
  const s = JSON.parse(readFileSync(join(__dirname, '..', 'investigation', 'fixtures', `${name}.json`), 'utf8')) as FiveXxSignals;
  return { ...s, alarm: { name: CPU_ALARM, stateChangedAt: alarmAt, reason: 'Threshold Crossed' } };
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

describe('scaleIntakePlan: deliveries that start nothing', () => {
  it('a delivery that arrives after the alarm recovered (a retry, a backlog) is ignored', () => {
    const event = cpuAlarm(T0, T0 + 240_000);
    const start = admitted(event);
    const plan = scaleIntakePlan(start, { liveAlarm: { name: CPU_ALARM, state: 'OK', since: T0 + 180_000 } }, ctx(event, T0 + 242_000));
    expect(plan).toMatchObject({ kind: 'ignore', incidentKey: KEY });
    expect(plan.kind === 'ignore' && plan.reason).toMatch(/already OK again/);
  });

  it('an alarm that is OK only since before this ALARM began is not "recovered": the ALARM is acted on', () => {
    const event = cpuAlarm(T0);
    const plan = scaleIntakePlan(admitted(event), { liveAlarm: { name: CPU_ALARM, state: 'OK', since: T0 - 60_000 }, signals: signals('cpu-saturation', T0) }, ctx(event, T0 + 2000));
    expect(plan.kind).toBe('start');
  });

  it('a late ALARM whose period began before the last episode ended is covered by that episode: ignored, no diagnosis read', () => {
    // The episode of 14:20 scaled out, waited for OK and scaled back in; it ended at 15:05.
    const resolvedAt = T0 + 45 * 60_000;
    const loaded = record({ detectedAt: T0, status: 'resolved', resolvedAt, mitigatedAt: T0 + 10 * 60_000 });
    // The 14:20 ALARM delivered again (a backlog), while the alarm is in a new ALARM period since 15:10.
    const now = T0 + 51 * 60_000;
    const event = cpuAlarm(T0, now - 60_000, 'late-copy');
    const start = admitted(event);
    expect(diagnosisNeeded(start, loaded, now, config)).toBe(false);
    const plan = scaleIntakePlan(start, { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: T0 + 50 * 60_000 }, loaded }, ctx(event, now));
    expect(plan).toMatchObject({ kind: 'ignore', incidentKey: KEY });
    expect(plan.kind === 'ignore' && plan.reason).toMatch(/handled by the episode that ended/);
  });
});

describe('scaleIntakePlan: the running episode is joined', () => {
  it('a flapping alarm (a new ALARM period) joins the active episode: the continued record, the same execution name, no diagnosis', () => {
    const loaded = record({ detectedAt: T0, status: 'open', startedAt: T0 + 1000 });
    const now = T0 + 8 * 60_000;
    const event = cpuAlarm(now - 1000, now - 1000, 'flap');
    const start = admitted(event);
    expect(diagnosisNeeded(start, loaded, now, config)).toBe(false);
    // No signals: a joining event was diagnosed by its episode, the decision must not ask for them.
    const plan = expectStart(scaleIntakePlan(start, { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: now - 1000 }, loaded }, ctx(event, now)));
    expect(plan.joining).toBe(true);
    expect(plan.record.kind).toBe('continue');
    expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
    expect(plan.workflow.executionName).toBe(episodeExecutionName(ref, T0));
    expect(plan.patch).toBeUndefined();
    expect(plan.refusals).toBeUndefined();
  });

  it('a mitigated (scaled out, waiting to scale in) episode is still the one joined', () => {
    const loaded = record({ detectedAt: T0, status: 'mitigated', mitigatedAt: T0 + 5 * 60_000 });
    const now = T0 + 20 * 60_000;
    const event = cpuAlarm(now, now, 'again');
    const plan = expectStart(scaleIntakePlan(admitted(event), { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: now }, loaded }, ctx(event, now)));
    expect(plan.joining).toBe(true);
    expect(plan.workflow.executionName).toBe(episodeExecutionName(ref, T0));
  });

  it('an "open" record older than any episode can live is a dead episode: a new one, diagnosed first', () => {
    const loaded = record({ detectedAt: T0, status: 'open' });
    const now = T0 + (maxScalingEpisodeSeconds(config) + 60) * 1000;
    const event = cpuAlarm(now, now, 'after-dead');
    const start = admitted(event);
    expect(diagnosisNeeded(start, loaded, now, config)).toBe(true);
    const plan = expectStart(scaleIntakePlan(start, { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: now }, loaded, signals: signals('cpu-saturation', now) }, ctx(event, now)));
    expect(plan.joining).toBe(false);
    expect(plan.record.kind).toBe('new-episode');
    expect(plan.workflow.executionName).toBe(episodeExecutionName(ref, now));
    expect(plan.workflow.executionName).not.toBe(episodeExecutionName(ref, T0));
  });
});

describe('scaleIntakePlan: diagnosis before scaling a new CPU episode', () => {
  const now = T0 + 2000;

  it('pool exhaustion: P2 page, escalated, the refusal recorded, no workflow', () => {
    const event = cpuAlarm(T0);
    const start = admitted(event);
    expect(diagnosisNeeded(start, undefined, now, config)).toBe(true);
    const plan = expectPage(scaleIntakePlan(start, { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: T0 }, signals: signals('pool-exhaustion', T0) }, ctx(event, now)));
    expect(plan).not.toHaveProperty('workflow');
    expect(plan.record.kind).toBe('new-episode');
    expect(plan.record.init).toMatchObject({ key: KEY, runbook: 'scale-ecs', detectedAt: now });
    expect(plan.page).toMatchObject({ incidentKey: KEY, action: 'trigger', severity: 'P2', runbook: 'scale-ecs' });
    expect(plan.page.title).toMatch(/not scaling, connection-pool-exhausted/);
    expect(plan.page.refused).toEqual([expect.objectContaining({ action: 'scale out', guardrail: NO_SCALE_GUARDRAIL })]);
    expect(plan.page.refused[0]?.reason).toMatch(/^ScalingWouldNotHelp: connection-pool-exhausted/);
    expect(plan.page.nextStep).toMatch(/pool_size/);
    expect(plan.page.nextStep).toMatch(/do not add tasks/);
    expect(plan.page.done).toEqual([]);
    expect(plan.patch?.status).toBe('escalated');
    expect(plan.patch?.rootCauseGuess).toMatch(/connection-pool-exhausted/);
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals?.[0]).toMatch(/^ScalingWouldNotHelp: connection-pool-exhausted/);
    const guardrail = plan.entries.find((e) => e.kind === 'guardrail');
    expect(guardrail?.verdict).toMatchObject({ guardrail: NO_SCALE_GUARDRAIL, pass: false });
    expect(guardrail?.summary).toMatch(/REFUSE/);
    // The signals read are in the timeline, ahead of the verdict.
    expect(plan.entries.filter((e) => e.kind === 'signal').length).toBeGreaterThan(0);
  });

  it('a down dependency (RDS failed): P2 page, escalated, refusal recorded, next step is the dependency (runbook 1), no workflow', () => {
    const event = cpuAlarm(T0);
    const plan = expectPage(scaleIntakePlan(admitted(event), { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: T0 }, signals: signals('rds-down', T0) }, ctx(event, now)));
    expect(plan).not.toHaveProperty('workflow');
    expect(plan.page.severity).toBe('P2');
    expect(plan.page.title).toMatch(/not scaling, dependency-down/);
    expect(plan.page.refused).toEqual([expect.objectContaining({ action: 'scale out', guardrail: NO_SCALE_GUARDRAIL })]);
    expect(plan.page.nextStep).toMatch(/runbook 1/);
    expect(plan.page.nextStep).toMatch(/scaling will not help/);
    expect(plan.patch?.status).toBe('escalated');
    expect(plan.refusals?.[0]).toMatch(/dependency-down/);
  });

  it('a down dependency after an escalated episode is refused again on a new record (same key)', () => {
    const loaded = record({ detectedAt: T0, status: 'escalated' });
    const later = T0 + 3600_000;
    const event = cpuAlarm(later, later, 'next-period');
    const start = admitted(event);
    expect(diagnosisNeeded(start, loaded, later + 2000, config)).toBe(true);
    const plan = expectPage(scaleIntakePlan(start, { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: later }, loaded, signals: signals('redis-down', later) }, ctx(event, later + 2000)));
    expect(plan.record).toMatchObject({ kind: 'new-episode', init: { key: KEY, detectedAt: later + 2000 } });
    expect(plan.page.severity).toBe('P2');
  });

  it('a healthy new CPU episode starts the workflow on a new-episode record, named after the episode', () => {
    const event = cpuAlarm(T0);
    const start = admitted(event);
    const plan = expectStart(scaleIntakePlan(start, { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: T0 }, signals: signals('cpu-saturation', T0) }, ctx(event, now)));
    expect(plan.joining).toBe(false);
    expect(plan.record).toMatchObject({ kind: 'new-episode', init: { key: KEY, runbook: 'scale-ecs', severity: 'P3', detectedAt: now } });
    expect(plan.workflow.executionName).toBe(episodeExecutionName(ref, now));
    const input = plan.workflow.input as ScaleEcsInput;
    expect(input).toMatchObject({ incidentKey: KEY, ref, trigger: { kind: 'cpu-alarm', alarmName: CPU_ALARM, stateChangedAt: T0 } });
    expect(input.gateAlarms).toEqual(config.alarms.cpu);
    const guardrail = plan.entries.find((e) => e.kind === 'guardrail');
    expect(guardrail?.verdict).toMatchObject({ guardrail: NO_SCALE_GUARDRAIL, pass: true });
    expect(plan.refusals).toBeUndefined();
    expect(plan.patch).toBeUndefined();
    expect(plan.startFailurePage).toMatchObject({ severity: 'P2', incidentKey: KEY });
    expect(plan.startFailurePage?.nextStep).toMatch(/aws ecs describe-services --cluster regami-cluster --services regami-service/);
    expect(plan.entries[0]).toMatchObject({ kind: 'event', detail: { eventId: event.id, dedupeKey: start.dedupeKey } });
  });

  it('fails closed: a new CPU episode decided without its diagnosis signals throws, it never scales blind', () => {
    const event = cpuAlarm(T0);
    expect(() => scaleIntakePlan(admitted(event), { liveAlarm: { name: CPU_ALARM, state: 'ALARM', since: T0 } }, ctx(event, now))).toThrow(/diagnosis signals/);
  });
});

describe('scaleIntakePlan: the Scale Requested hand-off', () => {
  const at = sampleTime('autopilot-scale-requested');

  it('needs no diagnosis: the investigation that sent it diagnosed the 5XX', () => {
    const start = admitted(scaleRequested(at));
    expect(start.trigger.kind).toBe('scale-requested');
    expect(diagnosisNeeded(start, undefined, at, config)).toBe(false);
    expect(diagnosisNeeded(start, record({ detectedAt: at - 7200_000, status: 'resolved', resolvedAt: at - 3600_000 }), at, config)).toBe(false);
  });

  it('starts a new episode without signals, gated on both the CPU and the 5XX alarms', () => {
    const event = scaleRequested(at);
    const plan = expectStart(scaleIntakePlan(admitted(event), {}, ctx(event, at + 2000)));
    expect(plan.joining).toBe(false);
    expect(plan.record.kind).toBe('new-episode');
    expect(plan.workflow.executionName).toBe(episodeExecutionName(ref, at + 2000));
    const input = plan.workflow.input as ScaleEcsInput;
    expect(input.trigger).toMatchObject({ kind: 'scale-requested', requestedBy: 'investigate-5xx#regami-alb-5xx-high#2026-11-26T14:04' });
    expect(input.gateAlarms).toEqual([...config.alarms.cpu, ...config.alarms.fiveXx]);
    expect(plan.entries.some((e) => e.kind === 'guardrail' || e.kind === 'signal')).toBe(false);
  });

  it('joins the CPU episode already running on the service', () => {
    const loaded = record({ detectedAt: at - 5 * 60_000, status: 'open' });
    const event = scaleRequested(at);
    const plan = expectStart(scaleIntakePlan(admitted(event), { loaded }, ctx(event, at + 2000)));
    expect(plan.joining).toBe(true);
    expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
    expect(plan.workflow.executionName).toBe(episodeExecutionName(ref, at - 5 * 60_000));
  });
});
