/**
 * Runbook 2, "Rollback Deployment": the intake's decision (rollbackIntakePlan), pure. The loop
 * guard (never a rollback of the autopilot's own deployment), the first trigger of a bad
 * deployment, and a second trigger for the same deployment (the ECS failure and the 5XX
 * hand-off) joining one execution named after the deployment's incident.
 */
import { defaultConfig } from '../config';
import { openIncident, type IncidentRecord } from '../incident';
import type { IntakePlan } from '../intake-plan';
import { parseEvent, type AutopilotEvent } from '../../events';
import { loadSample, sampleTime } from '../../events/samples/load';
import type { RollbackInput, RollbackTrigger } from './decide';
import { rollbackIncidentKey, rollbackIntake } from './intake';
import { rollbackIntakePlan, type RollbackAdmitted } from './intake-plan';

const config = defaultConfig;
/** The deployment the sample ECS failure names. */
const DEPLOYMENT = 'ecs-svc/4503599627370496123';

function parsed(name: string): AutopilotEvent {
  const r = parseEvent(loadSample(name), { config, now: sampleTime(name) + 5000 });
  if (!r.ok) throw new Error(`sample ${name} did not parse: ${r.rejection.message}`);
  return r.event;
}

function admitted(event: AutopilotEvent): RollbackAdmitted {
  const i = rollbackIntake(event, config);
  if (i.kind !== 'trigger') throw new Error(`not a trigger: ${i.reason}`);
  return { trigger: i.trigger, summary: i.summary };
}

/** The facts the intake reads for a hand-off: the PRIMARY deployment now. */
function withDeployment(trigger: RollbackTrigger, deploymentId: string): RollbackTrigger {
  return trigger.kind === 'rollback-requested' ? { ...trigger, deploymentId } : trigger;
}

function expectStart(plan: IntakePlan): Extract<IntakePlan, { kind: 'start' }> {
  expect(plan.kind).toBe('start');
  if (plan.kind !== 'start') throw new Error(`expected a start, got ${plan.kind}`);
  return plan;
}

describe('rollbackIntakePlan: loop guard', () => {
  it("the autopilot's own deployment failing starts no rollback (no rollback of a rollback)", () => {
    const event = parsed('ecs-deployment-failed');
    const a = admitted(event);
    const plan = rollbackIntakePlan(a, { trigger: a.trigger, ownChange: true, loaded: undefined }, { event, config, now: event.time + 5000 });
    expect(plan.kind).toBe('ignore');
    expect(plan.kind === 'ignore' && plan.reason).toMatch(/loop guard/);
    expect(plan.kind === 'ignore' && plan.reason).toContain(DEPLOYMENT);
  });

  it('also for a CodeDeploy failure of our own blue/green redeploy', () => {
    const event = parsed('codedeploy-failure');
    const a = admitted(event);
    expect(rollbackIntakePlan(a, { trigger: a.trigger, ownChange: true, loaded: undefined }, { event, config, now: event.time + 5000 }).kind).toBe('ignore');
  });
});

