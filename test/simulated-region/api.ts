/**
 * What the simulated region records and exposes to the drill: calls, outboxes, the
 * events AWS itself would emit, and the hooks the drill plugs in (durable host).
 */

export type InjectedFault = 'throttle' | 'server-error' | 'timeout';

/** One attempt of one AWS call, as the simulated region answered it (one per SDK attempt, like ObservedCall). */
export interface SimCall {
  seq: number;
  /** Simulated epoch ms. */
  at: number;
  region: string;
  /** Client name without "Client": 'RDS', 'ECS', 'Route53'... (same as ObservedCall.service). */
  service: string;
  /** Command name without "Command" (same as ObservedCall.operation). */
  operation: string;
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number;
  input: unknown;
  outcome: 'ok' | 'error';
  /** Error name when outcome is 'error' (ThrottlingException, DBInstanceNotFoundFault, UnknownOperationException...). */
  error?: string;
  errorMessage?: string;
  /** Set when the error came from an injected fault, not from the world's state. */
  injected?: InjectedFault;
  /** The function that made the call, when IAM is on (SimWorld.setIam). */
  caller?: string;
  /** The operation is not simulated: the drill must fail loudly. */
  unknownOperation?: boolean;
}

/** An SNS Publish, as the drill shows it. */
export interface SnsMessage {
  at: number;
  region: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageId: string;
  attributes?: Record<string, string>;
}

/** A PutEvents entry (hand-offs between runbooks), in EventBridge's delivered-event shape. */
export interface BusEvent {
  at: number;
  region: string;
  eventBusName: string;
  id: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
  time: string;
  account: string;
}

/**
 * An event AWS itself emits to the default bus (what triggers the autopilot in production):
 * CloudWatch Alarm State Change, ECS Deployment State Change, RDS DB Instance Event...
 * Shaped as EventBridge delivers it.
 */
export interface AwsEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type DurableStart = 'started' | 'joined';

/**
 * Lambda Invoke with DurableExecutionName is delegated to the drill, which runs the durable
 * workflow (LocalDurableTestRunner). Same name twice joins the running execution.
 */
export type DurableInvoke = (functionName: string, executionName: string, payload: unknown) => DurableStart | Promise<DurableStart>;

/** SendDurableExecutionCallbackSuccess/Failure, delegated to the drill. Result/error are the decoded JSON strings. */
export interface DurableCallbacks {
  success(callbackId: string, result: string | undefined): void | Promise<void>;
  failure(callbackId: string, error: { errorMessage?: string; errorType?: string; errorData?: string } | undefined): void | Promise<void>;
  /**
   * The ARN of the durable execution a callback belongs to, which IAM authorises the send
   * against (resource type "durable execution" in the Service Authorization Reference for
   * Lambda: arn:...:function:<name>:<version>/durable-execution/<name>/<id>); undefined if unknown.
   */
  executionArn?(callbackId: string): string | undefined;
}

/** Thrown by SimWorld.create for an invalid WorldSpec; each problem names its path. */
export class WorldSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid world spec\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WorldSpecError';
  }
}
