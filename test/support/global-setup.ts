/**
 * Jest globalSetup: one dynalite for the whole run. Workers inherit process.env set here,
 * so every test file finds it at DYNAMO_ENDPOINT and creates its own uniquely named table.
 */
import { startDynalite, type LocalDynamo } from './dynalite';

export const DYNAMO_ENDPOINT_ENV = 'DYNAMO_ENDPOINT';

declare global {
  // Kept on globalThis: globalSetup and globalTeardown share it (same process).
  var __AUTOPILOT_DYNALITE__: LocalDynamo | undefined;
}

export default async function globalSetup(): Promise<void> {
  const local = await startDynalite();
  globalThis.__AUTOPILOT_DYNALITE__ = local;
  process.env[DYNAMO_ENDPOINT_ENV] = local.endpoint;
  // Lambda runs nodejs22.x; the SDK's warning about a local Node 20 is noise in every worker.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Powertools writes straight to stdout (past jest's console capture): quiet unless asked,
  // e.g. POWERTOOLS_LOG_LEVEL=DEBUG npx jest handlers/.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
}
