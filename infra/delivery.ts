/**
 * Delivery, nothing lost.
 *
 * EventBridge delivers at least once and drops an event after its retries unless the target
 * has a dead-letter queue; Lambda retries a failed async invocation twice and then drops it
 * unless the function has an on-failure destination. So:
 * - one rule per RuleSpec (runbooks/routing.ts eventRules), target = the runbook's intake, with a retry
 *   policy bounded by config.maxEventAgeSeconds (an older event would be ignored anyway)
 *   and a DLQ; a Lambda permission for exactly that rule;
 * - every function: an async invoke config with a retry budget and an SQS on-failure
 *   destination (workflows on their alias: that is the qualifier they are invoked through);
 * - an alarm on each queue that pages P2 (and resolves it when the queue is drained).
 */
import type { AutopilotConfig } from '../domain/config';
import type { RuleSpec } from '../domain/event-patterns';
import { WORKFLOW_ALIAS } from '../handlers/shared/contract';
import { getAtt, pascal, ref, type CfnResource, type CfnValue } from './cfn';
import { intakeOf, SERVICE, type DeployedFunction } from './functions';
import { aliasId, ASYNC_FAILURE_QUEUE_ID, EVENT_DLQ_ID, EVENT_DLQ_POLICY_ID, invokeConfigId, PRIVATE_BUS_ID, queueAlarmId, topicId } from './logical-ids';

/** EventBridge's own maximum (and default) retry count; the event age bound stops it first. */
export const EVENTBRIDGE_MAX_RETRIES = 185;
/** Lambda's default: intakes are idempotent (dedup claim on the event id), so retries are safe. */
export const INTAKE_ASYNC_RETRIES = 2;
/**
 * A durable workflow retries inside its steps; a failed execution must reach the on-failure
 * queue and page, not start over (a restart would re-run a remediation from the top).
 */
export const WORKFLOW_ASYNC_RETRIES = 0;
const FOURTEEN_DAYS = 1_209_600;

export const ruleLogicalId = (spec: RuleSpec): string => `Rule${pascal(spec.name)}`;
export const rulePermissionId = (spec: RuleSpec): string => `${ruleLogicalId(spec)}InvokePermission`;

export function ruleName(stage: string, spec: RuleSpec): string {
  const name = `${SERVICE}-${stage}-${spec.name}`;
  if (name.length > 64) throw new Error(`EventBridge rule name ${name} is longer than 64 characters`);
  return name;
}

/** EventBridge accepts 60 s .. 24 h for the event age; Lambda async 60 s .. 6 h. */
export const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(value)));

/**
 * `scheduleRuleIds`: logical ids of schedule rules (infra/preflight.ts) that dead-letter into the
 * same queue: the queue policy lets EventBridge write there for them too.
 */
export function deliveryResources(config: AutopilotConfig, rules: readonly RuleSpec[], fns: readonly DeployedFunction[], scheduleRuleIds: readonly string[] = []): Record<string, CfnResource> {
  const resources: Record<string, CfnResource> = {};
  const names = new Set<string>();

  resources[EVENT_DLQ_ID] = queue(`${SERVICE}-${config.stage}-event-dlq`);
  resources[ASYNC_FAILURE_QUEUE_ID] = queue(`${SERVICE}-${config.stage}-async-failures`);

  for (const spec of rules) {
    if (names.has(spec.name)) throw new Error(`two RuleSpecs are named ${spec.name}`);
    names.add(spec.name);
    const intake = intakeOf(fns, spec.runbook);
    resources[ruleLogicalId(spec)] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: ruleName(config.stage, spec),
        Description: spec.description.slice(0, 512),
        // Requests and hand-offs: the private bus only (domain/event-patterns.ts RuleSpec.bus).
        EventBusName: spec.bus === 'private' ? ref(PRIVATE_BUS_ID) : 'default',
        State: 'ENABLED',
        EventPattern: spec.pattern as unknown as CfnValue,
        Targets: [
          {
            Id: `${intake.key}-intake`,
            // Intakes are plain functions; only workflows (never a rule target) require an alias.
            Arn: getAtt(intake.functionLogicalId, 'Arn'),
            RetryPolicy: {
              MaximumRetryAttempts: EVENTBRIDGE_MAX_RETRIES,
              MaximumEventAgeInSeconds: clamp(config.maxEventAgeSeconds, 60, 86_400),
            },
            DeadLetterConfig: { Arn: getAtt(EVENT_DLQ_ID, 'Arn') },
          },
        ],
      },
    };
    resources[rulePermissionId(spec)] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(intake.functionLogicalId, 'Arn'),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(ruleLogicalId(spec), 'Arn'),
      },
    };
  }

  resources[EVENT_DLQ_POLICY_ID] = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(EVENT_DLQ_ID)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OurRulesDeadLetter',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt(EVENT_DLQ_ID, 'Arn'),
            Condition: { ArnEquals: { 'aws:SourceArn': [...rules.map((spec) => ruleLogicalId(spec)), ...scheduleRuleIds].map((id) => getAtt(id, 'Arn')) } },
          },
        ],
      },
    },
  };

  for (const fn of fns) {
    const workflow = fn.kind === 'workflow';
    resources[invokeConfigId(fn.functionLogicalId)] = {
      Type: 'AWS::Lambda::EventInvokeConfig',
      ...(workflow ? { DependsOn: aliasId(fn.functionLogicalId) } : {}),
      Properties: {
        FunctionName: ref(fn.functionLogicalId),
        Qualifier: workflow ? WORKFLOW_ALIAS : '$LATEST',
        MaximumRetryAttempts: workflow ? WORKFLOW_ASYNC_RETRIES : INTAKE_ASYNC_RETRIES,
        // An intake event older than the configured age is ignored anyway; a workflow start is not.
        MaximumEventAgeInSeconds: workflow ? 21_600 : clamp(config.maxEventAgeSeconds, 60, 21_600),
        DestinationConfig: { OnFailure: { Destination: getAtt(ASYNC_FAILURE_QUEUE_ID, 'Arn') } },
      },
    };
  }

  for (const queueId of [EVENT_DLQ_ID, ASYNC_FAILURE_QUEUE_ID]) {
    resources[queueAlarmId(queueId)] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `${queueId}: an event or invocation was not delivered; inspect and redrive the queue (pages P2)`,
        Namespace: 'AWS/SQS',
        // Messages SENT per minute, not messages visible: a visible-count alarm stays in ALARM
        // after the first undrained message and every later failure would be silent.
        MetricName: 'NumberOfMessagesSent',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        // OK goes to the same topic so PagerDuty resolves the incident (PAGERDUTY.md §2).
        AlarmActions: [ref(topicId('P2'))],
        OKActions: [ref(topicId('P2'))],
      },
    };
  }
  return resources;
}

function queue(name: string): CfnResource {
  return {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: name, MessageRetentionPeriod: FOURTEEN_DAYS, SqsManagedSseEnabled: true },
  };
}
