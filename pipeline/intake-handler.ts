/**
 * The Lambda handler around every runbook's intake (middy + the Powertools logger): a runbook
 * that is off is ignored, bad input is answered and logged, everything else is rethrown so
 * Lambda's retries and the on-failure destination keep the event.
 */
import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { RUNBOOKS } from '../domain/config';
import { redactSecrets } from '../domain/redact';
import { FieldRejection } from '../events/fields';
import { rejectedBy, type IntakeResult } from './intake';
import { autopilotLogger, errorForLog } from '../adapters/runtime/logging';
import type { Runtime } from '../adapters/runtime/runtime-types';

export type IntakeFunction = (event: unknown, rt: Runtime) => Promise<IntakeResult>;
export type IntakeLambdaHandler = (event: unknown, context: Context) => Promise<IntakeResult>;

/**
 * An intake Lambda handler. Bad input is answered, never thrown: a rejection is logged as
 * an error naming the field and returned as { status: 'rejected' } (retrying bad input is
 * pointless; the DLQ is for delivery failures). Anything else that throws (an AWS call
 * failing, the state table unreachable) is logged and rethrown, so Lambda's retries and
 * the on-failure destination keep the event: nothing is lost.
 */
export function intakeHandler(name: string, getRuntime: () => Runtime, fn: IntakeFunction): middy.MiddyfiedHandler<unknown, IntakeResult, Error, Context> {
  const core = async (event: unknown): Promise<IntakeResult> => {
    let rt: Runtime;
    try {
      rt = getRuntime();
    } catch (err) {
      // Configuration (environment) broken: every event would fail; rethrown so none is lost.
      autopilotLogger.error(`${name}: runtime could not be built`, { error: errorForLog(err) });
      throw err;
    }
    const logger = rt.logger;
    logger.appendKeys({ handler: name, correlation_id: eventId(event) ?? 'unknown-event' });
    try {
      // A runbook that is off does nothing: its events are logged and ignored (domain/modes.ts).
      const runbook = RUNBOOKS.find((rb) => rb === name);
      const mode = runbook && rt.modeOf ? await rt.modeOf(runbook) : undefined;
      if (mode?.mode === 'off') {
        const result: IntakeResult = { status: 'ignored', reason: `runbook ${name} is off (${mode.source}): no decision, no page, no action` };
        logOutcome(logger, name, result);
        return result;
      }
      const result = await fn(event, rt);
      logOutcome(logger, name, result);
      return result;
    } catch (err) {
      if (err instanceof FieldRejection) {
        const result = rejectedBy(err.rejection);
        logOutcome(logger, name, result);
        return result;
      }
      logger.error(`${name}: failed, rethrown for retry / on-failure destination`, { error: errorForLog(err) });
      throw err;
    } finally {
      // The runtime's logger outlives the invocation (warm container, drill): do not leak keys.
      logger.removeKeys(['handler', 'correlation_id']);
    }
  };
  return middy<unknown, IntakeResult, Error, Context>(core).use(injectLambdaContext(autopilotLogger, { resetKeys: true }));
}

function logOutcome(logger: Logger, name: string, result: IntakeResult): void {
  const attrs = { outcome: result, ...(result.incidentKey ? { correlation_id: result.incidentKey } : {}) };
  if (result.status === 'rejected') {
    logger.error(`${name}: event rejected${result.field ? ` at ${result.field}` : ''}: ${redactSecrets(result.reason ?? 'no reason given')}`, attrs);
  } else {
    logger.info(`${name}: ${result.status}${result.reason ? ` - ${redactSecrets(result.reason)}` : ''}`, attrs);
  }
}

function eventId(event: unknown): string | undefined {
  const id = event !== null && typeof event === 'object' ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}
