import { Actuator, type ActuatorRequest } from './actuator';
import { DynamoGuardrailStore } from '../dynamo/guardrail-store';
import { defaultConfig, type AutopilotConfig } from '../../domain/config';
import type { TimelineEntry } from '../../domain/incident';
import type { Clock, Recorder } from '../../domain/ports';
import { freshStateTable } from '../../test/support/state-table';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const SCOPE = 'service:regami-cluster/regami-service';
const INCIDENT = 'scale-ecs-regami-service';

class FixedClock implements Clock {
  constructor(public at: number) {}
  now(): number {
    return this.at;
  }
}

class TimelineCapture implements Recorder {
  readonly entries: Omit<TimelineEntry, 'at'>[] = [];
  record(entry: Omit<TimelineEntry, 'at'> & { at?: number }): void {
    this.entries.push(entry);
  }
  summaries(): string[] {
    return this.entries.map((e) => e.summary);
  }
}

interface Fixture {
  store: DynamoGuardrailStore;
  clock: FixedClock;
  actuator: Actuator;
  timeline: TimelineCapture;
  mutate: jest.Mock<Promise<string>, []>;
  request(overrides?: Partial<ActuatorRequest<string>>): ActuatorRequest<string>;
}

async function fixture(config: AutopilotConfig = defaultConfig): Promise<Fixture> {
  const { client, tableName } = await freshStateTable('actuator');
  const store = new DynamoGuardrailStore(client, tableName);
  const clock = new FixedClock(T0);
  const timeline = new TimelineCapture();
  const mutate = jest.fn(async () => 'scaled');
  return {
    store,
    clock,
    timeline,
    mutate,
    actuator: new Actuator(store, clock, config),
    request: (overrides = {}) => ({
      proposed: { action: 'scale-out', scope: SCOPE, summary: 'scale regami-service 2 -> 4', incidentKey: INCIDENT },
      policy: { cooldownSeconds: 300, budget: { max: 3, windowSeconds: 3600 } },
      recorder: timeline,
      mutate,
      ...overrides,
    }),
  };
}

