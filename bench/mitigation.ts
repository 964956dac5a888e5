/**
 * Time to mitigate per drill scenario (simulated time, from the drill engine: first
 * incident mitigatedAt - first delivered event), next to the runbook's manual estimate and,
 * where AWS has a native mechanism for the same job, a model of that mechanism's reaction.
 */
import type { RunbookId } from '../domain/config';
import { runDrill } from '../drill/drill';
import { timeToMitigateSeconds } from '../drill/expectations';
import { defaultScenarioFiles, loadScenarioFile, type PreparedScenario } from '../drill/load';
import { passed } from '../drill/printer';
import { basename } from 'node:path';
import { DEFAULT_TIMINGS as DEFAULT_RDS_TIMINGS } from '../test/simulated-region/services/rds';
import type { ScenarioRun } from '../drill/run-types';
import { round } from './stats';

/** "Estimated Time" of each runbook in /work/shared/regami-incident-runbooks.md (manual execution), seconds. */
export const MANUAL_ESTIMATE_SECONDS: Record<RunbookId, [number, number]> = {
  'database-failover': [15 * 60, 20 * 60],
  'rollback-deployment': [5 * 60, 10 * 60],
  'scale-ecs': [2 * 60, 5 * 60],
  'investigate-5xx': [10 * 60, 30 * 60],
  'restore-from-backup': [20 * 60, 60 * 60],
};

/**
 * Assumptions of the AWS-native models (printed with the figures):
 * - ECS service target tracking (Application Auto Scaling): its scale-out alarm needs 3
 *   consecutive 1-minute datapoints above target before the first scale-out; a further
 *   scale-out waits for the scale-out cooldown (300 s default for ECS). Our CPU alarm needs
 *   the same number of datapoints (evaluationPeriods x period of the world's alarm), so the
 *   comparison is from the start of the breach: ours = alarm detection + drill time to
 *   mitigate, native = 3 x 60 s. Task start time is the same for both and left out of both.
 * - ECS deployment circuit breaker: trips after threshold = clamp(ceil(0.5 x desired), 3, 200)
 *   failed task launches (ECS API reference, ServiceDeploymentCircuitBreaker); tasks are
 *   replaced desired-count at a time and a failed launch is assumed to take 60 s (image pull,
 *   start, failing health check): trip time = ceil(threshold / desired) x 60 s from the
 *   deployment's start. Ours counts from the first event the autopilot receives.
 */
export const TARGET_TRACKING_DATAPOINTS = 3;
export const TARGET_TRACKING_PERIOD_SECONDS = 60;
export const TARGET_TRACKING_SCALE_OUT_COOLDOWN_SECONDS = 300;
export const ASSUMED_FAILED_TASK_SECONDS = 60;

export interface MitigationFigures {
  scenario: string;
  runbook: RunbookId;
  passed: boolean;
  /** undefined: no incident was mitigated (refusal, page only, dry run). */
  timeToMitigateSeconds?: number;
  manualSeconds: [number, number];
  /** ours / manual, against the low and the high end of the estimate. */
  ratioToManual?: [number, number];
  native?: { mechanism: string; seconds: number; oursSeconds: number; ratio: number; basis: string };
  /**
   * Failover only: simulated seconds from the promoted replica becoming available to the
   * incident being mitigated (what the failover still does once the promotion is over).
   */
  postPromotionSeconds?: number;
  /** When the replica became available: the drill's successful PromoteReadReplica + the simulated RDS promotion time. */
  promotionBasis?: string;
}

/**
 * The moment the promoted replica became available in the drill: its successful
 * PromoteReadReplica call plus the simulated region's promotion time (the world's RDS timings
 * in the replica's region, else the simulator's default), and the basis of that figure.
 */
export function replicaAvailableAt(run: ScenarioRun): { at: number; basis: string } | undefined {
  const { config, world } = run.prepared;
  const region = config.database.replicaRegion;
  const promote = run.calls.find((c) => c.service === 'RDS' && c.operation === 'PromoteReadReplica' && c.region === region && !c.error);
  if (!promote) return undefined;
  const timings = (world.regions?.[region] as { rds?: { timings?: { promoteTotalSeconds?: number } } } | undefined)?.rds?.timings;
  const seconds = timings?.promoteTotalSeconds ?? DEFAULT_RDS_TIMINGS.promoteTotalSeconds;
  return { at: promote.at + seconds * 1000, basis: `PromoteReadReplica at T+${Math.round((promote.at - (run.firstEventAt ?? promote.at)) / 1000)}s + ${seconds}s simulated promotion` };
}

