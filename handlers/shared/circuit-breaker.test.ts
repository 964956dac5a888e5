/**
 * The automation circuit breaker through the real runtime (createRuntime) on dynalite and
 * the simulated region's SNS: once the global count of automatic actions reaches the
 * limit, every runbook's Actuator refuses without mutating, and P1 is paged once per
 * window, whichever runbook asked.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from '../../test/simulated-region';
import type { ActuatorRequest } from '../../adapters/runtime/actuator';
import { defaultConfig, type AutopilotConfig } from '../../domain/config';
import type { TimelineEntry } from '../../domain/incident';
import type { Recorder } from '../../domain/ports';
import { freshStateTable } from '../../test/support/state-table';
import { createRuntime } from '../../adapters/runtime/create-runtime';
import type { Runtime } from '../../adapters/runtime/runtime-types';

const WINDOW = 600;
const config: AutopilotConfig = { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, circuitBreaker: { maxActions: 2, windowSeconds: WINDOW, maxMutations: 2500 } } };

class Timeline implements Recorder {
  readonly entries: Omit<TimelineEntry, 'at'>[] = [];
  record(entry: Omit<TimelineEntry, 'at'> & { at?: number }): void {
    this.entries.push(entry);
  }
}

interface Harness {
  rt: Runtime;
  world: SimWorld;
  clock: SimClock;
  p1(): { subject?: string; message: string }[];
}

async function harness(): Promise<Harness> {
  const spec = baselineWorld();
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const { endpoint, tableName } = await freshStateTable('circuit');
  const rt = createRuntime({ config, clock, tableName, dynamoEndpoint: endpoint, clientSetup: simClientSetup(world), logger: new Logger({ serviceName: 'circuit-test', logLevel: 'SILENT' }) });
  return { rt, world, clock, p1: () => world.snsOutbox.filter((m) => m.topicArn === config.paging.topics.P1).map((m) => ({ subject: m.subject, message: m.message })) };
}

function request(incidentKey: string, scope: string, mutate: jest.Mock, recorder: Recorder = new Timeline()): ActuatorRequest<string> {
  return { proposed: { action: 'act', scope, summary: `act on ${scope}`, incidentKey }, policy: {}, recorder, mutate };
}

describe('automation circuit breaker (runtime, dynalite, simulated SNS)', () => {
  it('refuses every runbook once the window holds maxActions, and pages P1 once per window', async () => {
    const h = await harness();
    const mutate = jest.fn(async () => 'done');
    // Two actions by two runbooks fill the window.
    expect((await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:a', mutate))).status).toBe('executed');
    expect((await h.rt.actuator.execute(request('restore-from-backup-s3-x', 's3:b', mutate))).status).toBe('executed');
    expect(h.p1()).toHaveLength(0);

    // The third, from a third runbook: refused, nothing mutated, P1 paged naming it.
    const timeline = new Timeline();
    const third = await h.rt.actuator.execute(request('rollback-deployment-regami-service-d-1', 'service:c', mutate, timeline));
    expect(third.status).toBe('refused');
    expect(third.status === 'refused' && third.refusal.guardrail).toBe('CircuitBreaker');
    expect(mutate).toHaveBeenCalledTimes(2);
    expect(h.p1()).toHaveLength(1);
    expect(h.p1()[0]?.subject).toContain(`Automation circuit breaker open: 2 automatic actions in ${WINDOW} s`);
    expect(h.p1()[0]?.message).toContain('rollback-deployment');
    expect(timeline.entries.some((e) => e.kind === 'guardrail' && e.summary.startsWith('CircuitBreaker: REFUSE'))).toBe(true);

    // More refusals in the same window, from any runbook: still one P1.
    await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:a', mutate));
    await h.rt.actuator.execute(request('database-failover-regami-db-primary', 'db:primary', mutate));
    expect(mutate).toHaveBeenCalledTimes(2);
    expect(h.p1()).toHaveLength(1);

    // The next window: the actions have aged out, acting resumes.
    h.clock.advanceBy(WINDOW * 1000 + 1000);
    expect((await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:a', mutate))).status).toBe('executed');
  });

  it('a refusal by another guardrail (kill switch) pages no circuit-breaker P1', async () => {
    const h = await harness();
    await h.rt.store.setControls({ killSwitch: true, setBy: 'test' }, h.clock.now());
    const mutate = jest.fn(async () => 'done');
    const out = await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:a', mutate));
    expect(out.status === 'refused' && out.refusal.guardrail).toBe('KillSwitch');
    expect(h.p1()).toHaveLength(0);
  });

  it('a failed P1 publish is recorded on the timeline and the refusal still reaches the runbook', async () => {
    const h = await harness();
    h.world.addFault({ kind: 'server-error', service: 'SNS', operation: 'Publish' });
    const mutate = jest.fn(async () => 'done');
    await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:a', mutate));
    // (One incident's same action at the same millisecond is one record: a retried step does not count twice.)
    h.clock.advanceBy(1000);
    await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:b', mutate));
    const timeline = new Timeline();
    const out = await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:c', mutate, timeline));
    expect(out.status).toBe('refused');
    expect(timeline.entries.some((e) => e.kind === 'error' && e.summary.includes('circuit breaker P1 page failed'))).toBe(true);
  });
});
