/**
 * The autopilot's logs: one Powertools logger that redacts as it writes, timeline entries as
 * structured log lines, and every AWS call attempt (mutating ones at info: the audit trail).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { TimelineEntry } from '../../domain/incident';
import { redactCallInput, redactDeep, redactingJsonReplacer, redactSecrets } from '../../domain/redact';
import type { ObservedCall } from '../aws/clients';
import type { EntrySink } from './incident-session';

export const SERVICE_NAME = 'runbook-autopilot';

/**
 * Every logger of the autopilot redacts as it writes (domain/redact.ts): secret-like field
 * names, credentials in URLs and key=value text, task-definition environments (names only),
 * at every level.
 */
export function createAutopilotLogger(options: ConstructorParameters<typeof Logger>[0] = {}): Logger {
  return new Logger({ serviceName: SERVICE_NAME, ...options, jsonReplacerFn: redactingJsonReplacer });
}

/** The logger of the deployed functions; injectLambdaContext adds the Lambda context to it. */
export const autopilotLogger = createAutopilotLogger();

/** Timeline entries as structured log lines (secrets redacted), correlation id = incident key. */
export function logEntrySink(logger: Logger): EntrySink {
  return (incidentKey: string, entry: TimelineEntry) => {
    const safe = redactDeep(entry);
    const attrs = { correlation_id: incidentKey, timeline: safe };
    if (entry.kind === 'error') logger.error(safe.summary, attrs);
    else if (entry.kind === 'aws-call') logger.debug(safe.summary, attrs);
    else if (entry.kind === 'guardrail' && entry.verdict && !entry.verdict.pass) logger.warn(safe.summary, attrs);
    else logger.info(safe.summary, attrs);
  };
}

/** Every AWS call attempt in the log: mutating ones at info (the audit trail), the rest at debug. */
export function callLogger(logger: Logger): (call: ObservedCall) => void {
  return (call) => {
    const attrs = {
      aws: { service: call.service, operation: call.operation, region: call.region, attempt: call.attempt, durationMs: call.durationMs, error: call.error },
    };
    const message = `aws ${call.service}.${call.operation} ${call.region}${call.error ? ` failed: ${call.error}` : ''}`;
    if (call.mutating) logger.info(message, { ...attrs, input: redactCallInput(call.service, call.operation, call.input) });
    else if (call.error) logger.warn(message, attrs);
    else logger.debug(message, attrs);
  };
}

export function errorForLog(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: redactSecrets(err.message), stack: err.stack ? redactSecrets(err.stack) : undefined };
  return { message: redactSecrets(String(err)) };
}
