/** Applies a WorldChange (scheduled or immediate) to the world, at the time it happens. */
import type { SimWorld } from './world';
import type { WorldChange } from './spec';
import type { ServiceChangeKind } from './services';
import { changeHandler } from './services/all';

export function applyChange(world: SimWorld, change: WorldChange, at: number): void {
  switch (change.kind) {
    case 'fault':
      world.addFault(change.fault);
      return;
    case 'clear-faults':
      world.clearFaults(change.ids);
      return;
    default:
      applyServiceChange(world, change, at);
  }
}

/** The service that owns the change's kind applies it (its `changes`). */
function applyServiceChange(world: SimWorld, change: Extract<WorldChange, { kind: ServiceChangeKind }>, at: number): void {
  const handler = changeHandler(change.kind);
  if (!handler) throw new Error(`world change: no simulated service applies '${change.kind}'`);
  handler.apply(world, change, at);
}