describe('Actuator.execute on the dynalite state table', () => {
  it('mutates when every guardrail passes, records the action under its scope and global, and releases the lock', async () => {
    const f = await fixture();
    const result = await f.actuator.execute(f.request());

    expect(result.status).toBe('executed');
    expect(result.status === 'executed' && result.result).toBe('scaled');
    expect(f.mutate).toHaveBeenCalledTimes(1);
    expect(await f.store.recentActions(SCOPE, T0)).toEqual([
      { scope: SCOPE, action: 'scale-out', at: T0, incidentKey: INCIDENT, summary: 'scale regami-service 2 -> 4' },
    ]);
    expect(await f.store.recentActions('global', T0)).toHaveLength(1);
    expect(f.timeline.entries.filter((e) => e.kind === 'guardrail').map((e) => e.verdict?.guardrail)).toEqual(['KillSwitch', 'CircuitBreaker', 'Cooldown', 'ActionBudget', 'Arbiter']);
    expect(f.timeline.entries.filter((e) => e.kind === 'guardrail').every((e) => e.verdict?.pass)).toBe(true);
    expect(f.timeline.entries.at(-1)).toMatchObject({ kind: 'action', summary: 'scale regami-service 2 -> 4' });
    expect((await f.store.acquireLock(SCOPE, 'someone-else', T0 + 1, 60)).acquired).toBe(true);
  });

  it('refuses when the kill switch is on, records the verdict and does not mutate', async () => {
    const f = await fixture();
    await f.store.setControls({ killSwitch: true, setBy: 'oncall', reason: 'game day' }, T0 - 1000);
    const result = await f.actuator.execute(f.request());

    expect(result.status).toBe('refused');
    expect(result.status === 'refused' && result.refusal.guardrail).toBe('KillSwitch');
    expect(f.mutate).not.toHaveBeenCalled();
    expect(f.timeline.summaries()).toContain('KillSwitch: REFUSE - kill switch is ON (set by oncall: game day); no automatic action');
    expect(f.timeline.entries.at(-1)).toMatchObject({ kind: 'decision' });
    expect(await f.store.recentActions(SCOPE, 0)).toEqual([]);
  });

  it('refuses inside the cooldown of an earlier action on the same scope', async () => {
    const f = await fixture();
    await f.store.recordAction({ scope: SCOPE, action: 'scale-out', at: T0 - 60_000, incidentKey: 'earlier' });
    const result = await f.actuator.execute(f.request());

    expect(result.status === 'refused' && result.refusal.guardrail).toBe('Cooldown');
    expect(result.status === 'refused' && result.refusal.reason).toMatch(/^CooldownActive: .* 60s ago, cooldown is 300s$/);
    expect(f.mutate).not.toHaveBeenCalled();
    expect(f.timeline.entries.some((e) => e.kind === 'guardrail' && e.verdict?.guardrail === 'Cooldown' && !e.verdict.pass)).toBe(true);
  });

  it('refuses when the action budget of the window is spent', async () => {
    const f = await fixture();
    for (const minutesAgo of [50, 40, 30]) {
      await f.store.recordAction({ scope: SCOPE, action: 'scale-out', at: T0 - minutesAgo * 60_000, incidentKey: `earlier-${minutesAgo}` });
    }
    const result = await f.actuator.execute(f.request());

    expect(result.status === 'refused' && result.refusal.guardrail).toBe('ActionBudget');
    expect(result.status === 'refused' && result.refusal.reason).toMatch(/^BudgetExhausted: 3\/3/);
    expect(f.mutate).not.toHaveBeenCalled();
  });

  it('refuses when the circuit breaker counted too many actions across runbooks', async () => {
    const config: AutopilotConfig = { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, circuitBreaker: { maxActions: 2, windowSeconds: 3600, maxMutations: 2500 } } };
    const f = await fixture(config);
    await f.store.recordAction({ scope: 'db:regami-db-primary', action: 'reboot', at: T0 - 600_000, incidentKey: 'other-1' });
    await f.store.recordAction({ scope: 'deploy:regami', action: 'rollback', at: T0 - 300_000, incidentKey: 'other-2' });
    const result = await f.actuator.execute(f.request());

    expect(result.status === 'refused' && result.refusal.guardrail).toBe('CircuitBreaker');
    expect(f.mutate).not.toHaveBeenCalled();
  });

  it('refuses while another incident holds the resource lock, and records that verdict', async () => {
    const f = await fixture();
    await f.store.acquireLock(SCOPE, 'other-incident', T0 - 1000, 1800);
    const result = await f.actuator.execute(f.request());

    expect(result.status).toBe('refused');
    expect(result.status === 'refused' && result.refusal.guardrail).toBe('ResourceLock');
    expect(result.status === 'refused' && result.refusal.reason).toMatch(/locked by other-incident/);
    expect(f.mutate).not.toHaveBeenCalled();
    expect(f.timeline.entries.at(-1)).toMatchObject({ kind: 'guardrail', verdict: { guardrail: 'ResourceLock', pass: false } });
    expect(await f.store.recentActions(SCOPE, 0)).toEqual([]);
  });

  it('in dry-run (state table switch) records what it would do and does not mutate or count an action', async () => {
    const f = await fixture();
    await f.store.setControls({ dryRun: true }, T0 - 1000);
    const result = await f.actuator.execute(f.request());

    expect(result.status).toBe('dry-run');
    expect(f.mutate).not.toHaveBeenCalled();
    expect(f.timeline.entries.at(-1)).toMatchObject({ kind: 'action', summary: 'DRY-RUN: would scale regami-service 2 -> 4' });
    expect(await f.store.recentActions(SCOPE, 0)).toEqual([]);
  });

  it('in dry-run (configuration) does not mutate either', async () => {
    const f = await fixture({ ...defaultConfig, dryRun: true });
    expect((await f.actuator.execute(f.request())).status).toBe('dry-run');
    expect(f.mutate).not.toHaveBeenCalled();
  });

  it('keeps the lock after the mutation when asked (a workflow holds it for the whole remediation)', async () => {
    const f = await fixture();
    const result = await f.actuator.execute(f.request({ keepLock: true, lockResource: 'db:regami-db-primary' }));

    expect(result.status).toBe('executed');
    const other = await f.store.acquireLock('db:regami-db-primary', 'other-incident', T0 + 1000, 1800);
    expect(other).toMatchObject({ acquired: false, heldBy: { owner: INCIDENT } });
    expect((await f.store.acquireLock('db:regami-db-primary', INCIDENT, T0 + 1000, 1800)).acquired).toBe(true);
  });

  it('releases the lock when the mutation fails; the action stays recorded as failed (the breaker counts it, the cooldown does not hold the retry)', async () => {
    const f = await fixture();
    f.mutate.mockRejectedValueOnce(new Error('ThrottlingException'));
    await expect(f.actuator.execute(f.request())).rejects.toThrow('ThrottlingException');
    expect(await f.store.recentActions(SCOPE, 0)).toEqual([
      { scope: SCOPE, action: 'scale-out', at: T0, incidentKey: INCIDENT, summary: 'scale regami-service 2 -> 4', outcome: 'failed' },
    ]);
    expect(await f.store.recentActions('global', 0)).toHaveLength(1);
    expect((await f.store.acquireLock(SCOPE, 'someone-else', T0 + 1, 60)).acquired).toBe(true);
    await f.store.releaseLock(SCOPE, 'someone-else');
    f.clock.at = T0 + 1000;
    expect((await f.actuator.execute(f.request())).status).toBe('executed');
  });
});

