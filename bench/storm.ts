/**
 * Alarm storm: 1,000 CloudWatch alarm events for 10 incidents through the real scale-ecs
 * intake, against the simulated region, with the production workflow dispatcher (state
 * table claim + Lambda Invoke with DurableExecutionName; the simulated Lambda joins a repeated
 * execution name, as Lambda does). The scale runbook keys one incident per ECS service, so
 * the 10 incidents are 10 services, each with its own CPU alarm and its own configuration
 * (the autopilot is deployed once per service; the 10 intakes share one process, one state
 * table and one simulated region here).
 *
 * Per service, 100 events: the first ALARM, 39 exact EventBridge duplicates of it (same id,
 * same time), then 30 flaps (OK, then ALARM again with a new state timestamp). The 10
 * services' events are interleaved in simulated time order (~100 simulated seconds).
 * The workflows themselves are not run: what is measured is the intakes' dedupe (executions
 * started must be 10), their AWS calls and their throughput.
 */
import { performance } from 'node:perf_hooks';
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import { baselineWorld, mergeWorld } from '../test/simulated-region/baseline';
import { SimClock } from '../test/simulated-region/clock';
import { SimWorld } from '../test/simulated-region/world';
import { BASELINE_START } from '../test/simulated-region/baseline';
import { buildHandler } from '../handlers/scale-ecs';
import type { IntakeStatus } from '../pipeline/intake';
import { loadSample } from '../events/samples/load';
import { eventTime } from '../drill/engine';
import { benchContext, warmRuntime, type WarmRuntime } from './harness';
import { round } from './stats';

export const STORM_SERVICES = 10;
export const EVENTS_PER_SERVICE = 100;
const DUPLICATES = 39;
const FLAPS = 30;

export interface StormFigures {
  events: number;
  incidents: number;
  executionsStarted: number;
  executionsJoined: number;
  outcomes: Partial<Record<IntakeStatus, number>>;
  /** AWS call attempts per event: all, simulated region only, state table only. */
  awsCallsPerEvent: number;
  regionCallsPerEvent: number;
  stateTableCallsPerEvent: number;
  mutatingCalls: number;
  wallMs: number;
  eventsPerSecond: number;
}

function serviceConfig(i: number): AutopilotConfig {
  const c = structuredClone(defaultConfig);
  c.service.serviceName = `regami-service-${i}`;
  c.alarms.cpu = [`regami-ecs-cpu-high-${i}`];
  return c;
}

function alarmEvent(i: number, state: 'ALARM' | 'OK', at: number, id: string): Record<string, unknown> {
  const e = loadSample('alarm-cpu-metric-math');
  const name = `regami-ecs-cpu-high-${i}`;
  e.id = id;
  e.time = eventTime(at);
  e.resources = [`arn:aws:cloudwatch:us-east-1:${defaultConfig.accountIds[0]}:alarm:${name}`];
  const d = e.detail as { alarmName: string; state: { value: string; timestamp: string; reason: string }; previousState?: { value: string; timestamp: string } };
  d.alarmName = name;
  // The alarm measures service i (alarms are bound by what they measure, not by their name).
  const config = (e.detail as { configuration?: { metrics?: { metricStat?: { metric?: { dimensions?: Record<string, string> } } }[] } }).configuration;
  for (const m of config?.metrics ?? []) if (m.metricStat?.metric?.dimensions) m.metricStat.metric.dimensions.ServiceName = `regami-service-${i}`;
  d.state.value = state;
  d.state.timestamp = new Date(at).toISOString().replace('Z', '+0000');
  d.state.reason = state === 'ALARM' ? 'Threshold Crossed: 3 datapoints were greater than the threshold (80.0)' : 'Threshold Crossed: 3 datapoints were not greater than the threshold (80.0)';
  if (d.previousState) d.previousState.value = state === 'ALARM' ? 'OK' : 'ALARM';
  return e;
}

