/**
 * The scheduled readiness check's schedule (issue 16 item 3): an EventBridge rule with the
 * stage's schedule expression (config deployment.preflightSchedule, `rate(1 day)` by default)
 * whose target is the preflight function. EventBridge delivers it a "Scheduled Event" (source
 * aws.events). Delivery like every rule of the stack (infra/delivery.ts): a bounded retry
 * policy and the event dead-letter queue, a Lambda permission for exactly this rule, and an
 * async invoke config whose on-failure destination is the failure queue (its alarm pages P2):
 * a check that cannot run is not silent.
 *
 * A schedule *rule*, not EventBridge Scheduler: the rule is what the stack's other rules are
 * (DLQ, permissions, the same template tests), and its payload is the documented
 * "Scheduled Event" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html).
 */
import { preflightScheduleOf, type AutopilotConfig } from '../domain/config';
import { deployedName } from '../handlers/shared/contract';
import { getAtt, ref, type CfnResource } from './cfn';
import { clamp, EVENTBRIDGE_MAX_RETRIES, INTAKE_ASYNC_RETRIES } from './delivery';
import type { PreflightFunction } from './functions';
import { ASYNC_FAILURE_QUEUE_ID, EVENT_DLQ_ID, invokeConfigId } from './logical-ids';

export const PREFLIGHT_SCHEDULE_RULE_ID = 'PreflightScheduleRule';
export const PREFLIGHT_SCHEDULE_PERMISSION_ID = `${PREFLIGHT_SCHEDULE_RULE_ID}InvokePermission`;

/** The schedule rule's name: `runbook-autopilot-<stage>-preflight` (what the Scheduled Event's `resources` name). */
export function preflightRuleName(stage: string): string {
  return deployedName(stage, 'preflight');
}

export function preflightScheduleResources(config: AutopilotConfig, fn: PreflightFunction): Record<string, CfnResource> {
  return {
    [PREFLIGHT_SCHEDULE_RULE_ID]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: preflightRuleName(config.stage),
        Description: `Readiness check of every runbook of stage ${config.stage}: RunbookReady per runbook, P3 on NOT READY`,
        ScheduleExpression: preflightScheduleOf(config),
        State: 'ENABLED',
        Targets: [
          {
            Id: `${fn.key}-schedule`,
            Arn: getAtt(fn.functionLogicalId, 'Arn'),
            RetryPolicy: { MaximumRetryAttempts: EVENTBRIDGE_MAX_RETRIES, MaximumEventAgeInSeconds: clamp(config.maxEventAgeSeconds, 60, 86_400) },
            DeadLetterConfig: { Arn: getAtt(EVENT_DLQ_ID, 'Arn') },
          },
        ],
      },
    },
    [PREFLIGHT_SCHEDULE_PERMISSION_ID]: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(fn.functionLogicalId, 'Arn'),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(PREFLIGHT_SCHEDULE_RULE_ID, 'Arn'),
      },
    },
    [invokeConfigId(fn.functionLogicalId)]: {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        FunctionName: ref(fn.functionLogicalId),
        Qualifier: '$LATEST',
        // A read-only check: retrying it is safe (a second run pages the same incident key).
        MaximumRetryAttempts: INTAKE_ASYNC_RETRIES,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: getAtt(ASYNC_FAILURE_QUEUE_ID, 'Arn') } },
      },
    },
  };
}