function desiredCount(prepared: PreparedScenario): number {
  const svc = prepared.config.service;
  const region = prepared.world.regions?.[svc.region] as { ecs?: { clusters?: Record<string, { services?: Record<string, { desiredCount?: number }> }> } } | undefined;
  return region?.ecs?.clusters?.[svc.clusterName]?.services?.[svc.serviceName]?.desiredCount ?? 2;
}

function cpuAlarmDetectionSeconds(prepared: PreparedScenario): number {
  const alarms = (prepared.world.regions?.[prepared.config.service.region] as { cloudwatch?: { alarms?: Record<string, { evaluationPeriods?: number; datapointsToAlarm?: number; period?: number }> } } | undefined)?.cloudwatch?.alarms;
  const name = prepared.config.alarms.cpu.find((a) => alarms?.[a]) ?? '';
  const spec = alarms?.[name];
  return (spec?.datapointsToAlarm ?? spec?.evaluationPeriods ?? 3) * (spec?.period ?? 60);
}

/**
 * `reaction` = simulated seconds from the first event to our first successful mutating call;
 * what follows it (tasks starting, a deployment rolling back, our verification) would follow
 * the native mechanism's action alike, so it is added to the native figure as well.
 */
function nativeModel(prepared: PreparedScenario, runbook: RunbookId, ttm: number, reaction: number): MitigationFigures['native'] {
  const after = Math.max(0, ttm - reaction);
  if (runbook === 'scale-ecs') {
    const detection = cpuAlarmDetectionSeconds(prepared);
    const trigger = TARGET_TRACKING_DATAPOINTS * TARGET_TRACKING_PERIOD_SECONDS;
    const native = trigger + after;
    const ours = detection + ttm;
    return { mechanism: 'ECS target tracking', seconds: native, oursSeconds: ours, ratio: round(ours / native), basis: `from the breach: ours = ${detection}s alarm + ${ttm}s; native = ${TARGET_TRACKING_DATAPOINTS} x ${TARGET_TRACKING_PERIOD_SECONDS}s datapoints + the same ${after}s after the scale-out (a further step waits ${TARGET_TRACKING_SCALE_OUT_COOLDOWN_SECONDS}s cooldown)` };
  }
  if (runbook === 'rollback-deployment') {
    const desired = desiredCount(prepared);
    const threshold = Math.min(200, Math.max(3, Math.ceil(0.5 * desired)));
    const trip = Math.ceil(threshold / desired) * ASSUMED_FAILED_TASK_SECONDS;
    const native = trip + after;
    return { mechanism: 'ECS deployment circuit breaker', seconds: native, oursSeconds: ttm, ratio: round(ttm / native), basis: `breaker trips after ${threshold} failed tasks (desired ${desired}, ${ASSUMED_FAILED_TASK_SECONDS}s each, ${desired} at a time) = ${trip}s + the same ${after}s after the rollback starts; ours from the first event` };
  }
  return undefined;
}

export async function measureMitigation(dynamoEndpoint: string, log: (line: string) => void): Promise<{ figures: MitigationFigures[]; skipped: string[] }> {
  const prepared: PreparedScenario[] = [];
  const skipped: string[] = [];
  for (const file of defaultScenarioFiles()) {
    try {
      prepared.push(loadScenarioFile(file));
    } catch (err) {
      skipped.push(`${basename(file)}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  log(`running ${prepared.length} drill scenarios...`);
  const outcomes = await runDrill(prepared, { dynamoEndpoint, reportsRoot: false });
  const figures = outcomes.map((o): MitigationFigures => {
    const scenario = o.run.prepared.scenario;
    const runbook = (scenario.runbooks[0] ?? 'investigate-5xx') as RunbookId;
    const ttm = timeToMitigateSeconds(o.run);
    const manual = MANUAL_ESTIMATE_SECONDS[runbook];
    const f: MitigationFigures = { scenario: scenario.name, runbook, passed: passed(o), manualSeconds: manual };
    if (ttm !== undefined) {
      f.timeToMitigateSeconds = ttm;
      f.ratioToManual = [round(ttm / manual[0], 3), round(ttm / manual[1], 3)];
      const firstMutation = Math.min(...o.run.calls.filter((c) => c.mutating && !c.error).map((c) => c.at));
      const reaction = Number.isFinite(firstMutation) && o.run.firstEventAt !== undefined ? Math.max(0, (firstMutation - o.run.firstEventAt) / 1000) : 0;
      f.native = nativeModel(o.run.prepared, runbook, ttm, reaction);
      const available = runbook === 'database-failover' ? replicaAvailableAt(o.run) : undefined;
      if (available && o.run.firstEventAt !== undefined) {
        f.postPromotionSeconds = round(o.run.firstEventAt / 1000 + ttm - available.at / 1000);
        f.promotionBasis = available.basis;
      }
    }
    return f;
  });
  return { figures, skipped };
}