describe('Actuator and the resource arbiter (domain/arbiter.ts), on the dynalite state table', () => {
  const FAILOVER = 'database-failover-regami-db-primary';
  const RESTORE = 'restore-from-backup-regami-db-primary-2026';
  const ROLLBACK = 'rollback-deployment-regami-service-ecs-svc-1';

  it("a failover's pause freezes the service: a later scale-in (another incident) is refused ResourceFrozen and never mutates", async () => {
    const f = await fixture();
    const pause = await f.actuator.execute(f.request({ proposed: { action: 'pause-primary-service', scope: SCOPE, summary: 'scale to 0', incidentKey: FAILOVER } }));
    expect(pause.status).toBe('executed');
    f.clock.at = T0 + 3600_000; // an hour later: the failover is long over, its lock is free
    f.mutate.mockClear();
    const scaleIn = await f.actuator.execute(f.request({ proposed: { action: 'scale-in', scope: SCOPE, summary: 'scale in 0 -> 2', incidentKey: INCIDENT } }));
    expect(scaleIn).toMatchObject({ status: 'refused', refusal: { guardrail: 'Arbiter', code: 'ResourceFrozen' } });
    expect(scaleIn.status === 'refused' && scaleIn.refusal.reason).toMatch(/^ResourceFrozen: .*database-failover/);
    expect(f.mutate).not.toHaveBeenCalled();
  });

  it('a rollback is refused while another incident rolls the service (held claim), and may act once that claim is released', async () => {
    const f = await fixture();
    const first = await f.actuator.execute(f.request({ keepLock: true, owner: 'exec-a', proposed: { action: 'rollback', scope: SCOPE, summary: 'roll back', incidentKey: ROLLBACK } }));
    expect(first.status).toBe('executed');
    await f.store.releaseLock(SCOPE, 'exec-a'); // the lock alone would not stop a scaling step that comes after it expired
    const scale = await f.actuator.execute(f.request());
    expect(scale).toMatchObject({ status: 'refused', refusal: { guardrail: 'Arbiter', code: 'ResourceBusy' } });
    expect(scale.status === 'refused' && scale.refusal.reason).toMatch(/^ResourceBusy: /);
  });

  it('a failover preempts a restore on the database: the restore is paged and every later mutation of it is refused Preempted', async () => {
    const preempted: string[] = [];
    const { client, tableName } = await freshStateTable('arbiter');
    const store = new DynamoGuardrailStore(client, tableName);
    const clock = new FixedClock(T0);
    const actuator = new Actuator(store, clock, defaultConfig, { onPreempted: async (e) => void preempted.push(`${e.preempted.incidentKey} by ${e.by.incidentKey}`) });
    const timeline = new TimelineCapture();
    const req = (action: string, incidentKey: string, keepLock = false): ActuatorRequest<string> => ({
      proposed: { action, scope: 'db:regami-db-primary', summary: action, incidentKey },
      policy: {},
      keepLock,
      recorder: timeline,
      mutate: async () => 'ok',
    });
    expect((await actuator.execute(req('restore-db-instance', RESTORE, true))).status).toBe('executed');
    await store.releaseLock('db:regami-db-primary', RESTORE); // the restore waits for its approval without the lock
    expect((await actuator.execute(req('promote-replica', FAILOVER))).status).toBe('executed');
    expect(preempted).toEqual([`${RESTORE} by ${FAILOVER}`]);
    const later = await actuator.execute({ ...req('switch-application-database', RESTORE), proposed: { action: 'switch-application-database', scope: SCOPE, summary: 'switch', incidentKey: RESTORE } });
    expect(later).toMatchObject({ status: 'refused', refusal: { guardrail: 'Arbiter' } });
    expect(later.status === 'refused' && later.refusal.reason).toMatch(/^Preempted: /);
  });

  it('preview judges a later step without mutating, locking or recording (a workflow asks before its first mutation)', async () => {
    const f = await fixture();
    await f.actuator.execute(f.request({ proposed: { action: 'pause-primary-service', scope: SCOPE, summary: 'scale to 0', incidentKey: FAILOVER } }));
    f.mutate.mockClear();
    const verdicts = await f.actuator.preview({ proposed: { action: 'rollback', scope: SCOPE, summary: 'roll back', incidentKey: ROLLBACK }, policy: {} });
    expect(verdicts.find((v) => v.guardrail === 'Arbiter')).toMatchObject({ pass: false, reason: expect.stringMatching(/^ResourceFrozen/) });
    expect(f.mutate).not.toHaveBeenCalled();
    expect((await f.store.acquireLock(SCOPE, 'someone-else', T0 + 1, 60)).acquired).toBe(true);
    expect(await f.store.readClaims(SCOPE)).toEqual([expect.objectContaining({ incidentKey: FAILOVER })]);
  });

  it("cooldowns are per action kind: a restore's pre-restore snapshot on db:<id> does not start the failover's 24 h interval", async () => {
    const f = await fixture();
    const db = 'db:regami-db-primary';
    expect((await f.actuator.execute(f.request({ proposed: { action: 'create-pre-restore-snapshot', scope: db, summary: 'snapshot', incidentKey: 'restore-from-backup-x' }, policy: {} }))).status).toBe('executed');
    f.clock.at = T0 + 600_000;
    const promote = await f.actuator.execute(f.request({ proposed: { action: 'promote-replica', scope: db, summary: 'promote', incidentKey: 'database-failover-y' }, policy: { cooldownSeconds: 86_400 } }));
    expect(promote.status).toBe('executed');
    f.clock.at = T0 + 1_200_000;
    const again = await f.actuator.execute(f.request({ proposed: { action: 'promote-replica', scope: db, summary: 'promote', incidentKey: 'database-failover-z' }, policy: { cooldownSeconds: 86_400 } }));
    expect(again).toMatchObject({ status: 'refused', refusal: { guardrail: 'Cooldown' } });
  });
});
