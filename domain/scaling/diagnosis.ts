/**
 * Diagnosis before scaling, on the CPU path too (issue 13 item 4). Runbook 4's common causes
 * say more tasks make pool exhaustion worse and cannot fix a down dependency; a CPU alarm is a
 * symptom, so the scale intake gathers the same pool and dependency signals as the 5XX
 * investigation (adapters/aws/investigation.ts) and asks this before any scaling.
 *
 * Pure: the signals come in as an argument.
 */
import { DEFAULT_THRESHOLDS, dependencyDown, errorOnset, poolExhausted, type ClassifierThresholds, type Evidence } from '../investigation/classify';
import { formatEvidence, NO_SCALE_GUARDRAIL } from '../investigation/respond';
import { meanSince, type FiveXxSignals, type Series } from '../investigation/signals';
import type { Verdict } from '../guardrails';

/**
 * Traffic at most this much above its level before the deployment is "no more traffic": the CPU
 * per request rose, which is the code's doing. A larger rise is a surge that scaling answers.
 */
export const TRAFFIC_SURGE_FACTOR = 1.25;

const meanBefore = (series: Series, at: number): number | undefined => {
  const pts = series.filter((p) => p.at < at);
  return pts.length === 0 ? undefined : pts.reduce((sum, p) => sum + p.value, 0) / pts.length;
};
const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * Runbook 2, "When to use: New deployment causing errors or degraded performance": the CPU alarm
 * began within the deployment lookback after the service's PRIMARY deployment started, the CPU was
 * below saturation before it, and the traffic did not rise with it. More tasks would carry the
 * regression, not fix it: the rollback comes before scaling (issue 13 item 1). Without CPU or
 * request readings from before the deployment this claims nothing (scaling decides as before).
 */
export function deploymentCausedLoad(s: FiveXxSignals, t: ClassifierThresholds = DEFAULT_THRESHOLDS): Evidence[] {
  const onset = s.alarm.stateChangedAt;
  const d = (s.service?.deployments ?? [])
    .filter((x) => x.status === 'PRIMARY' && x.createdAt <= onset && onset - x.createdAt <= t.deploymentLookbackSeconds * 1000)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!d) return [];
  const cpuBefore = meanBefore(s.cpu, d.createdAt);
  const peakBefore = Math.max(...s.cpu.filter((p) => p.at < d.createdAt).map((p) => p.value));
  // The alarm's own datapoints come before its state change: the recent minutes, not before the deployment.
  const recent = Math.max(d.createdAt, s.at - t.recentMinutes * 60_000);
  const cpuAfter = meanSince(s.cpu, recent);
  const requestsBefore = meanBefore(s.requests, d.createdAt);
  const requestsAfter = meanSince(s.requests, recent);
  if (cpuBefore === undefined || cpuAfter === undefined || requestsBefore === undefined || requestsAfter === undefined) return [];
  if (peakBefore >= t.cpuSaturatedPercent || cpuAfter <= cpuBefore) return [];
  if (requestsAfter > requestsBefore * TRAFFIC_SURGE_FACTOR) return [];
  return [
    {
      signal: `ECS deployment ${d.id}`,
      value: `${d.taskDefinition} started ${new Date(d.createdAt).toISOString()} (${d.rolloutState ?? 'unknown rollout'})`,
      threshold: `CPU alarm within ${t.deploymentLookbackSeconds}s after it`,
      note: `the CPU alarm began ${round((onset - d.createdAt) / 60000)} min after the deployment started`,
    },
    { signal: 'ECS CPUUtilization (avg) before the deployment -> recent', value: `${round(cpuBefore)} -> ${round(cpuAfter)}`, threshold: `before < ${t.cpuSaturatedPercent}%`, note: 'the load rose with the new revision' },
    {
      signal: 'RequestCount (avg per minute) before the deployment -> recent',
      value: `${round(requestsBefore)} -> ${round(requestsAfter)}`,
      threshold: `<= x${TRAFFIC_SURGE_FACTOR}`,
      note: 'no more traffic than before: more CPU per request',
    },
  ];
}

export function scalingDiagnosisVerdict(signals: FiveXxSignals, thresholds: ClassifierThresholds = DEFAULT_THRESHOLDS): Verdict {
  // The investigation's cause precedence (domain/investigation/classify.ts CAUSE_PRECEDENCE).
  const found = [
    { cause: 'dependency-down', evidence: dependencyDown(signals), why: 'the failing dependency is outside the service' },
    { cause: 'bad-deployment', evidence: deploymentCausedLoad(signals, thresholds), why: 'the new revision needs more CPU per request: roll it back before adding tasks' },
    { cause: 'connection-pool-exhausted', evidence: poolExhausted(signals, thresholds, errorOnset(signals, thresholds)), why: 'more tasks open more connections and make it worse' },
  ].find((c) => c.evidence.length > 0);
  if (found) {
    return {
      guardrail: NO_SCALE_GUARDRAIL,
      pass: false,
      reason: `ScalingWouldNotHelp: ${found.cause} (${found.evidence.map(formatEvidence).join('; ')}); ${found.why}`,
      evidence: { cause: found.cause, evidence: found.evidence.map(formatEvidence) },
    };
  }
  const unreadable = signals.unreadable.filter((u) => /RDS|DatabaseConnections|logs|S3|ElastiCache/i.test(u.signal));
  return {
    guardrail: NO_SCALE_GUARDRAIL,
    pass: true,
    reason: `no down dependency, no deployment regression and no pool exhaustion in the signals${unreadable.length > 0 ? ` (unreadable: ${unreadable.map((u) => u.signal).join(', ')})` : ''}`,
  };
}

