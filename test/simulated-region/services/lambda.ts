/** Lambda: durable workflow starts and approval callbacks, delegated to the drill's durable host. */
import * as lambdaSdk from '@aws-sdk/client-lambda';
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
import { arnIn, authReq, isArn } from '../iam-arns';
import type { OpContext, IamCall, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

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

/** A callback is authorised against the durable execution that owns it. */
const callbackExecution = (c: IamCall): string => c.world.durableHost().callbacks?.executionArn?.(String(c.input.CallbackId ?? '')) ?? arnIn('lambda', c.region, c.account, 'function:unknown-callback');

export const service: ServiceSim = {
  name: 'Lambda',
  sdk: lambdaSdk,
  throttleError: 'TooManyRequestsException',
  ops: {
    Invoke: invoke,
    SendDurableExecutionCallbackSuccess: callbackSuccess,
    SendDurableExecutionCallbackFailure: callbackFailure,
  },
  iam: {
    Invoke: (c) => [authReq('lambda:InvokeFunction', isArn(c.input.FunctionName) ? c.input.FunctionName : arnIn('lambda', c.region, c.account, `function:${String(c.input.FunctionName)}`))],
    // Authorised against the durable execution that owns the callback (an unknown callback: no resource to match).
    SendDurableExecutionCallbackSuccess: (c) => [authReq('lambda:SendDurableExecutionCallbackSuccess', callbackExecution(c))],
    SendDurableExecutionCallbackFailure: (c) => [authReq('lambda:SendDurableExecutionCallbackFailure', callbackExecution(c))],
  },
};
