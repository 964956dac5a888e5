/**
 * Reaction overhead: from the moment an intake handler receives an event to the moment
 * the first mutating AWS call leaves our code, with the time spent inside the simulated
 * region subtracted (it stands in for AWS's own latency). Warm: one runtime (clients,
 * middy, logger, handler module) serves every event; each event is a fresh incident.
 *
 * Two paths:
 * - investigate-5xx, memory leak (the scenario drill/scenarios/investigate-5xx-memory-leak):
 *   the whole reaction is in one Lambda: parse, dedupe claim, open the incident, gather
 *   8 signals, classify, respond, Actuator (kill switch, circuit breaker, cooldown, budget,
 *   lock, live re-read) -> ECS.UpdateService (forceNewDeployment).
 * - scale-ecs intake: parse, dedupe claim, live alarm re-read, open the incident, write it,
 *   claim the execution name -> Lambda.Invoke of the durable workflow (the dispatch; the
 *   workflow's own path to RegisterScalableTarget runs in another Lambda and is not
 *   measured here).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { alarmNameMatches, defaultConfig } from '../domain/config';
import { BASELINE_START, baselineWorld, mergeWorld } from '../test/simulated-region/baseline';
import { SimClock } from '../test/simulated-region/clock';
import { SimWorld } from '../test/simulated-region/world';
import type { WorldChange } from '../test/simulated-region/spec';
import { loadScenarioFile, SCENARIOS_DIR, type PreparedScenario } from '../drill/load';
import { stampTime } from '../drill/engine';
import { buildHandler as buildInvestigate } from '../handlers/investigate-5xx';
import { buildHandler as buildScale } from '../handlers/scale-ecs';
import { loadSample } from '../events/samples/load';
import { benchContext, warmRuntime } from './harness';
import { percentile, round } from './stats';

export interface ReactionFigures {
  path: string;
  firstMutation: string;
  events: number;
  warmup: number;
  /** Handler entry -> first mutating call, minus time inside the simulated region. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Of which waiting on the state table (dynalite, in this process), p50. */
  stateTableP50Ms: number;
  /** The same without the state table either: our own code (parsing, decisions, SDK serialisation), p50 / p99. */
  ownCodeP50Ms: number;
  ownCodeP99Ms: number;
  /** Time inside the simulated region before the first mutation (excluded), p50. */
  excludedSimP50Ms: number;
  simCallsBefore: number;
  stateTableCallsBefore: number;
  /** State-table round trips before the first mutation (calls in flight together count once), most of any event. */
  stateTableRoundTripsBefore: number;
  retries: number;
  /** os.loadavg() (1/5/15 min) when this path's measurement ended: the machine is shared. */
  loadAverage: number[];
}

interface Sample {
  reaction: number;
  stateTable: number;
  own: number;
  sim: number;
  simCalls: number;
  dynamoCalls: number;
  dynamoRoundTrips: number;
  retries: number;
}

function summarise(path: string, firstMutation: string, warmup: number, samples: Sample[]): ReactionFigures {
  const pick = (f: (s: Sample) => number) => samples.map(f);
  return {
    path,
    firstMutation,
    events: samples.length,
    warmup,
    p50Ms: round(percentile(pick((s) => s.reaction), 50)),
    p99Ms: round(percentile(pick((s) => s.reaction), 99)),
    maxMs: round(Math.max(...pick((s) => s.reaction))),
    stateTableP50Ms: round(percentile(pick((s) => s.stateTable), 50)),
    ownCodeP50Ms: round(percentile(pick((s) => s.own), 50)),
    ownCodeP99Ms: round(percentile(pick((s) => s.own), 99)),
    excludedSimP50Ms: round(percentile(pick((s) => s.sim), 50)),
    simCallsBefore: Math.max(...pick((s) => s.simCalls)),
    stateTableCallsBefore: Math.max(...pick((s) => s.dynamoCalls)),
    stateTableRoundTripsBefore: Math.max(...pick((s) => s.dynamoRoundTrips)),
    retries: samples.reduce((n, s) => n + s.retries, 0),
    loadAverage: loadavg().map((l) => round(l)),
  };
}

/** The memory-leak world run up to its 5XX ALARM: the world, its clock and the event it emitted. */
function memoryLeakIncident(prepared: PreparedScenario): { world: SimWorld; clock: SimClock; event: Record<string, unknown> } {
  const clock = new SimClock(prepared.startMs);
  const world = SimWorld.create(prepared.world, clock);
  let alarm: Record<string, unknown> | undefined;
  world.onAwsEvent((e) => {
    const d = e.detail as { alarmName?: string; state?: { value?: string } };
    if (!alarm && e['detail-type'] === 'CloudWatch Alarm State Change' && d.state?.value === 'ALARM' && alarmNameMatches(prepared.config.alarms.fiveXx, String(d.alarmName))) {
      alarm = e as unknown as Record<string, unknown>;
    }
  });
  const changes = prepared.plan.filter((p) => p.step.type === 'world');
  let next = 0;
  for (let t = prepared.startMs; !alarm && t <= prepared.startMs + 15 * 60_000; t += 5_000) {
    for (; next < changes.length && changes[next]!.at <= t; next++) {
      const step = changes[next]!;
      clock.advanceTo(step.at);
      if (step.step.type === 'world') world.apply(step.step.change as unknown as WorldChange);
    }
    clock.advanceTo(t);
  }
  if (!alarm) throw new Error('the memory-leak world never raised its 5XX alarm');
  return { world, clock, event: alarm };
}

