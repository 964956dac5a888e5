/**
 * The scaling workflow over in-memory ports: the real guardrails (`authorize`) decide, a
 * fake clock moves with every durable wait, and a small service model answers reads.
 */
import { arbitrate, type ResourceClaim } from '../arbiter';
import { defaultConfig } from '../config';
import { authorize, type ActionRecord, type Controls } from '../guardrails';
import type { IncidentStatus, TimelineEntry } from '../incident';
import type { Page } from '../paging';
import type { Act, Workflow } from '../ports';
import type { ServiceCapacity } from './capacity';
import type { AlarmReading, ScaleChange } from './decide';
import { runScaleEcs, type ScaleEcsInput, type ScalingOperations } from './workflow';

const T0 = Date.parse('2026-01-15T03:00:00Z');
const policy = defaultConfig.guardrails.scaling;
const ref = { region: 'us-east-1', cluster: 'regami-cluster', service: 'regami-service' };
/** Scaling's own cooldown/budget scope; the service itself is the lock resource every runbook shares. */
const scope = 'scale:service:regami-cluster/regami-service';
const serviceLock = 'service:regami-cluster/regami-service';

class Harness {
  now = T0;
  desired: number;
  autoScaling?: { minCapacity: number; maxCapacity: number };
  /** Alarm state as a function of simulated time. */
  alarmAt: (now: number) => AlarmReading;
  actions: ActionRecord[] = [];
  controls: Controls = { killSwitch: false, dryRun: false };
  pages: Page[] = [];
  timeline: TimelineEntry[] = [];
  applied: { at: number; change: ScaleChange }[] = [];
  status: IncidentStatus = 'open';
  statusHistory: IncidentStatus[] = [];
  /** ALB healthy targets; default: every task healthy. */
  healthyTargets?: number;
  refusals: string[] = [];

  constructor(opts: { desired: number; autoScaling?: { minCapacity: number; maxCapacity: number }; alarmAt: (now: number) => AlarmReading }) {
    this.desired = opts.desired;
    this.autoScaling = opts.autoScaling;
    this.alarmAt = opts.alarmAt;
  }

  capacity(): ServiceCapacity {
    return {
      ...ref,
      desired: this.desired,
      running: this.desired,
      pending: 0,
      ...(this.autoScaling ? { autoScaling: { resourceId: 'service/regami-cluster/regami-service', ...this.autoScaling } } : {}),
    };
  }

  ops: ScalingOperations = {
    readCapacity: async () => this.capacity(),
    readAlarms: async () => this.alarmAt(this.now),
    readHealthyTargets: async () => this.healthyTargets ?? this.desired,
    applyScale: async (change) => {
      this.applied.push({ at: this.now, change });
      if (this.autoScaling && change.autoScalingMin !== undefined) this.autoScaling.minCapacity = change.autoScalingMin;
      this.desired = change.desired;
      return this.capacity();
    },
  };

  /**
   * Steps that crash once after their work and before their checkpoint (as the durable
   * runtime sees a Lambda timeout): the step runs again, as the SDK's retry would.
   */
  crashOnceAfter: (stepName: string) => boolean = () => false;
  crashed: string[] = [];

  /** Step names and lock events, in order. */
  events: string[] = [];
  /** Another runbook holds the service lock at this simulated time (the Actuator refuses ResourceLock). */
  lockedByOther?: (now: number) => string | undefined;
  /** The service's arbiter record at this simulated time: the real `arbitrate` decides, as in the Actuator. */
  arbiterClaims?: (now: number) => ResourceClaim[];

  workflow: Workflow = {
    step: async (name, fn) => {
      const result = await fn();
      this.events.push(`step:${name}`);
      if (this.crashed.includes(name) || !this.crashOnceAfter(name)) return result;
      this.crashed.push(name);
      return fn();
    },
    wait: async (_name, seconds) => {
      this.now += seconds * 1000;
    },
    waitForApproval: async () => ({ outcome: 'EXPIRED' }),
  };

