/**
 * SNS (pages), EventBridge (hand-offs between runbooks) and Lambda (durable workflow
 * starts and approval callbacks, delegated to the drill's durable host).
 */
import * as snsSdk from '@aws-sdk/client-sns';
import * as ebSdk from '@aws-sdk/client-eventbridge';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import type { ListSubscriptionsByTopicCommandInput, ListSubscriptionsByTopicCommandOutput, PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import type { PutEventsCommandInput, PutEventsCommandOutput, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type {
  InvokeCommandInput,
  InvokeCommandOutput,
  SendDurableExecutionCallbackFailureCommandInput,
  SendDurableExecutionCallbackFailureCommandOutput,
  SendDurableExecutionCallbackSuccessCommandInput,
  SendDurableExecutionCallbackSuccessCommandOutput,
} from '@aws-sdk/client-lambda';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { awsError } from '../errors';
import type { SnsSpec } from '../spec';
import { registerService, type OpContext } from './index';

type Out<T> = Omit<T, '$metadata'>;

export interface SnsState {
  topics: string[];
  subscriptions: NonNullable<SnsSpec['subscriptions']>;
}

export function initSns(spec: SnsSpec | undefined): SnsState {
  return { topics: spec?.topics ?? [], subscriptions: spec?.subscriptions ?? [] };
}

function uuid(ctx: OpContext): string {
  const h = ctx.world.ids;
  return `${h.hex(8)}-${h.hex(4)}-4${h.hex(3)}-a${h.hex(3)}-${h.hex(12)}`;
}

// ------------------------------------------------------------ SNS

function publish(ctx: OpContext, input: PublishCommandInput): Out<PublishCommandOutput> {
  const topicArn = input.TopicArn ?? input.TargetArn;
  if (!topicArn) throw awsError('InvalidParameterException', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter', { status: 400, sdk: snsSdk });
  const m = /^arn:aws:sns:([^:]+):(\d+):([A-Za-z0-9_-]+(?:\.fifo)?)$/.exec(topicArn);
  if (!m) throw awsError('InvalidParameterException', `Invalid parameter: TopicArn Reason: ${topicArn} is not a valid topic ARN`, { status: 400, sdk: snsSdk });
  if (m[1] !== ctx.region) throw awsError('InvalidParameterException', `Invalid parameter: TopicArn Reason: A ARN must be in the same region as the client (${ctx.region}), got ${m[1]}`, { status: 400, sdk: snsSdk });
  const topics = ctx.r.sns.topics;
  if ((topics.length && !topics.includes(topicArn)) || m[2] !== ctx.world.account) throw awsError('NotFoundException', 'Topic does not exist', { status: 404, sdk: snsSdk });
  if (input.Message === undefined || input.Message === '') throw awsError('InvalidParameterException', 'Invalid parameter: Message Reason: Empty message', { status: 400, sdk: snsSdk });
  if (Buffer.byteLength(input.Message, 'utf8') > 262144) throw awsError('InvalidParameterException', 'Invalid parameter: Message too long', { status: 400, sdk: snsSdk });
  // SNS rejects subjects that are not ASCII, have line breaks or are 100 characters or more.
  if (input.Subject !== undefined && (input.Subject.length >= 100 || !/^[\x20-\x7e]+$/.test(input.Subject))) {
    throw awsError('InvalidParameterException', 'Invalid parameter: Subject', { status: 400, sdk: snsSdk });
  }
  const messageId = uuid(ctx);
  const attributes = Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
  ctx.world.snsOutbox.push({ at: ctx.now, region: ctx.region, topicArn, subject: input.Subject, message: input.Message, messageId, ...(Object.keys(attributes).length ? { attributes } : {}) });
  return { MessageId: messageId };
}

/**
 * ListSubscriptionsByTopic (https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html):
 * NotFound for a topic that does not exist; a subscription not yet confirmed is listed with
 * SubscriptionArn "PendingConfirmation" (what the preflight's "subscriptions confirmed" check reads).
 */
function listSubscriptionsByTopic(ctx: OpContext, input: ListSubscriptionsByTopicCommandInput): Out<ListSubscriptionsByTopicCommandOutput> {
  const topicArn = input.TopicArn;
  if (!topicArn) throw awsError('InvalidParameterException', 'Invalid parameter: TopicArn', { status: 400, sdk: snsSdk });
  const m = /^arn:aws:sns:([^:]+):(\d+):([A-Za-z0-9_-]+(?:\.fifo)?)$/.exec(topicArn);
  const topics = ctx.r.sns.topics;
  if (!m || m[1] !== ctx.region || m[2] !== ctx.world.account || (topics.length && !topics.includes(topicArn))) throw awsError('NotFoundException', 'Topic does not exist', { status: 404, sdk: snsSdk });
  const subs = ctx.r.sns.subscriptions.filter((s) => s.topicArn === topicArn);
  return {
    Subscriptions: subs.map((s, i) => ({
      SubscriptionArn: s.pending ? 'PendingConfirmation' : `${topicArn}:${String(i).padStart(8, '0')}-0000-4000-a000-000000000000`,
      Owner: ctx.world.account,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: topicArn,
    })),
  };
}

registerService('SNS', { sdk: snsSdk, throttleError: 'Throttling', ops: { Publish: publish, ListSubscriptionsByTopic: listSubscriptionsByTopic } });

// ------------------------------------------------------------ EventBridge

function putEvents(ctx: OpContext, input: PutEventsCommandInput): Out<PutEventsCommandOutput> {
  const entries = input.Entries ?? [];
  if (entries.length < 1 || entries.length > 10) throw awsError('ValidationException', '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10', { status: 400, sdk: ebSdk });
  const results: PutEventsResultEntry[] = [];
  let failed = 0;
  for (const e of entries) {
    if (!e.Source || !e.DetailType || e.Detail === undefined) {
      failed++;
      results.push({ ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.' });
      continue;
    }
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      failed++;
      results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
      continue;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      failed++;
      results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' });
      continue;
    }
    const id = uuid(ctx);
    const at = e.Time ? new Date(e.Time).getTime() : ctx.now;
    ctx.world.busOutbox.push({
      at: ctx.now,
      region: ctx.region,
      eventBusName: e.EventBusName ?? 'default',
      id,
      source: e.Source,
      detailType: e.DetailType,
      detail,
      resources: e.Resources ?? [],
      time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      account: ctx.world.account,
    });
    results.push({ EventId: id });
  }
  return { FailedEntryCount: failed, Entries: results };
}

registerService('EventBridge', { sdk: ebSdk, throttleError: 'ThrottlingException', ops: { PutEvents: putEvents } });

// ------------------------------------------------------------ Lambda

function decode(payload: unknown): string | undefined {
  if (payload === undefined || payload === null) return undefined;
  if (typeof payload === 'string') return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload).toString('utf8');
  return undefined;
}

async function invoke(ctx: OpContext, input: InvokeCommandInput): Promise<Out<InvokeCommandOutput>> {
  const host = ctx.world.durableHost().invoke;
  const fn = input.FunctionName ?? '';
  if (!input.DurableExecutionName) {
    throw awsError('ResourceNotFoundException', `Function not found: ${fn}. The simulated region only runs durable workflows (Invoke with DurableExecutionName).`, { status: 404, sdk: lambdaSdk });
  }
  if (!host) throw awsError('ResourceNotFoundException', `Function not found: ${fn} (no durable host registered with world.setDurableHost)`, { status: 404, sdk: lambdaSdk });
  const qualified = input.Qualifier ? `${fn}:${input.Qualifier}` : fn;
  const text = decode(input.Payload);
  let payload: unknown = undefined;
  if (text !== undefined && text !== '') {
    try {
      payload = JSON.parse(text);
    } catch {
      throw awsError('InvalidRequestContentException', 'Could not parse request body into json', { status: 400, sdk: lambdaSdk });
    }
  }
  const outcome = await host(qualified, input.DurableExecutionName, payload);
  const name = fn.replace(/^arn:aws:lambda:[^:]+:\d+:function:/, '');
  const arn = `arn:aws:lambda:${ctx.region}:${ctx.world.account}:function:${name}${input.Qualifier ? `:${input.Qualifier}` : ''}/durable-execution/${input.DurableExecutionName}`;
  const event = input.InvocationType === 'Event';
  return {
    StatusCode: event ? 202 : 200,
    ExecutedVersion: input.Qualifier ?? '$LATEST',
    DurableExecutionArn: arn,
    Payload: Uint8ArrayBlobAdapter.fromString(event ? '' : JSON.stringify({ outcome })),
  };
}

async function callbackSuccess(ctx: OpContext, input: SendDurableExecutionCallbackSuccessCommandInput): Promise<Out<SendDurableExecutionCallbackSuccessCommandOutput>> {
  const cb = ctx.world.durableHost().callbacks;
  if (!cb) throw awsError('ResourceNotFoundException', 'No durable host registered for callbacks', { status: 404, sdk: lambdaSdk });
  if (!input.CallbackId) throw awsError('InvalidParameterValueException', 'CallbackId is required', { status: 400, sdk: lambdaSdk });
  await cb.success(input.CallbackId, decode(input.Result));
  return {};
}

async function callbackFailure(ctx: OpContext, input: SendDurableExecutionCallbackFailureCommandInput): Promise<Out<SendDurableExecutionCallbackFailureCommandOutput>> {
  const cb = ctx.world.durableHost().callbacks;
  if (!cb) throw awsError('ResourceNotFoundException', 'No durable host registered for callbacks', { status: 404, sdk: lambdaSdk });
  if (!input.CallbackId) throw awsError('InvalidParameterValueException', 'CallbackId is required', { status: 400, sdk: lambdaSdk });
  const e = input.Error;
  await cb.failure(input.CallbackId, e ? { errorMessage: e.ErrorMessage, errorType: e.ErrorType, errorData: e.ErrorData } : undefined);
  return {};
}

registerService('Lambda', {
  sdk: lambdaSdk,
  throttleError: 'TooManyRequestsException',
  ops: {
    Invoke: invoke,
    SendDurableExecutionCallbackSuccess: callbackSuccess,
    SendDurableExecutionCallbackFailure: callbackFailure,
  },
});
