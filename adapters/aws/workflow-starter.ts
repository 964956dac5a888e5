/**
 * The production dispatcher: starts a runbook's durable workflow with Lambda Invoke
 * (InvocationType Event, DurableExecutionName = the execution name, on the workflow alias).
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { RunbookId } from '../../domain/config';
import { ENV } from '../../handlers/shared/contract';
import { regionOfArn } from '../sns/pager';
import type { AwsRegions } from './clients';
import './sdk/lambda';

export type WorkflowStarter = (runbook: RunbookId, executionName: string, input: unknown) => Promise<'started' | 'joined'>;

export interface LambdaWorkflowStarterOptions {
  aws: AwsRegions;
  /** Region of a workflow whose ARN names none. */
  homeRegion: string;
  /** RunbookId -> qualified (alias) ARN of its durable workflow. */
  workflowArns: Partial<Record<RunbookId, string>>;
  /** Claims the start's name once (state table); true when this caller was first. */
  claimStart: (claimKey: string) => Promise<boolean>;
}

export function lambdaWorkflowStarter({ aws, homeRegion, workflowArns, claimStart }: LambdaWorkflowStarterOptions): WorkflowStarter {
  return async (runbook, executionName, input) => {
    const functionArn = workflowArns[runbook];
    if (!functionArn) throw new Error(`no workflow ARN for runbook ${runbook}: set it in ${ENV.workflowArns}`);
    // Lambda answers a repeated name with the same payload with the running execution,
    // and a different payload with DurableExecutionAlreadyStartedException: either way
    // there is one execution. The claim only tells the caller whether it was first.
    // The claim does not guard the Invoke (Lambda does), so both go out together: the start
    // does not wait for a state-table round trip.
    const claiming = claimStart(`workflow#${runbook}#${executionName}`);
    claiming.catch(() => undefined); // awaited below; an Invoke failure must not leave it unhandled
    try {
      await aws.in(regionOfArn(functionArn) ?? homeRegion).lambda.send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: 'Event',
          DurableExecutionName: executionName,
          Payload: Buffer.from(JSON.stringify(input)),
        }),
      );
    } catch (err) {
      if (isAlreadyStarted(err)) return 'joined';
      throw err;
    }
    return (await claiming) ? 'started' : 'joined';
  };
}

function isAlreadyStarted(err: unknown): boolean {
  return err instanceof Error && err.name === 'DurableExecutionAlreadyStartedException';
}