  act: Act = async (request, mutate) => {
    const auth = authorize(
      { action: request.action, scope: request.scope, summary: request.summary, incidentKey: 'k' },
      { controls: this.controls, scopeActions: this.actions, globalActions: this.actions },
      { cooldownSeconds: request.cooldownSeconds, budget: request.budget },
      defaultConfig.guardrails.circuitBreaker,
      this.now,
      request.extraVerdicts,
    );
    if (!auth.allowed && auth.refusal) return { status: 'refused', guardrail: auth.refusal.guardrail, reason: auth.refusal.reason };
    if (auth.dryRun) return { status: 'dry-run' };
    const holder = this.lockedByOther?.(this.now);
    if (holder) return { status: 'refused', guardrail: 'ResourceLock', reason: `LockHeld: ${request.lockResource ?? request.scope} is locked by ${holder}` };
    const claims = this.arbiterClaims?.(this.now);
    if (claims) {
      const { verdict } = arbitrate(claims, { resource: request.lockResource ?? request.scope, activity: 'scaling', runbook: 'scale-ecs', incidentKey: 'k', action: request.action, now: this.now, claimSeconds: 1800 });
      if (!verdict.pass) return { status: 'refused', guardrail: verdict.guardrail, reason: verdict.reason, ...(verdict.code ? { code: verdict.code } : {}) };
    }
    this.events.push(`lock:${request.action}`);
    const result = await mutate();
    this.actions.push({ scope: request.scope, action: request.action, at: this.now, incidentKey: 'k' });
    return { status: 'executed', result };
  };

  run(input: Partial<ScaleEcsInput> = {}) {
    return runScaleEcs(
      {
        workflow: this.workflow,
        recorder: { record: (e) => this.timeline.push({ ...e, at: e.at ?? this.now }) },
        incident: {
          set: (fields) => {
            if (fields.status === undefined) return;
            this.status = fields.status;
            this.statusHistory.push(fields.status);
          },
          setIfUnset: () => undefined,
          addRefusal: (s) => this.refusals.push(s),
          current: () => {
            throw new Error('the scaling workflow does not read the record back');
          },
        },
        ops: this.ops,
        act: this.act,
        releaseLocks: async () => void this.events.push('release'),
        pager: { send: async (p) => void this.pages.push(p) },
        clock: { now: () => this.now },
        policy,
        healthChecks: { attempts: 3, intervalSeconds: 30 },
        maxMonitorRounds: 40,
      },
      {
        incidentKey: 'scale-ecs-regami-service',
        ref,
        trigger: { kind: 'cpu-alarm', alarmName: 'regami-ecs-cpu-high', stateChangedAt: T0, reason: 'CPU 95% > 80%' },
        gateAlarms: ['regami-ecs-cpu-high*'],
        ...input,
      },
    );
  }
}

/** ALARM until `okAt` (seconds from T0), OK after. */
function alarmUntil(okAtSeconds: number) {
  return (now: number): AlarmReading =>
    now < T0 + okAtSeconds * 1000
      ? { name: 'regami-ecs-cpu-high', state: 'ALARM', since: T0 }
      : { name: 'regami-ecs-cpu-high', state: 'OK', since: T0 + okAtSeconds * 1000 };
}

