/**
 * Runbook 3: what its intake and its workflow both need. A module of its own, so the
 * workflow's bundle does not carry the intake (event parsing, triggers, middy).
 */
import { TUNABLES } from '../../domain/config';

/** Monitoring rounds of one episode (each a cooldown or the rest of the stabilisation apart). */
export const MAX_MONITOR_ROUNDS = TUNABLES.scaling.maxMonitorRounds;
