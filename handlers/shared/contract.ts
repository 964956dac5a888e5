/**
 * The contract between handlers, the drill and the infrastructure. Fixed names:
 * serverless.yml (infra/) deploys these, the drill (drill/) invokes them, `autopilot route`
 * prints them.
 *
 * Each runbook has an *intake* handler (a plain Lambda, the EventBridge target: parse,
 * filter, decide, act or page) and, when the runbook waits, a *workflow* (a durable
 * function, invoked by the intake with DurableExecutionName = incident key so duplicate
 * and concurrent triggers join one execution: the dispatcher pattern AWS recommends for
 * idempotent durable starts).
 */
import type { RunbookId } from '../../domain/config';

export interface RunbookFunctions {
  /** serverless function name of the intake (EventBridge target). */
  intake: string;
  /** module path and export, as serverless.yml `handler:` */
  intakeHandler: string;
  /** durable workflow, when the runbook waits. */
  workflow?: string;
  /**
   * Its own entry module (handlers/<runbook>-workflow.ts), never the intake's: an intake
   * bundle must not load the durable execution SDK (cold start; checked on the packages).
   * Not `<runbook>.workflow.ts`: serverless-esbuild leaves out of a zip every file whose name
   * starts with another bundle's name plus a dot, so that zip would be empty.
   */
  workflowHandler?: string;
}

export const RUNBOOK_FUNCTIONS: Record<RunbookId, RunbookFunctions> = {
  'database-failover': {
    intake: 'databaseFailover',
    intakeHandler: 'handlers/database-failover.handler',
    workflow: 'databaseFailoverWorkflow',
    workflowHandler: 'handlers/database-failover-workflow.handler',
  },
  'rollback-deployment': {
    intake: 'rollbackDeployment',
    intakeHandler: 'handlers/rollback-deployment.handler',
    workflow: 'rollbackDeploymentWorkflow',
    workflowHandler: 'handlers/rollback-deployment-workflow.handler',
  },
  'scale-ecs': {
    intake: 'scaleEcs',
    intakeHandler: 'handlers/scale-ecs.handler',
    workflow: 'scaleEcsWorkflow',
    workflowHandler: 'handlers/scale-ecs-workflow.handler',
  },
  'investigate-5xx': {
    intake: 'investigate5xx',
    intakeHandler: 'handlers/investigate-5xx.handler',
  },
  'restore-from-backup': {
    intake: 'restoreFromBackup',
    intakeHandler: 'handlers/restore-from-backup.handler',
    workflow: 'restoreFromBackupWorkflow',
    workflowHandler: 'handlers/restore-from-backup-workflow.handler',
  },
};

/**
 * The operator-request function: the only way a person asks the autopilot for something
 * or answers one of its human gates (`autopilot request …`, `autopilot approve …`). It
 * verifies the caller's identity with AWS STS, checks it against config.operators, then
 * puts the request on the private bus or sends the durable callback.
 */
export const OPERATOR_FUNCTION = {
  key: 'operatorRequest',
  handler: 'handlers/operator-request.handler',
} as const;

/**
 * The scheduled readiness check (issue 16 item 3): an EventBridge schedule rule
 * (config deployment.preflightSchedule, daily by default) invokes it with a "Scheduled Event".
 * It runs the same checks as `autopilot preflight` plus an IAM policy simulation of every
 * function's role, stores the verdicts in the state table (each workflow reads them at its
 * start), publishes RunbookReady per runbook and pages P3 on NOT READY.
 */
export const PREFLIGHT_FUNCTION = {
  key: 'scheduledPreflight',
  handler: 'handlers/scheduled-preflight.handler',
} as const;

/** Environment only the preflight function receives (the other functions never read it). */
export const PREFLIGHT_ENV = {
  /** ARN of the paging topics' KMS key: CloudFormation generates it, the IAM simulation names it. */
  pagingKeyArn: 'PAGING_KEY_ARN',
} as const;

/** Prefix of every deployed name: functions `runbook-autopilot-<stage>-<key>`, their roles the same. */
export const SERVICE_NAME = 'runbook-autopilot';

/**
 * A function's deployed name (serverless' default `${service}-${stage}-${key}`), which is also
 * the name of its own IAM role: the preflight's policy simulation finds each role by it.
 */
export function deployedName(stage: string, key: string): string {
  return `${SERVICE_NAME}-${stage}-${key}`;
}

/** Alias every durable workflow is invoked through (durable functions refuse unqualified invocations). */
export const WORKFLOW_ALIAS = 'live';

/** DynamoDB state table layout (infra declares it, adapters/dynamo uses it). */
export const STATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** TTL attribute, epoch seconds: locks, dedup claims and old action records expire. */
  ttlAttribute: 'ttl',
} as const;

/** The table's key definition, as CloudFormation and CreateTable both take it (infra/ and the local dynalite). */
export const STATE_TABLE_KEYS = {
  AttributeDefinitions: [
    { AttributeName: STATE_TABLE.partitionKey, AttributeType: 'S' as const },
    { AttributeName: STATE_TABLE.sortKey, AttributeType: 'S' as const },
  ],
  KeySchema: [
    { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' as const },
  ],
};

/** Environment variables the deployed functions receive. */
export const ENV = {
  config: 'AUTOPILOT_CONFIG', // JSON of AutopilotConfig (no secrets)
  table: 'STATE_TABLE_NAME',
  workflowArns: 'WORKFLOW_ARNS', // JSON: RunbookId -> qualified (alias) ARN of its workflow
  eventBus: 'EVENT_BUS_NAME', // bus for hand-off events between runbooks
} as const;

/** Source of our own events (operator requests, runbook hand-offs). */
export const AUTOPILOT_EVENT_SOURCE = 'runbook-autopilot';
