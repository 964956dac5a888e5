/** Jest globalTeardown: stops the dynalite started by global-setup.ts. */
import './global-setup';

export default async function globalTeardown(): Promise<void> {
  const local = globalThis.__AUTOPILOT_DYNALITE__;
  globalThis.__AUTOPILOT_DYNALITE__ = undefined;
  if (local) await local.stop();
}
