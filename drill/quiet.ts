/**
 * Imported first by the engine: the handlers' module-level Powertools logger reads its level
 * from the environment when it is constructed, and the drill prints its own timeline
 * (the same entries), so structured logs would only drown it. DRILL_LOG_LEVEL=INFO keeps them.
 */
import type { LogLevel } from '@aws-lambda-powertools/logger/types';

/** The level of the drill runtime's logger too. */
export const DRILL_LOG_LEVEL = (process.env.DRILL_LOG_LEVEL ?? 'SILENT') as LogLevel;

// Not under jest: its workers share process.env between test files, and other tests' loggers are theirs.
if (!process.env.JEST_WORKER_ID) process.env.POWERTOOLS_LOG_LEVEL = DRILL_LOG_LEVEL;