describe('CPU spike: scale out, then back in after stabilisation', () => {
  it('doubles 2 -> 4, waits for 900 s of OK, steps back 4 -> 3 -> 2 a cooldown apart and resolves', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(240) });
    const result = await h.run();
    expect(result).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    expect(h.applied.map((a) => [a.change.direction, a.change.desired])).toEqual([
      ['out', 4],
      ['in', 3],
      ['in', 2],
    ]);
    const [, firstIn, secondIn] = h.applied;
    // Scale-in only once the alarm has been OK for the stabilisation period.
    expect(firstIn!.at - (T0 + 240_000)).toBeGreaterThanOrEqual(policy.stabilisationSeconds * 1000);
    expect(secondIn!.at - firstIn!.at).toBeGreaterThanOrEqual(policy.cooldownSeconds * 1000);
    expect(h.statusHistory).toEqual(['mitigated', 'resolved']);
    expect(h.pages.map((p) => [p.action, p.severity])).toEqual([
      ['trigger', 'P4'],
      ['resolve', 'P4'],
    ]);
    expect(h.pages[0]!.diagnosis.join('\n')).toMatch(/regami-ecs-cpu-high went to ALARM/);
    expect(h.timeline.some((e) => /StabilisationPending/.test(e.summary))).toBe(true);
  });

  it('never scales below the count the service had before the incident', async () => {
    const h = new Harness({ desired: 3, alarmAt: alarmUntil(60) });
    await h.run();
    expect(h.applied.map((a) => a.change.desired)).toEqual([6, 5, 4, 3]);
    expect(h.desired).toBe(3);
  });

  it('through an auto scaling target: pins MinCapacity while scaled out and restores the original on the last step', async () => {
    const h = new Harness({ desired: 2, autoScaling: { minCapacity: 2, maxCapacity: 10 }, alarmAt: alarmUntil(120) });
    await h.run();
    expect(h.applied.map((a) => a.change)).toEqual([
      { direction: 'out', desired: 4, autoScalingMin: 4 },
      { direction: 'in', desired: 3, autoScalingMin: 3 },
      { direction: 'in', desired: 2, autoScalingMin: 2 },
    ]);
    expect(h.autoScaling?.minCapacity).toBe(2);
  });

  it('takes one more bounded step while the alarm stays in ALARM, never two within a cooldown', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(700) });
    await h.run();
    const outs = h.applied.filter((a) => a.change.direction === 'out');
    // 2 -> 4 at once; still ALARM a cooldown later: 4 -> 8 (x2); then 8 -> 10 (capped at the max).
    expect(outs.map((a) => a.change.desired)).toEqual([4, 8, 10]);
    for (let i = 1; i < outs.length; i++) expect(outs[i]!.at - outs[i - 1]!.at).toBeGreaterThanOrEqual(policy.cooldownSeconds * 1000);
    // Six changes in the hour use the budget up: scale-in waits for it instead of giving up.
    expect(h.timeline.some((e) => /deferred: BudgetExhausted/.test(e.summary))).toBe(true);
    expect(h.desired).toBe(2);
  });
});

describe('verify health (runbook 3 step 3)', () => {
  it('tasks running but ALB targets unhealthy: a P2 page, and the incident is not marked mitigated', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    h.healthyTargets = 2;
    await h.run();
    const p2 = h.pages.find((p) => p.severity === 'P2');
    expect(p2?.title).toMatch(/not healthy after scale-out/);
    expect(h.timeline.some((e) => /ALB healthy targets 2\/4/.test(e.summary))).toBe(true);
    expect(h.statusHistory).not.toContain('mitigated');
    expect(h.statusHistory).toContain('resolved');
  });
});

describe('bounds', () => {
  it('caps at the max and pages P2', async () => {
    const h = new Harness({ desired: 8, alarmAt: alarmUntil(60) });
    await h.run();
    expect(h.applied[0]!.change.desired).toBe(10);
    const p2 = h.pages.find((p) => p.severity === 'P2');
    expect(p2?.title).toMatch(/scaled to its max of 10/);
    expect(p2?.diagnosis.join('\n')).toMatch(/CappedAtMax/);
  });

  it('at the max already: no action, a P2 page saying so', async () => {
    const h = new Harness({ desired: 10, alarmAt: alarmUntil(60) });
    const result = await h.run();
    expect(result.outcome).toBe('at-bound');
    expect(h.applied).toHaveLength(0);
    expect(h.pages).toHaveLength(1);
    expect(h.pages[0]).toMatchObject({ severity: 'P2', action: 'trigger' });
    expect(h.pages[0]!.refused[0]).toMatchObject({ guardrail: 'Bounds' });
    expect(h.status).toBe('escalated');
  });
});

