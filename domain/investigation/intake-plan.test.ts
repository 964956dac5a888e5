/**
 * Runbook 4, "Investigate High 5XX Error Rate": the intake's decision (investigationPlan), pure.
 * An OK resolves the open incident's page; an ALARM is classified from the recorded signal sets
 * (fixtures/*.json) and answered per "Common Causes and Solutions": a memory leak restarts the
 * tasks (once per ALARM, never on a CodeDeploy-controlled service), a traffic spike hands off to
 * runbook 3, a bad deployment to runbook 2, everything else pages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../config';
import type { ActionRecord } from '../guardrails';
import { incidentKey, openIncident, type IncidentRecord } from '../incident';
import type { DecisionContext, IntakePlan } from '../intake-plan';
import { parseEvent, type EventOf } from '../../events';
import { loadSample } from '../../events/samples/load';
import { classify } from './classify';
import { handOffFailedPage, investigationPlan, restartHistoryNeeded, restartOutcomePage, type InvestigationAct, type InvestigationFacts } from './intake-plan';
import { NO_SCALE_GUARDRAIL, RESTART_ACTION, respond, restartScope, type InvestigationResponse } from './respond';
import type { FiveXxSignals } from './signals';

const config = defaultConfig;
const ALARM = 'regami-alb-5xx-high';
const KEY = incidentKey('investigate-5xx', ALARM);
const SCOPE = restartScope('regami-cluster', 'regami-service');

function fixture(name: string): FiveXxSignals {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as FiveXxSignals;
}

/** Every fixture's ALARM began at 02:52 and was read at 03:00 (2026-01-15). */
const ALARM_AT = fixture('unknown').alarm.stateChangedAt;
const READ_AT = fixture('unknown').at;

/** The 5XX alarm changing state at `stateAt`, as parseEvent gives it. */
function alarmEvent(value: 'ALARM' | 'OK', stateAt: number): EventOf<'alarm'> {
  const raw = loadSample(value === 'ALARM' ? 'alarm-5xx-alarm' : 'alarm-5xx-ok') as Record<string, unknown> & { detail: { state: Record<string, unknown> } };
  raw.id = `5xx-${value}-${stateAt}`;
  raw.time = new Date(stateAt).toISOString();
  raw.detail.state = { ...raw.detail.state, timestamp: new Date(stateAt).toISOString().replace('Z', '+0000') };
  const r = parseEvent(raw, { config, now: stateAt + 2000 });
  if (!r.ok) throw new Error(`alarm did not parse: ${r.rejection.message}`);
  if (r.event.kind !== 'alarm') throw new Error(r.event.kind);
  return r.event;
}

function ctx(alarm: EventOf<'alarm'>, now: number): DecisionContext {
  return { event: alarm, config, now };
}

function decide(alarm: EventOf<'alarm'>, facts: InvestigationFacts, now = READ_AT): IntakePlan<InvestigationAct> {
  return investigationPlan({ alarm, key: KEY }, facts, ctx(alarm, now));
}

function incident(over: Partial<IncidentRecord> & { detectedAt: number }): IncidentRecord {
  return {
    ...openIncident({ key: KEY, runbook: 'investigate-5xx', title: `High 5XX rate on regami-service (${ALARM})`, severity: 'P2', detectedAt: over.detectedAt }),
    timeline: [{ at: over.detectedAt, kind: 'event', summary: 'earlier ALARM' }],
    ...over,
  };
}

function expectAct(plan: IntakePlan<InvestigationAct>): Extract<IntakePlan<InvestigationAct>, { kind: 'act' }> {
  expect(plan.kind).toBe('act');
  if (plan.kind !== 'act') throw new Error(`expected an act, got ${plan.kind}`);
  return plan;
}

function expectPage(plan: IntakePlan<InvestigationAct>): Extract<IntakePlan<InvestigationAct>, { kind: 'page' }> {
  expect(plan.kind).toBe('page');
  if (plan.kind !== 'page') throw new Error(`expected a page, got ${plan.kind}`);
  return plan;
}

