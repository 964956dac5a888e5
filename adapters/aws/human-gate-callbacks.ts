/**
 * A human gate's answer, sent as the durable execution callback the workflow waits on
 * (Lambda SendDurableExecutionCallbackSuccess / Failure). Only the operator-request
 * function's role may send them.
 */
import { SendDurableExecutionCallbackFailureCommand, SendDurableExecutionCallbackSuccessCommand } from '@aws-sdk/client-lambda';
import type { AwsRegions } from './clients';
import './sdk/lambda';

export interface GateAnswer {
  callbackId: string;
  approved: boolean;
  /** The verified principal ARN: the workflow compares it with its requester. */
  by: string;
  note?: string;
}

export async function sendGateAnswer(aws: AwsRegions, region: string, answer: GateAnswer): Promise<void> {
  const lambda = aws.in(region).lambda;
  if (answer.approved) {
    const result = JSON.stringify({ outcome: 'APPROVED', by: answer.by, ...(answer.note ? { note: answer.note } : {}) });
    await lambda.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: answer.callbackId, Result: Buffer.from(result) }));
    return;
  }
  await lambda.send(
    new SendDurableExecutionCallbackFailureCommand({
      CallbackId: answer.callbackId,
      Error: { ErrorType: 'Rejected', ErrorMessage: `rejected by ${answer.by}${answer.note ? `: ${answer.note}` : ''}` },
    }),
  );
}