describe('refusals page with the reason instead of acting', () => {
  it('budget exhausted: pages P2 with ActionBudget, does not scale', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    for (let i = 1; i <= policy.actionsPerHour; i++) h.actions.push({ scope, action: 'scale-out', at: T0 - (3000 - i * 400) * 1000, incidentKey: 'old' });
    const result = await h.run();
    expect(result.outcome).toBe('refused');
    expect(h.applied).toHaveLength(0);
    expect(h.pages).toHaveLength(1);
    expect(h.pages[0]!.severity).toBe('P2');
    expect(h.pages[0]!.refused[0]).toMatchObject({ guardrail: 'ActionBudget' });
    expect(h.pages[0]!.refused[0]!.reason).toMatch(/BudgetExhausted: 6\/6/);
    expect(h.pages[0]!.nextStep).toMatch(/aws ecs update-service --cluster regami-cluster --service regami-service --desired-count 4/);
  });

  it('cooldown: a change 60 s ago refuses the next one', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    h.actions.push({ scope, action: 'scale-out', at: T0 - 60_000, incidentKey: 'other' });
    await h.run();
    expect(h.applied).toHaveLength(0);
    expect(h.pages[0]!.refused[0]).toMatchObject({ guardrail: 'Cooldown' });
  });

  it('a rollback on the same service 60 s ago does not hold back the scale-out (its own scope), and the scale-out is not counted against it', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    h.actions.push({ scope: serviceLock, action: 'rollback', at: T0 - 60_000, incidentKey: 'rollback-deployment-regami-service-d1' });
    const result = await h.run();
    expect(result.outcome).toBe('scaled-and-restored');
    expect(h.applied[0]!.change).toMatchObject({ direction: 'out', desired: 4 });
    expect(h.actions.filter((a) => a.action.startsWith('scale-')).every((a) => a.scope === scope)).toBe(true);
  });

  it('kill switch: no action, page names who set it', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    h.controls = { killSwitch: true, dryRun: false, setBy: 'alice', reason: 'game day' };
    await h.run();
    expect(h.applied).toHaveLength(0);
    expect(h.pages[0]!.refused[0]!.reason).toMatch(/kill switch is ON \(set by alice: game day\)/);
  });

  it('a refused scale-in leaves capacity up and pages P3 with the commands to finish by hand', async () => {
    const h = new Harness({ desired: 2, autoScaling: { minCapacity: 2, maxCapacity: 10 }, alarmAt: alarmUntil(60) });
    const wait = h.workflow.wait;
    h.workflow.wait = async (name, seconds) => {
      await wait(name, seconds);
      // The operator flips the kill switch once the service is scaled out.
      if (h.desired === 4) h.controls = { killSwitch: true, dryRun: false, setBy: 'bob' };
    };
    const result = await h.run();
    expect(result).toEqual({ outcome: 'scale-in-refused', finalDesired: 4 });
    const p3 = h.pages.find((p) => p.severity === 'P3');
    expect(p3?.nextStep).toMatch(/register-scalable-target .* --min-capacity 2/);
    expect(p3?.nextStep).toMatch(/--desired-count 2/);
    expect(h.status).toBe('escalated');
  });

  it('dry-run: decides and pages, mutates nothing', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    h.controls = { killSwitch: false, dryRun: true };
    await h.run();
    expect(h.applied).toHaveLength(0);
    expect(h.pages[0]!.done[0]).toMatch(/DRY-RUN: would have scaled 2 -> 4/);
  });
});