function restartOf(plan: IntakePlan<InvestigationAct>): Extract<InvestigationAct, { kind: 'restart' }> {
  const act = expectAct(plan).act;
  expect(act.kind).toBe('restart');
  if (act.kind !== 'restart') throw new Error(act.kind);
  return act;
}

/** The memory-leak signals after this ALARM's restart: a new PRIMARY deployment created since the ALARM. */
function memoryLeakAfterRestart(restartAt: number): FiveXxSignals {
  const s = fixture('memory-leak');
  const old = s.service!.deployments[0]!;
  s.service = {
    ...s.service!,
    deployments: [
      { id: 'ecs-svc/3333333333333333333', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: old.taskDefinition, createdAt: restartAt + 1000, desired: 2, running: 1 },
      { ...old, status: 'ACTIVE' },
    ],
  };
  return s;
}

describe('investigationPlan: the alarm back to OK', () => {
  const okAt = READ_AT + 20 * 60_000;

  it('with no open incident: ignored (nothing to resolve)', () => {
    const plan = decide(alarmEvent('OK', okAt), { loaded: undefined }, okAt + 1000);
    expect(plan).toMatchObject({ kind: 'ignore', incidentKey: KEY });
    expect(plan.kind === 'ignore' && plan.reason).toMatch(/no open incident/);
    const resolved = incident({ detectedAt: ALARM_AT, status: 'resolved', resolvedAt: okAt - 60_000 });
    expect(decide(alarmEvent('OK', okAt), { loaded: resolved }, okAt + 1000).kind).toBe('ignore');
  });

  it('with an open incident: a resolve page and the record resolved', () => {
    const loaded = incident({ detectedAt: ALARM_AT, status: 'open', rootCauseGuess: 'unknown: nothing matched', actionsTaken: [] });
    const now = okAt + 1000;
    const plan = expectPage(decide(alarmEvent('OK', okAt), { loaded }, now));
    expect(plan.record.kind).toBe('continue');
    expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
    expect(plan.patch).toEqual({ status: 'resolved', resolvedAt: now, mitigatedAt: now });
    expect(plan.page).toMatchObject({ incidentKey: KEY, action: 'resolve', severity: 'P2', runbook: 'investigate-5xx' });
    expect(plan.page.title).toMatch(/back to normal \(regami-alb-5xx-high OK\)/);
    expect(plan.page.diagnosis).toContain('cause: unknown: nothing matched');
    expect(plan.page.nextStep).toMatch(/Post-Incident Procedures/);
  });

  it('a mitigated incident keeps its mitigation time and says what was done', () => {
    const mitigatedAt = READ_AT + 60_000;
    const loaded = incident({ detectedAt: ALARM_AT, status: 'mitigated', mitigatedAt, severity: 'P3', actionsTaken: ['forced a new deployment ecs-svc/3333333333333333333'] });
    const now = okAt + 1000;
    const plan = expectPage(decide(alarmEvent('OK', okAt), { loaded }, now));
    expect(plan.patch).toEqual({ status: 'resolved', resolvedAt: now, mitigatedAt });
    expect(plan.page.severity).toBe('P3');
    expect(plan.page.done).toEqual(['forced a new deployment ecs-svc/3333333333333333333']);
  });
});