export async function measureInvestigateReaction(dynamoEndpoint: string, events: number, warmup: number): Promise<ReactionFigures> {
  const prepared = loadScenarioFile(join(SCENARIOS_DIR, 'investigate-5xx-memory-leak.json'));
  const first = memoryLeakIncident(prepared);
  const warm = await warmRuntime({ config: prepared.config, dynamoEndpoint, world: first.world, clock: first.clock });
  const intake = buildInvestigate(() => warm.runtime);
  const samples: Sample[] = [];
  for (let i = 0; i < warmup + events; i++) {
    const incident = i === 0 ? first : memoryLeakIncident(prepared);
    warm.use(incident.world, incident.clock);
    await warm.clearTable();
    const event = { ...structuredClone(incident.event), id: `bench-5xx-${i}` };
    warm.timer.reset();
    const t0 = performance.now();
    const result = await intake(event, benchContext('investigate5xx', i));
    const f = warm.timer.first;
    if (!f || result.status !== 'acted') throw new Error(`investigate-5xx event ${i}: expected a forced redeploy, got ${result.status} (${result.reason ?? ''})`);
    if (i < warmup) continue;
    const elapsed = f.at - t0;
    samples.push({ reaction: elapsed - f.simMs, stateTable: f.dynamoMs, own: elapsed - f.anyMs, sim: f.simMs, simCalls: f.simCallsBefore, dynamoCalls: f.dynamoCallsBefore, dynamoRoundTrips: f.dynamoRoundTripsBefore, retries: warm.timer.retries });
  }
  const unknown = first.world.unknownOperations();
  if (unknown.length > 0) throw new Error(`the simulated region did not implement ${unknown.map((c) => `${c.service}.${c.operation}`).join(', ')}`);
  return summarise('investigate-5xx intake (memory leak)', 'ECS.UpdateService', warmup, samples);
}

export async function measureScaleDispatch(dynamoEndpoint: string, events: number, warmup: number): Promise<ReactionFigures> {
  // The CPU alarm held in ALARM (fixed): every event is a live alarm, whatever the clock.
  const config = defaultConfig;
  const clock = new SimClock(Date.parse(BASELINE_START));
  const alarm = { mode: 'fixed', state: 'ALARM', stateReason: 'Threshold Crossed', namespace: 'AWS/ECS', metricName: 'CPUUtilization', period: 60, evaluationPeriods: 3, threshold: 80, comparison: 'GreaterThanThreshold' };
  const world = SimWorld.create(mergeWorld(baselineWorld(), { regions: { [config.service.region]: { cloudwatch: { alarms: { 'regami-ecs-cpu-high': alarm } } } } } as never), clock);
  let started = 0;
  world.setDurableHost(() => {
    started += 1;
    return 'started';
  });
  const isDispatch = (service: string, operation: string) => service === 'Lambda' && operation === 'Invoke';
  const warm = await warmRuntime({ config, dynamoEndpoint, world, clock, mutating: isDispatch });
  const intake = buildScale(() => warm.runtime);
  const samples: Sample[] = [];
  for (let i = 0; i < warmup + events; i++) {
    await warm.clearTable(); // a fresh incident: no claim, no open episode
    const event = loadSample('alarm-cpu-metric-math');
    event.id = `bench-cpu-${i}`;
    stampTime(event, clock.now());
    warm.timer.reset();
    const t0 = performance.now();
    const result = await intake(event, benchContext('scaleEcs', i));
    const f = warm.timer.first;
    if (!f || result.status !== 'started-workflow') throw new Error(`scale-ecs event ${i}: expected a workflow start, got ${result.status} (${result.reason ?? ''})`);
    if (i < warmup) continue;
    const elapsed = f.at - t0;
    samples.push({ reaction: elapsed - f.simMs, stateTable: f.dynamoMs, own: elapsed - f.anyMs, sim: f.simMs, simCalls: f.simCallsBefore, dynamoCalls: f.dynamoCallsBefore, dynamoRoundTrips: f.dynamoRoundTripsBefore, retries: warm.timer.retries });
  }
  if (started !== warmup + events) throw new Error(`expected ${warmup + events} workflow starts, the simulated Lambda saw ${started}`);
  return summarise('scale-ecs intake -> workflow dispatch', 'Lambda.Invoke (durable start)', warmup, samples);
}
