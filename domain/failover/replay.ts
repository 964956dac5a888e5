/**
 * The replica's replay state from its ReplicaLag history (pure).
 *
 * On RDS for PostgreSQL ReplicaLag is the time since the last replayed commit (AWS:
 * "Monitoring and tuning the replication process", USER_PostgreSQL.Replication.ReadReplicas.Monitor).
 * When nothing more arrives from the primary the metric grows by the time elapsed between
 * datapoints: a final run of such growth says replay stopped, and its first datapoint is the
 * last reading taken at or before the moment it stopped. This is read in the replica's own
 * region, so it is available while the primary's region is down. On its own it cannot tell a
 * dead primary from a broken link (or an idle one): it is one piece of evidence, never a
 * confirmation by itself.
 */
import type { LagDatapoint } from './signals';

export interface ReplayState {
  state: 'stopped' | 'replaying' | 'unknown';
  detail: string;
  /** 'stopped': the end of the period of the run's first datapoint (replay stopped at or before it). */
  stoppedBy?: number;
}

/** Growth between two datapoints within this share of the time between them counts as "nothing replayed". */
const GROWTH_TOLERANCE = 0.2;
/** Datapoints of growth needed (two intervals), and the lag the last one must reach (in periods). */
const MIN_RUN_POINTS = 3;

export function replicaReplayState(points: readonly LagDatapoint[], periodSeconds = 60): ReplayState {
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const latest = sorted[sorted.length - 1];
  if (!latest || sorted.length < 2) return { state: 'unknown', detail: `${sorted.length} ReplicaLag datapoint(s): too few to tell` };
  if (latest.seconds < 0) return { state: 'unknown', detail: `ReplicaLag ${latest.seconds} (replication not active)` };
  const grows = (a: LagDatapoint, b: LagDatapoint): boolean => {
    const elapsed = (b.at - a.at) / 1000;
    const growth = b.seconds - a.seconds;
    return elapsed > 0 && Math.abs(growth - elapsed) <= GROWTH_TOLERANCE * elapsed;
  };
  let first = sorted.length - 1;
  while (first > 0 && grows(sorted[first - 1] as LagDatapoint, sorted[first] as LagDatapoint)) first--;
  const runPoints = sorted.length - first;
  const start = sorted[first] as LagDatapoint;
  if (runPoints >= MIN_RUN_POINTS && latest.seconds >= 2 * periodSeconds) {
    return {
      state: 'stopped',
      detail: `ReplicaLag grew by the time elapsed over ${runPoints} datapoints (${start.seconds}s -> ${latest.seconds}s): nothing replayed since ${new Date(start.at).toISOString()}`,
      stoppedBy: start.at + periodSeconds * 1000,
    };
  }
  const previous = sorted[sorted.length - 2] as LagDatapoint;
  if (latest.seconds <= previous.seconds + periodSeconds * GROWTH_TOLERANCE) {
    return { state: 'replaying', detail: `ReplicaLag ${previous.seconds}s -> ${latest.seconds}s: the replica keeps replaying` };
  }
  return { state: 'unknown', detail: `ReplicaLag ${previous.seconds}s -> ${latest.seconds}s: growing, not yet a run of ${MIN_RUN_POINTS} datapoints` };
}
