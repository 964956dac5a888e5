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
import type { FiveXxSignals } from '../investigation/signals';
import type { Verdict } from '../guardrails';

export function scalingDiagnosisVerdict(signals: FiveXxSignals, thresholds: ClassifierThresholds = DEFAULT_THRESHOLDS): Verdict {
  const down = dependencyDown(signals);
  const pool = poolExhausted(signals, thresholds, errorOnset(signals, thresholds));
  const found: { cause: string; evidence: Evidence[] } | undefined = down.length > 0 ? { cause: 'dependency-down', evidence: down } : pool.length > 0 ? { cause: 'connection-pool-exhausted', evidence: pool } : undefined;
  if (found) {
    return {
      guardrail: NO_SCALE_GUARDRAIL,
      pass: false,
      reason: `ScalingWouldNotHelp: ${found.cause} (${found.evidence.map(formatEvidence).join('; ')}); ${found.cause === 'dependency-down' ? 'the failing dependency is outside the service' : 'more tasks open more connections and make it worse'}`,
      evidence: { cause: found.cause, evidence: found.evidence.map(formatEvidence) },
    };
  }
  const unreadable = signals.unreadable.filter((u) => /RDS|DatabaseConnections|logs|S3|ElastiCache/i.test(u.signal));
  return {
    guardrail: NO_SCALE_GUARDRAIL,
    pass: true,
    reason: `no pool exhaustion and no down dependency in the signals${unreadable.length > 0 ? ` (unreadable: ${unreadable.map((u) => u.signal).join(', ')})` : ''}`,
  };
}