describe('flapping and late alarms', () => {
  it('a flapping alarm (ALARM/OK/ALARM every minute for 20 min) gets one scale-out, and scale-in waits until it is steady', async () => {
    const flapUntil = T0 + 1200_000;
    const h = new Harness({
      desired: 2,
      alarmAt: (now) => {
        if (now >= flapUntil) return { name: 'regami-ecs-cpu-high', state: 'OK', since: flapUntil };
        const minute = Math.floor((now - T0) / 60_000);
        return { name: 'regami-ecs-cpu-high', state: minute % 2 === 0 ? 'ALARM' : 'OK', since: T0 + minute * 60_000 };
      },
    });
    await h.run();
    expect(h.applied.filter((a) => a.change.direction === 'out').map((a) => a.change.desired)).toEqual([4]);
    const firstIn = h.applied.find((a) => a.change.direction === 'in');
    expect(firstIn!.at).toBeGreaterThanOrEqual(flapUntil + policy.stabilisationSeconds * 1000);
    expect(h.desired).toBe(2);
  });

  it('an ALARM delivered late, when the alarm is OK again, changes nothing and closes the episode as ignored', async () => {
    const h = new Harness({ desired: 2, alarmAt: () => ({ name: 'regami-ecs-cpu-high', state: 'OK', since: T0 - 60_000 }) });
    const result = await h.run({ trigger: { kind: 'cpu-alarm', alarmName: 'regami-ecs-cpu-high', stateChangedAt: T0 - 120_000, reason: 'CPU 95% > 80%' } });
    expect(result).toEqual({ outcome: 'no-change', finalDesired: 2 });
    expect(h.applied).toHaveLength(0);
    expect(h.pages).toHaveLength(0);
    expect(h.status).toBe('ignored');
    expect(h.timeline.some((e) => /AlarmRecovered/.test(e.summary))).toBe(true);
  });

  it('INSUFFICIENT_DATA is not a recovery: the ALARM event is acted on', async () => {
    const h = new Harness({ desired: 2, alarmAt: (now) => (now < T0 + 600_000 ? { name: 'regami-ecs-cpu-high', state: 'INSUFFICIENT_DATA', since: T0 } : { name: 'regami-ecs-cpu-high', state: 'OK', since: T0 + 600_000 }) });
    await h.run();
    expect(h.applied[0]!.change).toMatchObject({ direction: 'out', desired: 4 });
  });

  it('a scale request from investigate-5xx is acted on without a CPU alarm in ALARM', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(0) });
    const result = await h.run({ trigger: { kind: 'scale-requested', requestedBy: 'investigate-5xx-regami-alb-5xx-high', reason: '5XX with CPU saturated', evidence: ['CPU 96%'] } });
    expect(h.applied[0]!.change).toMatchObject({ direction: 'out', desired: 4 });
    expect(result.outcome).toBe('scaled-and-restored');
  });
});

describe('a crash after a scaling change, before its checkpoint (the step runs again)', () => {
  it('after the scale-out: the re-run finds 4 tasks and MinCapacity 4, records "already done", and the episode scales back in', async () => {
    const h = new Harness({ desired: 2, autoScaling: { minCapacity: 2, maxCapacity: 10 }, alarmAt: alarmUntil(240) });
    h.crashOnceAfter = (name) => name === 'scale-up';
    const result = await h.run();
    expect(h.crashed).toEqual(['scale-up']);
    expect(result).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    // One scale-out, not refused by the cooldown its own first run started.
    expect(h.applied.map((a) => a.change)).toEqual([
      { direction: 'out', desired: 4, autoScalingMin: 4 },
      { direction: 'in', desired: 3, autoScalingMin: 3 },
      { direction: 'in', desired: 2, autoScalingMin: 2 },
    ]);
    expect(h.autoScaling?.minCapacity).toBe(2);
    expect(h.pages.map((p) => [p.action, p.severity])).toEqual([
      ['trigger', 'P4'],
      ['resolve', 'P4'],
    ]);
    expect(h.timeline.some((e) => /^already done: .*desired 4.*min 4/.test(e.summary))).toBe(true);
    expect(h.timeline.some((e) => /CooldownActive/.test(e.summary))).toBe(false);
  });

  it('after a scale-in step: the re-run does not defer on the cooldown, the next step follows one cooldown later', async () => {
    const h = new Harness({ desired: 2, autoScaling: { minCapacity: 2, maxCapacity: 10 }, alarmAt: alarmUntil(240) });
    h.crashOnceAfter = (name) => name.startsWith('scale-down-');
    const result = await h.run();
    expect(result).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    expect(h.applied.map((a) => [a.change.direction, a.change.desired])).toEqual([
      ['out', 4],
      ['in', 3],
      ['in', 2],
    ]);
    expect(h.timeline.some((e) => /deferred/.test(e.summary))).toBe(false);
    expect(h.timeline.filter((e) => /^already done/.test(e.summary))).toHaveLength(2);
  });

  it('a service paused between the decision and the scale-out is not started', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    const step = h.workflow.step;
    h.workflow.step = async (name, fn) => {
      const result = await step(name, fn);
      // The failover pauses the primary region's service right after the decision.
      if (name === 'decide-scale-out') h.desired = 0;
      return result;
    };
    const result = await h.run();
    expect(result.outcome).toBe('refused');
    expect(h.applied).toHaveLength(0);
    expect(h.pages).toHaveLength(1);
    expect(h.pages[0]).toMatchObject({ severity: 'P2', action: 'trigger' });
    expect(h.pages[0]!.refused[0]).toMatchObject({ guardrail: 'ServiceActive' });
    expect(h.pages[0]!.refused[0]!.reason).toMatch(/^ServicePaused/);
  });
});

