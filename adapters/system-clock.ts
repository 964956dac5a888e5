/**
 * The wall clock. Production's only reader of Date.now(): everything else gets time from a
 * Clock, so drills can simulate it and decisions stay pure functions of `now`.
 */
import type { WorkflowClock } from './durable';

export class SystemClock implements WorkflowClock {
  now(): number {
    return Date.now();
  }
  // No advanceTo: a durable wait really waits in production.
}
