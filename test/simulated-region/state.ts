/**
 * Per-region state of every simulated service, built from the RegionSpec. Each service adds its
 * slice to RegionState where it is defined (declaration merging in services/<name>.ts) and
 * builds it with its `region.init`.
 */
import type { SimWorld } from './world';
import type { RegionSpec } from './spec';
import { SERVICES } from './services/all';

export interface RegionState {
  name: string;
}

export function initRegion(world: SimWorld, name: string, spec: RegionSpec): RegionState {
  const state: Record<string, unknown> = { name };
  // `region` is a union of parts whose `init` takes the intersection of their specs: each gets its own key's.
  for (const { region } of SERVICES) if (region) state[region.key] = region.init(world, name, spec[region.key] as never);
  // Every service's key is set above: those are all RegionState declares besides `name`.
  return state as unknown as RegionState;
}
