/** Shared by the simulator's tests: a world from the baseline plus overrides, and real clients wired to it. */
import '../../adapters/aws/sdk/all';
import { AwsRegions, type ObservedCall } from '../../adapters/aws/clients';
import { baselineWorld, mergeWorld } from './baseline';
import { simClientSetup } from './plugin';
import { SimWorld } from './world';

export interface SimHarness {
  world: SimWorld;
  aws: AwsRegions;
  observed: ObservedCall[];
  /** Move simulated time forward by `seconds`. */
  advance(seconds: number): void;
}

export function simHarness(overrides?: unknown): SimHarness {
  const world = SimWorld.create(mergeWorld(baselineWorld(), overrides));
  const observed: ObservedCall[] = [];
  const aws = new AwsRegions(simClientSetup(world, { onCall: (c) => observed.push(c) }));
  return { world, aws, observed, advance: (seconds) => world.clock.advanceBy(seconds * 1000) };
}
