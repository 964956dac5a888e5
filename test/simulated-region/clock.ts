/**
 * The one simulated clock of a drill: the simulated region computes every state
 * transition from it, and durable workflows move it when they wake (WorkflowClock).
 * It only moves forward.
 */
import type { WorkflowClock } from '../../adapters/durable';

export type ClockListener = (nowMs: number) => void;

export class SimClock implements WorkflowClock {
  private current: number;
  private readonly listeners: ClockListener[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  advanceBy(ms: number): void {
    if (ms < 0) throw new Error(`SimClock.advanceBy: negative step ${ms}ms`);
    this.advanceTo(this.current + ms);
  }

  /** Moving to a time already passed is a no-op (replayed waits move to their original wake-up time). */
  advanceTo(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new Error(`SimClock.advanceTo: not a time: ${epochMs}`);
    if (epochMs <= this.current) return;
    this.current = epochMs;
    for (const l of this.listeners) l(this.current);
  }

  /** Called after every move (the world settles its pending transitions up to the new time). */
  onAdvance(listener: ClockListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