describe('rollbackIntakePlan: one execution per bad deployment', () => {
  it('the first trigger starts the workflow, not joining, named after the deployment incident', () => {
    const event = parsed('ecs-deployment-failed');
    const a = admitted(event);
    const now = event.time + 5000;
    const key = rollbackIncidentKey(config, DEPLOYMENT);
    const plan = expectStart(rollbackIntakePlan(a, { trigger: a.trigger, ownChange: false, loaded: undefined }, { event, config, now }));
    expect(plan.joining).toBe(false);
    expect(plan.record).toEqual({ kind: 'continue', loaded: undefined, init: expect.objectContaining({ key, runbook: 'rollback-deployment', severity: 'P1', detectedAt: now }) });
    expect(plan.workflow.executionName).toBe(key);
    const input = plan.workflow.input as RollbackInput;
    expect(input).toEqual({ incidentKey: key, eventId: event.id, detectedAt: now, trigger: { kind: 'ecs-deployment-failed', deploymentId: DEPLOYMENT, reason: 'ECS deployment circuit breaker: task failed to start.' } });
    expect(plan.entries.map((e) => e.kind)).toEqual(['event', 'note']);
    expect(plan.entries[1]?.summary).toMatch(/^starting rollback workflow/);
  });

  it('the 5XX hand-off for the same deployment (its record loaded) joins the same execution', () => {
    // First the ECS failure started the workflow ...
    const failure = parsed('ecs-deployment-failed');
    const key = rollbackIncidentKey(config, DEPLOYMENT);
    const first = expectStart(rollbackIntakePlan(admitted(failure), { trigger: admitted(failure).trigger, ownChange: false, loaded: undefined }, { event: failure, config, now: failure.time }));
    const loaded: IncidentRecord = { ...openIncident(first.record.init), timeline: [{ at: failure.time, kind: 'event', summary: 'SERVICE_DEPLOYMENT_FAILED' }] };
    // ... then investigate-5xx asked for a rollback of the PRIMARY deployment, the same one.
    const handOff = parsed('autopilot-rollback-requested');
    const a = admitted(handOff);
    const plan = expectStart(rollbackIntakePlan(a, { trigger: withDeployment(a.trigger, DEPLOYMENT), ownChange: false, loaded }, { event: handOff, config, now: handOff.time + 5000 }));
    expect(plan.joining).toBe(true);
    expect(plan.record.kind).toBe('continue');
    expect(plan.record.kind === 'continue' && plan.record.loaded).toBe(loaded);
    expect(plan.record.init.key).toBe(key);
    expect(plan.workflow.executionName).toBe(key);
    expect(plan.workflow.executionName).toBe(first.workflow.executionName);
    expect(plan.entries[1]?.summary).toMatch(/^joining the rollback workflow/);
  });

  it('the next bad deployment is a new incident and a new execution', () => {
    const event = parsed('ecs-deployment-failed');
    const a = admitted(event);
    const other: RollbackTrigger = { kind: 'ecs-deployment-failed', deploymentId: 'ecs-svc/4503599627370496999', reason: 'tasks failed' };
    const plan = expectStart(rollbackIntakePlan(a, { trigger: other, ownChange: false, loaded: undefined }, { event, config, now: event.time }));
    expect(plan.workflow.executionName).toBe(rollbackIncidentKey(config, 'ecs-svc/4503599627370496999'));
    expect(plan.workflow.executionName).not.toBe(rollbackIncidentKey(config, DEPLOYMENT));
  });

  it('a hand-off whose deployment could not be named (no PRIMARY read) starts under the unknown-deployment key (the workflow judges the revision)', () => {
    const event = parsed('autopilot-rollback-requested');
    const a = admitted(event);
    const plan = expectStart(rollbackIntakePlan(a, { trigger: a.trigger, ownChange: false, loaded: undefined }, { event, config, now: event.time }));
    expect(plan.joining).toBe(false);
    expect(plan.workflow.executionName).toBe(rollbackIncidentKey(config, undefined));
    expect((plan.workflow.input as RollbackInput).trigger).toMatchObject({ kind: 'rollback-requested', requestedBy: 'investigate-5xx' });
  });
});

describe('rollbackIntakePlan: a refused episode reopens on new evidence', () => {
  const key = rollbackIncidentKey(config, DEPLOYMENT);
  const handOff = parsed('autopilot-rollback-requested');
  const refusedBy = (guardrail: 'LiveStateAgrees' | 'ResourceLock' | 'RevisionNotRollbackSafe' | 'Cooldown', actions: string[] = []): IncidentRecord => ({
    ...openIncident({ key, runbook: 'rollback-deployment', title: 't', severity: 'P1', detectedAt: handOff.time - 90_000 }),
    status: 'escalated',
    actionsTaken: actions,
    refusals: [`rollback: ${guardrail} refused`],
    timeline: [{ at: handOff.time - 90_000, kind: 'guardrail', summary: 'refused', verdict: { guardrail, pass: false, reason: 'refused' } }],
  });
  const plan = (loaded: IncidentRecord) => {
    const a = admitted(handOff);
    return expectStart(rollbackIntakePlan(a, { trigger: withDeployment(a.trigger, DEPLOYMENT), ownChange: false, loaded }, { event: handOff, config, now: handOff.time + 5000 }));
  };

  it('an early claim refused because live state did not agree yet: the conclusive hand-off starts a new episode under its own execution name', () => {
    const p = plan(refusedBy('LiveStateAgrees'));
    expect(p.joining).toBe(false);
    expect(p.record).toEqual({ kind: 'new-episode', init: expect.objectContaining({ key, detectedAt: handOff.time + 5000, executionName: p.workflow.executionName }) });
    expect(p.workflow.executionName).not.toBe(key);
    expect(p.workflow.executionName.length).toBeLessThanOrEqual(64);
    expect(p.entries[1]?.summary).toMatch(/new evidence/);
    // A later trigger of the reopened episode joins it by the stored name.
    const reopened: IncidentRecord = { ...openIncident(p.record.init) };
    expect(plan(reopened)).toMatchObject({ joining: true, workflow: { executionName: p.workflow.executionName } });
  });

  it('a refusal that stands for the deployment (not rollback-safe, a window) or an episode that changed something is joined, not reopened', () => {
    for (const loaded of [refusedBy('RevisionNotRollbackSafe'), refusedBy('Cooldown'), refusedBy('LiveStateAgrees', ['roll back']), { ...refusedBy('LiveStateAgrees'), status: 'open' as const }]) {
      const p = plan(loaded);
      expect({ joining: p.joining, record: p.record.kind, name: p.workflow.executionName }).toEqual({ joining: true, record: 'continue', name: key });
    }
  });
});
