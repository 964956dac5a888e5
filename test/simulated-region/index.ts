/**
 * The simulated AWS account of drills and tests (issue 3 items 1-3).
 *
 *   const world = SimWorld.create(mergeWorld(baselineWorld(), scenario.world));
 *   const aws = new AwsRegions(simClientSetup(world, { onCall, dynamoEndpoint }));
 *   world.setDurableHost((fn, name, payload) => runner.start(fn, name, payload));
 *   world.clock.advanceBy(60_000);           // transitions fire in time order
 *   world.calls / world.snsOutbox / world.drainBus() / world.awsEvents / world.unknownOperations()
 */

export { SimClock } from './clock';
export { SimWorld, type SimRequest } from './world';
export { simPlugin, simClientSetup, simRetryStrategy } from './plugin';
export { baselineWorld, mergeWorld, BASELINE_START } from './baseline';
export { WorldSpecError } from './api';
export { validateWorld, validateChange, validateFault } from './validate';
export type { SimCall, SnsMessage, BusEvent, AwsEvent, DurableInvoke, DurableCallbacks, DurableStart, InjectedFault } from './api';
export type * from './spec';