/** Every service's 100 events with their simulated delivery time, in time order. */
function stormPlan(start: number): { at: number; service: number; event: Record<string, unknown> }[] {
  const plan: { at: number; service: number; event: Record<string, unknown> }[] = [];
  for (let i = 0; i < STORM_SERVICES; i++) {
    const t = (k: number) => start + k * 1000 + i * 37; // services offset by 37 ms, events 1 s apart
    const first = alarmEvent(i, 'ALARM', t(0), `storm-${i}-alarm-0`);
    plan.push({ at: t(0), service: i, event: first });
    // Exact duplicates: EventBridge redelivers the very same event (same id and time).
    for (let k = 1; k <= DUPLICATES; k++) plan.push({ at: t(0) + k, service: i, event: structuredClone(first) });
    for (let f = 1; f <= FLAPS; f++) {
      plan.push({ at: t(2 * f - 1), service: i, event: alarmEvent(i, 'OK', t(2 * f - 1), `storm-${i}-ok-${f}`) });
      plan.push({ at: t(2 * f), service: i, event: alarmEvent(i, 'ALARM', t(2 * f), `storm-${i}-alarm-${f}`) });
    }
  }
  return plan.sort((a, b) => a.at - b.at);
}

export async function measureStorm(dynamoEndpoint: string): Promise<StormFigures> {
  const start = Date.parse(BASELINE_START);
  const clock = new SimClock(start);
  const alarms: Record<string, unknown> = {};
  for (let i = 0; i < STORM_SERVICES; i++) alarms[`regami-ecs-cpu-high-${i}`] = { mode: 'fixed', state: 'ALARM', stateReason: 'Threshold Crossed', namespace: 'AWS/ECS', metricName: 'CPUUtilization', period: 60, evaluationPeriods: 3, threshold: 80, comparison: 'GreaterThanThreshold' };
  const world = SimWorld.create(mergeWorld(baselineWorld(), { regions: { 'us-east-1': { cloudwatch: { alarms } } } } as never), clock);
  const executions = new Map<string, number>();
  world.setDurableHost((_fn, name) => {
    const seen = executions.get(name) ?? 0;
    executions.set(name, seen + 1);
    return seen === 0 ? 'started' : 'joined';
  });
  const tableName = `bench-storm-${process.pid}`;
  const runtimes: WarmRuntime[] = [];
  for (let i = 0; i < STORM_SERVICES; i++) runtimes.push(await warmRuntime({ config: serviceConfig(i), dynamoEndpoint, world, clock, tableName }));
  const intakes = runtimes.map((w) => buildHandler(() => w.runtime));
  const plan = stormPlan(start);
  const outcomes: Partial<Record<IntakeStatus, number>> = {};
  const t0 = performance.now();
  let seq = 0;
  for (const step of plan) {
    clock.advanceTo(step.at);
    const result = await intakes[step.service]!(step.event, benchContext(`scaleEcs-${step.service}`, ++seq));
    outcomes[result.status] = (outcomes[result.status] ?? 0) + 1;
  }
  const wallMs = performance.now() - t0;
  const region = runtimes.reduce((n, w) => n + w.timer.simCalls, 0);
  const table = runtimes.reduce((n, w) => n + w.timer.dynamoCalls, 0);
  const unknown = world.unknownOperations();
  if (unknown.length > 0) throw new Error(`the simulated region did not implement ${unknown.map((c) => `${c.service}.${c.operation}`).join(', ')}`);
  const invokes = [...executions.values()].reduce((a, b) => a + b, 0);
  return {
    events: plan.length,
    incidents: STORM_SERVICES,
    executionsStarted: executions.size,
    executionsJoined: invokes - executions.size,
    outcomes,
    awsCallsPerEvent: round((region + table) / plan.length),
    regionCallsPerEvent: round(region / plan.length),
    stateTableCallsPerEvent: round(table / plan.length),
    mutatingCalls: runtimes.reduce((n, w) => n + w.timer.mutatingCalls, 0),
    wallMs: Math.round(wallMs),
    eventsPerSecond: round(plan.length / (wallMs / 1000), 1),
  };
}