describe('investigationPlan: an ALARM, classified and answered', () => {
  const alarm = () => alarmEvent('ALARM', ALARM_AT);

  it('is decided only with its signals read (fails closed)', () => {
    expect(() => decide(alarm(), { loaded: undefined })).toThrow(/signals/);
  });

  it('memory leak, fresh: act restart, the request scoped restart:<cluster>/<service> and locking service:<cluster>/<service>', () => {
    const signals = fixture('memory-leak');
    expect(restartHistoryNeeded(signals)).toBe(true);
    const plan = decide(alarm(), { loaded: undefined, signals, restartsSinceAlarm: [] });
    const act = restartOf(plan);
    expect(act.request).toMatchObject({
      action: RESTART_ACTION,
      scope: 'restart:regami-cluster/regami-service',
      lockResource: 'service:regami-cluster/regami-service',
      cooldownSeconds: config.guardrails.scaling.restartCooldownSeconds,
      budget: { max: 1, windowSeconds: config.guardrails.scaling.restartCooldownSeconds },
    });
    expect(act.alreadyMade).toBeUndefined();
    expect(act.response.kind).toBe('restart');
    expect(act.reason).toMatch(/^memory-leak: /);
    const p = expectAct(plan);
    expect(p.record).toMatchObject({ kind: 'new-episode', init: { key: KEY, runbook: 'investigate-5xx', severity: 'P2', detectedAt: READ_AT } });
    expect(p.patch).toMatchObject({ startedAt: READ_AT });
    expect(p.patch?.rootCauseGuess).toMatch(/^memory-leak: /);
    expect(p.entries.find((e) => e.kind === 'decision')?.summary).toMatch(/^classified as memory-leak/);
  });

  it('memory leak with a restart already made for this ALARM (and its deployment PRIMARY since): act with alreadyMade, no second restart', () => {
    const restartAt = ALARM_AT + 30_000;
    const signals = memoryLeakAfterRestart(restartAt);
    expect(classify(signals).cause).toBe('memory-leak');
    expect(restartHistoryNeeded(signals)).toBe(true);
    const restarts: ActionRecord[] = [{ scope: SCOPE, action: RESTART_ACTION, at: restartAt, incidentKey: KEY, summary: 'force a new deployment of regami-cluster/regami-service' }];
    const act = restartOf(decide(alarm(), { loaded: incident({ detectedAt: ALARM_AT + 20_000 }), signals, restartsSinceAlarm: restarts }));
    expect(act.alreadyMade).toEqual({ deploymentId: 'ecs-svc/3333333333333333333', taskDefinition: 'regami-api:41', at: restartAt, summary: 'force a new deployment of regami-cluster/regami-service' });
  });

  it('a restart recorded for an earlier ALARM or by another incident is not this ALARM\'s', () => {
    const signals = memoryLeakAfterRestart(ALARM_AT + 30_000);
    const earlier: ActionRecord[] = [{ scope: SCOPE, action: RESTART_ACTION, at: ALARM_AT - 60_000, incidentKey: KEY }];
    expect(restartOf(decide(alarm(), { loaded: undefined, signals, restartsSinceAlarm: earlier })).alreadyMade).toBeUndefined();
    const another: ActionRecord[] = [{ scope: SCOPE, action: RESTART_ACTION, at: ALARM_AT + 30_000, incidentKey: 'investigate-5xx-other-alarm' }];
    expect(restartOf(decide(alarm(), { loaded: undefined, signals, restartsSinceAlarm: another })).alreadyMade).toBeUndefined();
  });

  it('a restart that failed or never ran made no deployment: not claimed as made, whatever deployment is PRIMARY', () => {
    const restartAt = ALARM_AT + 30_000;
    for (const outcome of ['failed', 'not-run'] as const) {
      const restarts: ActionRecord[] = [{ scope: SCOPE, action: RESTART_ACTION, at: restartAt, incidentKey: KEY, outcome }];
      expect(restartOf(decide(alarm(), { loaded: undefined, signals: memoryLeakAfterRestart(restartAt), restartsSinceAlarm: restarts })).alreadyMade).toBeUndefined();
    }
  });

  it("a deployment someone made minutes after the restart's record is not the restart's: never marked as our own change", () => {
    const restartAt = ALARM_AT + 30_000;
    const restarts: ActionRecord[] = [{ scope: SCOPE, action: RESTART_ACTION, at: restartAt, incidentKey: KEY }];
    // The human's deployment, created 2 minutes after the restart was recorded.
    const signals = memoryLeakAfterRestart(restartAt + 120_000);
    expect(restartOf(decide(alarm(), { loaded: undefined, signals, restartsSinceAlarm: restarts })).alreadyMade).toBeUndefined();
  });

  it('a restart recorded for this ALARM but no deployment created since the ALARM: not claimed as made (the Actuator judges a new one)', () => {
    const restarts: ActionRecord[] = [{ scope: SCOPE, action: RESTART_ACTION, at: ALARM_AT + 30_000, incidentKey: KEY }];
    expect(restartOf(decide(alarm(), { loaded: undefined, signals: fixture('memory-leak'), restartsSinceAlarm: restarts })).alreadyMade).toBeUndefined();
  });

  it('memory leak on a CODE_DEPLOY service: a P2 page refusing the restart (CodeDeployControlledService), no act', () => {
    const signals = fixture('memory-leak');
    signals.service = { ...signals.service!, deploymentController: 'CODE_DEPLOY' };
    const plan = expectPage(decide(alarm(), { loaded: undefined, signals, restartsSinceAlarm: [] }));
    expect(plan).not.toHaveProperty('act');
    expect(plan.page.severity).toBe('P2');
    expect(plan.page.title).toMatch(/restart refused \(CodeDeployControlledService\)/);
    expect(plan.page.title).not.toMatch(/tasks restarted/);
    expect(plan.page.done).toEqual([]);
    expect(plan.page.refused).toEqual([expect.objectContaining({ guardrail: 'CodeDeployControlledService' })]);
    expect(plan.page.refused[0]?.reason).toMatch(/aws deploy create-deployment --application-name regami-codedeploy --deployment-group-name regami-deployment-group/);
  });

  it('traffic spike (CPU saturated): act hand-off Scale Requested to runbook 3, no restart history read', () => {
    const signals = fixture('cpu-saturation');
    expect(restartHistoryNeeded(signals)).toBe(false);
    const plan = expectAct(decide(alarm(), { loaded: undefined, signals }));
    expect(plan.act.kind).toBe('hand-off');
    if (plan.act.kind !== 'hand-off') return;
    expect(plan.act.response.kind).toBe('hand-off-scale');
    expect(plan.act.response.detailType).toBe('Scale Requested');
    expect(plan.act.response.detail).toMatchObject({ cluster: 'regami-cluster', service: 'regami-service', incidentKey: KEY });
    expect(plan.act.reason).toMatch(/^cpu-saturation: /);
  });

  it('errors that began after a deployment: act hand-off Rollback Requested to runbook 2', () => {
    const plan = expectAct(decide(alarm(), { loaded: undefined, signals: fixture('after-deploy') }));
    expect(plan.act.kind === 'hand-off' && plan.act.response.kind).toBe('hand-off-rollback');
    expect(plan.act.kind === 'hand-off' && plan.act.response.detailType).toBe('Rollback Requested');
  });

  it('pool exhaustion: a P2 page refusing to scale, no act', () => {
    const plan = expectPage(decide(alarm(), { loaded: undefined, signals: fixture('pool-exhaustion') }));
    expect(plan.page.severity).toBe('P2');
    expect(plan.page.refused).toEqual([expect.objectContaining({ action: 'scale out', guardrail: NO_SCALE_GUARDRAIL })]);
    expect(plan.reason).toMatch(/^connection-pool-exhausted: /);
  });
});

