/**
 * The registry of simulated services: client name (without "Client") -> operations.
 * An operation missing here answers UnknownOperationException (world.ts).
 */
import type { SimWorld } from '../world';
import type { RegionState } from '../state';
import type { SdkModule } from '../errors';

export interface OpContext {
  world: SimWorld;
  region: string;
  /** Simulated epoch ms of the call. */
  now: number;
  r: RegionState;
}

export type OpHandler = (ctx: OpContext, input: never) => unknown;

export interface ServiceSim {
  /** Modeled exceptions of the service's SDK package. */
  sdk: SdkModule;
  /** The throttling error name the service's protocol uses. */
  throttleError: string;
  ops: Record<string, OpHandler>;
}

export const SERVICES: Record<string, ServiceSim> = {};

/** Called by each service module at import (see ./all). */
export function registerService(name: string, sim: ServiceSim): void {
  SERVICES[name] = sim;
}
