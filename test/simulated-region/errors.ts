/**
 * Errors as the SDK raises them: the service's own modeled exception class when it has
 * one (so `instanceof DBInstanceNotFoundFault` works in handlers), otherwise a plain Error
 * carrying the same fields the SDK's deserializers set (name, $fault, $metadata).
 */
export type Fault = 'client' | 'server';

export interface SdkLikeError extends Error {
  $fault: Fault;
  $metadata: { httpStatusCode: number; requestId?: string };
  $retryable?: { throttling?: boolean };
}

type ExceptionClass = new (opts: { message: string; $metadata: object }) => Error;

/** The exported members of an SDK client package (modeled exceptions are classes among them). */
export type SdkModule = Record<string, unknown>;

export function awsError(name: string, message: string, opts: { status?: number; fault?: Fault; sdk?: SdkModule } = {}): SdkLikeError {
  const status = opts.status ?? 400;
  const fault: Fault = opts.fault ?? (status >= 500 ? 'server' : 'client');
  const $metadata = { httpStatusCode: status };
  const modeled = opts.sdk?.[name];
  let err: Error;
  if (typeof modeled === 'function' && (modeled as { prototype?: unknown }).prototype instanceof Error) {
    err = new (modeled as ExceptionClass)({ message, $metadata });
  } else {
    err = new Error(message);
    err.name = name;
  }
  const e = err as SdkLikeError;
  e.name = name;
  e.$fault = fault;
  e.$metadata = $metadata;
  if (!e.message) e.message = message;
  return e;
}

/** A missing operation must fail a drill loudly, never return something plausible. */
export function unknownOperation(service: string, operation: string): SdkLikeError {
  return awsError('UnknownOperationException', `The simulated region does not implement ${service}.${operation} (${service}Client ${operation}Command). Add it to test/simulated-region/services.`, { status: 400 });
}