describe('the service lock (held from a change until it is verified, not through monitoring)', () => {
  it('is given back once the scale-out is verified, before the stabilisation monitoring starts; each scale-in gives it back at once', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(240) });
    await h.run();
    const e = h.events;
    const lockOut = e.indexOf('lock:scale-out');
    const lastVerify = e.map((x, i) => (x.startsWith('step:verify-health-') ? i : -1)).reduce((a, b) => Math.max(a, b));
    const firstRelease = e.indexOf('release');
    expect(lockOut).toBeGreaterThanOrEqual(0);
    expect(firstRelease).toBeGreaterThan(lastVerify);
    expect(e[firstRelease + 1]).toBe('step:release-service-lock');
    expect(firstRelease).toBeLessThan(e.indexOf('step:check-alarm-1'));
    // Every scale-in's lock is released in the step right after it.
    e.forEach((x, i) => {
      if (x === 'lock:scale-in') expect(e.slice(i, i + 4)).toContain('release');
    });
  });

  it('a scale-in refused because another runbook holds the lock (a rollback rolling out) is deferred, not handed to a human', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    const rollbackUntil = T0 + 1500_000;
    h.lockedByOther = (now) => (h.desired === 4 && now < rollbackUntil ? 'rollback-deployment-regami-service-d1' : undefined);
    const result = await h.run();
    expect(result).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    expect(h.timeline.some((e) => /deferred: LockHeld/.test(e.summary))).toBe(true);
    expect(h.applied.find((a) => a.change.direction === 'in')!.at).toBeGreaterThanOrEqual(rollbackUntil);
    expect(h.pages.filter((p) => p.severity === 'P3')).toEqual([]);
  });

  const heldBy = (activity: 'rollback' | 'failover', until: number): ResourceClaim[] => [
    activity === 'rollback'
      ? { resource: serviceLock, activity, runbook: 'rollback-deployment', incidentKey: 'rollback-deployment-regami-service-d1', action: 'rollback', since: T0, until }
      : { resource: serviceLock, activity, runbook: 'database-failover', incidentKey: 'database-failover-regami-db-primary', action: 'pause-primary-service', since: T0, until, freeze: true },
  ];

  it("a scale-in the arbiter refuses with code ResourceBusy (a rollback rolling the service) is deferred until the rollback's claim ends", async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    const rollbackUntil = T0 + 1500_000;
    h.arbiterClaims = () => (h.desired === 4 ? heldBy('rollback', rollbackUntil) : []);
    const result = await h.run();
    expect(result).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    expect(h.timeline.some((e) => /deferred: ResourceBusy/.test(e.summary))).toBe(true);
    expect(h.applied.find((a) => a.change.direction === 'in')!.at).toBeGreaterThanOrEqual(rollbackUntil);
    expect(h.pages.filter((p) => p.severity === 'P3')).toEqual([]);
  });

  it('a scale-in the arbiter refuses with code ResourceFrozen (a failover paused the service) is not deferred: a human gets it', async () => {
    const h = new Harness({ desired: 2, alarmAt: alarmUntil(60) });
    h.arbiterClaims = () => (h.desired === 4 ? heldBy('failover', T0 + 24 * 3600_000) : []);
    const result = await h.run();
    expect(result).toEqual({ outcome: 'scale-in-refused', finalDesired: 4 });
    expect(h.timeline.some((e) => /deferred/.test(e.summary))).toBe(false);
    expect(h.pages.filter((p) => p.severity === 'P3')).toEqual([expect.objectContaining({ refused: [expect.objectContaining({ guardrail: 'Arbiter', reason: expect.stringMatching(/^ResourceFrozen: /) })] })]);
  });
});