describe('investigationPlan: which record an ALARM writes', () => {
  const alarm = () => alarmEvent('ALARM', ALARM_AT);
  const signals = () => fixture('unknown');

  it('a closed (resolved) record: a new episode, detected now', () => {
    const loaded = incident({ detectedAt: ALARM_AT - 3 * 3600_000, status: 'resolved', resolvedAt: ALARM_AT - 2 * 3600_000, startedAt: ALARM_AT - 3 * 3600_000 });
    const plan = expectPage(decide(alarm(), { loaded, signals: signals() }));
    expect(plan.record).toMatchObject({ kind: 'new-episode', init: { key: KEY, detectedAt: READ_AT } });
    expect(plan.patch?.startedAt).toBe(READ_AT);
  });

  it('an ignored record is closed too', () => {
    const loaded = incident({ detectedAt: ALARM_AT - 3600_000, status: 'ignored' });
    expect(expectPage(decide(alarm(), { loaded, signals: signals() })).record.kind).toBe('new-episode');
  });

  it('an open record older than maxIncidentSeconds: a new episode', () => {
    const loaded = incident({ detectedAt: READ_AT - 25 * 3600_000, status: 'open' });
    expect(expectPage(decide(alarm(), { loaded, signals: signals() })).record.kind).toBe('new-episode');
  });

  it('an open (or escalated) recent record is continued, keeping its start time', () => {
    const startedAt = ALARM_AT - 30 * 60_000;
    for (const status of ['open', 'escalated'] as const) {
      const loaded = incident({ detectedAt: startedAt, startedAt, status });
      const plan = expectPage(decide(alarm(), { loaded, signals: signals() }));
      expect(plan.record.kind).toBe('continue');
      expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
      expect(plan.patch?.startedAt).toBe(startedAt);
    }
  });
});

describe('restartOutcomePage and handOffFailedPage', () => {
  const signals = fixture('memory-leak');
  const response = respond({ classification: classify(signals), signals, config, incidentKey: KEY, now: READ_AT });
  if (response.kind !== 'restart') throw new Error(`the memory-leak fixture answers ${response.kind}, not a restart`);
  const restart: Extract<InvestigationResponse, { kind: 'restart' }> = response;

  it('dry-run: the page never says the tasks were restarted', () => {
    const page = restartOutcomePage(restart, { status: 'dry-run' }, 'regami-service');
    expect(page.title).not.toMatch(/tasks restarted/);
    expect(page.title).toMatch(/would restart the tasks; nothing was changed/);
    expect(page.done).toEqual([`nothing was changed; would have: ${restart.summary}`]);
    for (const line of [page.title, ...page.done]) expect(line).not.toMatch(/forced a new deployment|\brestarted\b/);
    expect(page).not.toHaveProperty('at');
  });

  it('executed: the page names the new deployment', () => {
    const page = restartOutcomePage(restart, { status: 'executed', result: { deploymentId: 'ecs-svc/3333333333333333333', taskDefinition: 'regami-api:41' } }, 'regami-service');
    expect(page.severity).toBe('P3');
    expect(page.done).toEqual([expect.stringMatching(/^forced a new deployment ecs-svc\/3333333333333333333 \(regami-api:41\)/)]);
    expect(page.nextStep).toMatch(/from 512 to 1024 MB/);
  });

  it('refused: a P2 naming the guardrail, nothing claimed done', () => {
    const page = restartOutcomePage(restart, { status: 'refused', guardrail: 'Cooldown', reason: 'CooldownActive: last restart 10 min ago' }, 'regami-service');
    expect(page.severity).toBe('P2');
    expect(page.title).toBe('5XX on regami-service: memory leak, restart refused (Cooldown)');
    expect(page.done).toEqual([]);
    expect(page.refused).toEqual([{ action: restart.summary, guardrail: 'Cooldown', reason: 'CooldownActive: last restart 10 min ago' }]);
  });

  it('a hand-off that could not be sent: P2, nothing done, the failure as the refusal', () => {
    const s = fixture('cpu-saturation');
    const handOff = respond({ classification: classify(s), signals: s, config, incidentKey: KEY, now: READ_AT });
    if (handOff.kind !== 'hand-off-scale') throw new Error(handOff.kind);
    const page = handOffFailedPage(handOff, 'ThrottlingException: Rate exceeded');
    expect(page.severity).toBe('P2');
    expect(page.title).toBe(`${handOff.page.title} - but the hand-off failed`);
    expect(page.done).toEqual([]);
    expect(page.refused).toEqual([{ action: 'emit Scale Requested', guardrail: 'HandOffFailed', reason: 'ThrottlingException: Rate exceeded' }]);
  });
});
