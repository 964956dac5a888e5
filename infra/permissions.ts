/**
 * One least-privilege IAM role per function.
 *
 * Every mutating action is scoped to the configured resource ARNs (services, instances,
 * zone, deployment group, listener, buckets); reads (Describe/List/Get) use "*" only where
 * the API has no resource-level permission worth the complexity. A durable runbook's intake
 * only reads and starts its workflow; the workflow holds the mutations. investigate-5xx
 * has no workflow, so its intake holds its one mutation (the memory-leak restart).
 *
 * Action/resource pairs follow the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/) and the durable
 * functions security page (https://docs.aws.amazon.com/lambda/latest/dg/durable-security.html):
 * checkpoint permissions are authorised against the durable execution ARN, a sub-resource
 * of a *version* (`function:name:*`), never the alias or the unqualified function.
 */
import { blueGreenConfigured, codeDeployConfigured } from '../domain/features';
import type { AutopilotConfig, EcsServiceConfig, RunbookId, Severity } from '../domain/config';
import { READINESS_KEY_PREFIX } from '../domain/modes';
import { READINESS_NAMESPACE, READINESS_PARTITION_KEY } from '../domain/preflight';
import { escapeSub, getAtt, ref, sub, type CfnResource, type CfnValue, type PolicyStatement } from './cfn';
import { privateBusArn } from './event-bus';
import { functionArn, workflowAliasArnTemplate, workflowOf, type DeployedFunction, type OperatorFunction, type PreflightFunction } from './functions';
import { ASYNC_FAILURE_QUEUE_ID, PAGING_KEY_ID, STATE_TABLE_ID, topicId } from './logical-ids';

/**
 * Values not in AutopilotConfig: deploy parameters (serverless.yml `params`). None today: the
 * roles a cloned task definition passes are configured per service (EcsServiceConfig
 * taskRoleArn / executionRoleArn, see registerTaskDefinition).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PermissionParams {}

const SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3', 'P4'];

// ---- ARNs of the configured resources (deploying account; regions from config) ----

const arn = (service: string, region: string, resource: string): CfnValue =>
  sub(`arn:\${AWS::Partition}:${service}:${region}:\${AWS::AccountId}:${escapeSub(resource)}`);

export const ecsServiceArn = (region: string, cluster: string, service: string) => arn('ecs', region, `service/${cluster}/${service}`);
export const taskFamilyArn = (region: string, family: string) => arn('ecs', region, `task-definition/${family}:*`);
export const rdsArn = (region: string, type: 'db' | 'snapshot' | 'subgrp' | 'og' | 'pg', name: string) => arn('rds', region, `${type}:${name}`);
export const hostedZoneArn = (zoneId: string): CfnValue => sub(`arn:\${AWS::Partition}:route53:::hostedzone/${escapeSub(zoneId)}`);
export const deploymentGroupArn = (region: string, app: string, group: string) => arn('codedeploy', region, `deploymentgroup:${app}/${group}`);
export const logGroupArn = (region: string, name: string) => arn('logs', region, `log-group:${name}:*`);
export const bucketArn = (bucket: string): CfnValue => sub(`arn:\${AWS::Partition}:s3:::${escapeSub(bucket)}`);
export const objectsArn = (bucket: string): CfnValue => sub(`arn:\${AWS::Partition}:s3:::${escapeSub(bucket)}/*`);

const allow = (Sid: string, Action: string[], Resource: CfnValue[], Condition?: PolicyStatement['Condition']): PolicyStatement =>
  Condition === undefined ? { Sid, Effect: 'Allow', Action, Resource } : { Sid, Effect: 'Allow', Action, Resource, Condition };

// ---- what every function needs ----

/** Item writes on the state table (every function: locks, claims, actions, incidents). */
export const STATE_TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;
/** Partition key of the controls item (adapters/dynamo/guardrail-store.ts CONTROLS_KEY). */
export const CONTROLS_PARTITION_KEY = 'controls';
/**
 * Every partition key the request touches is not the controls item's. ForAllValues over
 * dynamodb:LeadingKeys: a BatchWriteItem with one controls put among others is denied too.
 */
export const CONTROLS_ITEM_EXCLUDED: NonNullable<PolicyStatement['Condition']> = {
  'ForAllValues:StringNotEquals': { 'dynamodb:LeadingKeys': [CONTROLS_PARTITION_KEY] },
};

function baseStatements(fn: DeployedFunction): PolicyStatement[] {
  return [
    allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn.name}:*`),
    ]),
    allow('GuardrailStateTable', ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], [getAtt(STATE_TABLE_ID, 'Arn')]),
    // Writes to every item but the controls item (partition key "controls"): only an
    // operator (autopilot controls) flips the kill switch or dry-run, never a function.
    allow('GuardrailStateTableWrites', [...STATE_TABLE_WRITES], [getAtt(STATE_TABLE_ID, 'Arn')], CONTROLS_ITEM_EXCLUDED),
    allow('PublishPages', ['sns:Publish'], SEVERITIES.map((s) => ref(topicId(s)))),
    // Topics are encrypted with the paging CMK: publishers need a data key from it.
    allow('EncryptPages', ['kms:GenerateDataKey', 'kms:Decrypt'], [getAtt(PAGING_KEY_ID, 'Arn')]),
    // Lambda sends failed async invocations to the on-failure destination with the function's role.
    allow('AsyncFailureDestination', ['sqs:SendMessage'], [getAtt(ASYNC_FAILURE_QUEUE_ID, 'Arn')]),
  ];
}

function intakeStatements(fn: DeployedFunction, fns: readonly DeployedFunction[]): PolicyStatement[] {
  const workflow = workflowOf(fns, fn.runbook);
  if (workflow === undefined) return [];
  return [
    // The dispatcher: Invoke on the alias only (durable functions refuse unqualified invocations).
    allow('StartOwnWorkflow', ['lambda:InvokeFunction'], [sub(workflowAliasArnTemplate(workflow))]),
  ];
}

function workflowStatements(fn: DeployedFunction): PolicyStatement[] {
  return [
    allow('DurableExecutionCheckpoints', ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'], [functionArn(fn, '*')]),
  ];
}

// ---- per runbook: reads (intake + workflow) and mutations (whoever acts) ----

interface RunbookGrants {
  /** Reads of the function that acts (the workflow, or the intake of a runbook without one). */
  reads: PolicyStatement[];
  /**
   * Reads of a durable runbook's intake: only what its intake code calls (the drill records calls
   * per function and infra/iam-usage.test.ts fails on a grant nobody uses). Default: none.
   */
  intakeReads?: PolicyStatement[];
  mutations: PolicyStatement[];
}

// Each list is exactly what the runbook's adapter (adapters/aws/<runbook>.ts) calls: infra/iam-coverage.test.ts
// fails on a missing one, infra/iam-usage.test.ts on one no drill scenario uses.

/**
 * Registering a clone of the service's task definition: family-scoped, with the tag-on-create
 * permission and PassRole of its roles.
 *
 * The clone carries the live revision's taskRoleArn and executionRoleArn unchanged
 * (adapters/aws/task-definitions.ts never sets a role of its own), and RegisterTaskDefinition
 * checks iam:PassRole on each role it is given. PassRole covers exactly the roles configured for
 * the service (EcsServiceConfig taskRoleArn, executionRoleArn; '' = none), only to ECS tasks
 * (iam:PassedToService): "To limit the user to passing only approved roles, you can filter the
 * iam:PassRole permission with the Resources element"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html;
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html). A live revision
 * that carries other roles would be denied at step 5, after the promotion: `autopilot preflight`
 * (domain/preflight.ts) reports NOT READY naming the mismatch before any incident, and the
 * failover's secondary gate refuses before promoting.
 */
function registerTaskDefinition(sidPrefix: string, svc: EcsServiceConfig, alsoFor: readonly EcsServiceConfig[] = []): PolicyStatement[] {
  const roles = [...new Set([svc, ...alsoFor].flatMap((s) => [s.taskRoleArn, s.executionRoleArn]).filter((r) => r !== ''))];
  return [
    allow(`${sidPrefix}RegisterTaskDefinition`, ['ecs:RegisterTaskDefinition'], [taskFamilyArn(svc.region, svc.taskFamily)]),
    allow(`${sidPrefix}TagTaskDefinitionOnCreate`, ['ecs:TagResource'], [taskFamilyArn(svc.region, svc.taskFamily)], {
      StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
    }),
    ...(roles.length > 0
      ? [allow(`${sidPrefix}PassTaskRoles`, ['iam:PassRole'], roles, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } })]
      : []),
  ];
}

/**
 * DATABASE_URL as a Secrets Manager / SSM reference (adapters/aws/database-url.ts): read the
 * references under the configured prefixes in `regions` (the service's Region: a reference is
 * never read elsewhere), and write only new ones named after this runbook's incidents
 * (`<source>/<runbook>-<incident>/<instance>`, domain/database-url-reference.ts): a role can
 * neither change the secret a running service reads nor write outside its runbook's names.
 * KMS only through Secrets Manager / SSM, only for those secrets / parameters (encryption
 * context), for references under a customer managed key (the AWS managed keys need no grant).
 * Secrets Manager: API reference GetSecretValue / CreateSecret, "Required permissions";
 * Parameter Store: ps-restrict-decryption, and DescribeParameters has no resource type ("*").
 */
function databaseUrlReferences(sidPrefix: string, runbook: RunbookId, regions: readonly string[], config: AutopilotConfig): PolicyStatement[] {
  const { secretNamePrefix, parameterNamePrefix } = config.database.urlReferences;
  const path = parameterNamePrefix.replace(/^\//, '');
  const secrets = secretNamePrefix ? regions.map((r) => arn('secretsmanager', r, `secret:${secretNamePrefix}*`)) : [];
  const parameters = parameterNamePrefix ? regions.map((r) => arn('ssm', r, `parameter/${path}*`)) : [];
  // Any key of the account: kms:ViaService pins the regions and the encryption context the references.
  const keys = [arn('kms', '*', 'key/*')];
  // No tags on what is written (no TagResource / AddTagsToResource grant): its name and description say whose it is.
  return [
    ...(secrets.length
      ? [
          allow(`${sidPrefix}ReadDbUrlSecrets`, ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], secrets),
          allow(`${sidPrefix}CreateDbUrlSecrets`, ['secretsmanager:CreateSecret'], regions.map((r) => arn('secretsmanager', r, `secret:${secretNamePrefix}*/${runbook}-*`))),
        ]
      : []),
    ...(parameters.length
      ? [
          allow(`${sidPrefix}ReadDbUrlParams`, ['ssm:GetParameter'], parameters),
          // Never an overwrite: a new parameter or nothing.
          allow(`${sidPrefix}PutDbUrlParams`, ['ssm:PutParameter'], regions.map((r) => arn('ssm', r, `parameter/${path}*/${runbook}-*`)), { StringEquals: { 'ssm:Overwrite': 'false' } }),
        ]
      : []),
    // Customer managed keys, only through Secrets Manager / SSM in these regions and only for
    // these secrets / parameters (the encryption context each service sets; the region is
    // pinned by the key ARN and kms:ViaService, so the context patterns leave it open).
    ...(secrets.length
      ? [
          allow(`${sidPrefix}DbUrlSecretsKms`, ['kms:Decrypt', 'kms:GenerateDataKey'], keys, {
            StringEquals: { 'kms:ViaService': regions.map((r) => `secretsmanager.${r}.amazonaws.com`) },
            StringLike: { 'kms:EncryptionContext:SecretARN': [arn('secretsmanager', '*', `secret:${secretNamePrefix}*`)] },
          }),
        ]
      : []),
    ...(parameters.length
      ? [
          allow(`${sidPrefix}DbUrlParamsKms`, ['kms:Decrypt', 'kms:Encrypt'], keys, {
            StringEquals: { 'kms:ViaService': regions.map((r) => `ssm.${r}.amazonaws.com`) },
            StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': [arn('ssm', '*', `parameter/${path}*`)] },
          }),
        ]
      : []),
  ];
}

/**
 * Only the reads of DATABASE_URL references (adapters/aws/database-url-read.ts), for the readiness
 * check: GetSecretValue / GetParameter under the configured prefixes, KMS Decrypt only through
 * those services for those references. It can read the URL (the password with it), as the runbooks
 * can; it writes no reference and registers nothing.
 */
function databaseUrlReads(sidPrefix: string, regions: readonly string[], config: AutopilotConfig): PolicyStatement[] {
  const { secretNamePrefix, parameterNamePrefix } = config.database.urlReferences;
  const path = parameterNamePrefix.replace(/^\//, '');
  const keys = [arn('kms', '*', 'key/*')];
  return [
    ...(secretNamePrefix
      ? [
          allow(`${sidPrefix}ReadDbUrlSecrets`, ['secretsmanager:GetSecretValue'], regions.map((r) => arn('secretsmanager', r, `secret:${secretNamePrefix}*`))),
          allow(`${sidPrefix}DbUrlSecretsKms`, ['kms:Decrypt'], keys, {
            StringEquals: { 'kms:ViaService': regions.map((r) => `secretsmanager.${r}.amazonaws.com`) },
            StringLike: { 'kms:EncryptionContext:SecretARN': [arn('secretsmanager', '*', `secret:${secretNamePrefix}*`)] },
          }),
        ]
      : []),
    ...(parameterNamePrefix
      ? [
          allow(`${sidPrefix}ReadDbUrlParams`, ['ssm:GetParameter'], regions.map((r) => arn('ssm', r, `parameter/${path}*`))),
          allow(`${sidPrefix}DbUrlParamsKms`, ['kms:Decrypt'], keys, {
            StringEquals: { 'kms:ViaService': regions.map((r) => `ssm.${r}.amazonaws.com`) },
            StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': [arn('ssm', '*', `parameter/${path}*`)] },
          }),
        ]
      : []),
  ];
}

/** A parameter reference's type, key and tier (adapters/aws/database-url.ts): metadata only, and only "*" authorises it. */
const describeParameters = (config: AutopilotConfig): string[] => (config.database.urlReferences.parameterNamePrefix ? ['ssm:DescribeParameters'] : []);

export function runbookGrants(runbook: RunbookId, config: AutopilotConfig, _params: PermissionParams): RunbookGrants {
  const primary = config.service;
  const secondary = config.secondaryService;
  const db = config.database;
  const primaryServiceArn = ecsServiceArn(primary.region, primary.clusterName, primary.serviceName);
  switch (runbook) {
    case 'database-failover':
      return {
        reads: [
          allow('FailoverReads', ['rds:DescribeDBInstances', 'cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms', 'ecs:DescribeClusters', 'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'route53:GetChange', ...describeParameters(config)], ['*']),
          allow('FailoverReadRecords', ['route53:ListResourceRecordSets'], [hostedZoneArn(config.dns.hostedZoneId)]),
        ],
        mutations: [
          // Step 3 pauses the primary service, step 6 starts the secondary one.
          allow('FailoverUpdateServices', ['ecs:UpdateService'], [primaryServiceArn, ecsServiceArn(secondary.region, secondary.clusterName, secondary.serviceName)]),
          // Step 4.
          allow('FailoverPromoteReplica', ['rds:PromoteReadReplica'], [rdsArn(db.replicaRegion, 'db', db.replicaInstanceId)]),
          // Step 5: the secondary region's task definition with the promoted endpoint.
          ...registerTaskDefinition('Failover', secondary),
          // Step 5 when DATABASE_URL is a reference: read it and write a new one, in the secondary region only.
          ...databaseUrlReferences('Failover', runbook, [secondary.region], config),
          // Step 7: only the configured record in the configured zone. Values are normalized (lower case, no
          // trailing dot): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
          allow('FailoverSwitchDns', ['route53:ChangeResourceRecordSets'], [hostedZoneArn(config.dns.hostedZoneId)], {
            'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [config.dns.recordName.toLowerCase().replace(/\.$/, '')] },
          }),
        ],
      };
    case 'rollback-deployment':
      return {
        reads: [
          allow('RollbackReads', [
            'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions', 'ecs:ListTasks', 'ecs:DescribeTasks', 'cloudwatch:DescribeAlarms',
            'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeTargetHealth', 'codedeploy:ListDeployments', 'codedeploy:GetDeployment',
          ], ['*']),
        ],
        // The intake reads the service's deployments to know which deployment failed.
        intakeReads: [allow('RollbackIntakeReads', ['ecs:DescribeServices'], ['*'])],
        mutations: [
          allow('RollbackUpdateService', ['ecs:UpdateService'], [primaryServiceArn]),
          // Blue/green only where the adopter has it (an empty codeDeploy / listenerArn turns it off).
          // codedeploy:StopDeployment has no resource type in the Service Authorization Reference: only "*" authorises it
          // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodedeploy.html).
          ...(codeDeployConfigured(config) ? [allow('RollbackStopDeployment', ['codedeploy:StopDeployment'], ['*'])] : []),
          ...(blueGreenConfigured(config) ? [allow('RollbackSwitchListener', ['elasticloadbalancing:ModifyListener'], [primary.listenerArn])] : []),
        ],
      };
    case 'scale-ecs':
      return {
        reads: [
          allow('ScaleReads', ['ecs:DescribeServices', 'cloudwatch:DescribeAlarms', 'elasticloadbalancing:DescribeTargetHealth', 'application-autoscaling:DescribeScalableTargets'], ['*']),
          // Diagnosis before scaling (issue 13): the same pool and dependency signals as investigate-5xx.
        ],
        // The intake reads the alarm's live state (an alarm event is a claim, the alarm is the fact).
        // The intake reads the alarm's live state and diagnoses before scaling (issue 13): the investigate-5xx signals.
        intakeReads: [
          allow('ScaleIntakeReads', ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData', 'ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks', 'rds:DescribeDBInstances', 'elasticache:DescribeCacheClusters'], ['*']),
          allow('ScaleIntakeReadAppLogs', ['logs:FilterLogEvents'], [logGroupArn(primary.region, primary.logGroupName)]),
          allow('ScaleIntakeProbeBuckets', ['s3:ListBucket'], config.dependencies.s3Buckets.map(bucketArn)),
        ],
        mutations: [
          allow('ScaleUpdateService', ['ecs:UpdateService'], [primaryServiceArn]),
          // Keeps target tracking from undoing a manual step; scalable targets are only addressable by a generated id.
          allow('ScaleAdjustScalableTarget', ['application-autoscaling:RegisterScalableTarget'], [arn('application-autoscaling', primary.region, 'scalable-target/*')]),
        ],
      };
    case 'investigate-5xx':
      return {
        reads: [
          allow('InvestigateReads', ['cloudwatch:GetMetricData', 'ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks', 'rds:DescribeDBInstances', 'elasticache:DescribeCacheClusters'], ['*']),
          allow('InvestigateReadAppLogs', ['logs:FilterLogEvents'], [logGroupArn(primary.region, primary.logGroupName)]),
          allow('InvestigateProbeBuckets', ['s3:ListBucket'], config.dependencies.s3Buckets.map(bucketArn)),
        ],
        mutations: [
          // Memory leak: force a new deployment of the same service (runbook 4, "Memory Leak").
          allow('InvestigateRestartService', ['ecs:UpdateService'], [primaryServiceArn]),
        ],
      };
    case 'restore-from-backup': {
      // The database lives in the primary region until a failover promotes the replica in the secondary
      // one; a restore then reads and restores the promoted instance there (runbook 5 after runbook 1).
      const homes = [
        { region: primary.region, source: db.primaryInstanceId },
        { region: db.replicaRegion, source: db.replicaInstanceId },
      ].filter((h, i, all) => all.findIndex((x) => x.region === h.region && x.source === h.source) === i);
      const restoreTargets = homes.flatMap((h) => [rdsArn(h.region, 'db', `${h.source}-restored-*`), rdsArn(h.region, 'db', `${h.source}-pitr-*`)]);
      // A restore authorises the option group, parameter group and subnet group it uses: the primary's (copied over) or the defaults.
      const supporting = [...new Set(homes.map((h) => h.region))].flatMap((region) => [rdsArn(region, 'og', '*'), rdsArn(region, 'pg', '*'), rdsArn(region, 'subgrp', '*')]);
      const sources = homes.map((h) => rdsArn(h.region, 'db', h.source));
      const buckets = config.dependencies.s3Buckets;
      return {
        reads: [
          allow('RestoreReads', ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'rds:DescribeDBInstanceAutomatedBackups', 'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', ...describeParameters(config)], ['*']),
          // ListObjectVersions is authorised as s3:ListBucketVersions; CopyObject of a version reads it with s3:GetObjectVersion.
          allow('RestoreReadObjectVersions', ['s3:ListBucketVersions'], buckets.map(bucketArn)),
          allow('RestoreReadObjects', ['s3:GetObjectVersion'], buckets.map(objectsArn)),
        ],
        mutations: [
          // Step 2: the pre-restore snapshot (tagged on create).
          allow('RestoreCreateSnapshot', ['rds:CreateDBSnapshot', 'rds:AddTagsToResource'], [...sources, ...homes.map((h) => rdsArn(h.region, 'snapshot', `${h.source}-before-restore-*`))]),
          // Step 3: always to a new instance. The snapshot may have any name (an operator's manual snapshot,
          // a copied one): the workflow checks it belongs to this database before the call.
          allow('RestoreFromSnapshot', ['rds:RestoreDBInstanceFromDBSnapshot'], [
            ...restoreTargets,
            ...[...new Set(homes.map((h) => h.region))].map((region) => rdsArn(region, 'snapshot', '*')),
            ...supporting,
          ]),
          allow('RestoreToPointInTime', ['rds:RestoreDBInstanceToPointInTime'], [...sources, ...restoreTargets, ...supporting]),
          // The restored instance carries the primary's tags (tag on create).
          allow('RestoreTagRestoredInstance', ['rds:AddTagsToResource'], restoreTargets),
          // Step 5: switch the service to a task definition pointing at the restored endpoint: the primary
          // service, or the secondary one once a failover made it the live one.
          allow('RestoreSwitchService', ['ecs:UpdateService'], [primaryServiceArn, ecsServiceArn(secondary.region, secondary.clusterName, secondary.serviceName)]),
          // One family in one region: one grant, passing the roles of either service's revisions.
          ...(secondary.region === primary.region && secondary.taskFamily === primary.taskFamily
            ? registerTaskDefinition('Restore', primary, [secondary])
            : [...registerTaskDefinition('Restore', primary), ...registerTaskDefinition('RestoreSecondary', secondary)]),
          // Step 5 when DATABASE_URL is a reference: in the live service's Region (the secondary's after a failover).
          ...databaseUrlReferences('Restore', runbook, [...new Set([primary.region, secondary.region])], config),
          // S3: restore a previous version by copying it over the current one, tags included (TaggingDirective COPY:
          // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
          allow('RestoreWriteObjects', ['s3:PutObject', 's3:PutObjectTagging'], buckets.map(objectsArn)),
          // The copy names a version: its tags are read with s3:GetObjectVersionTagging.
          allow('RestoreReadObjectTags', ['s3:GetObjectVersionTagging'], buckets.map(objectsArn)),
          // SSE-KMS buckets: S3 decrypts the source and generates a data key for the copy with the caller's
          // permissions, only through S3 and only for these buckets
          // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms).
          allow('RestoreObjectsKms', ['kms:Decrypt', 'kms:GenerateDataKey'], [arn('kms', primary.region, 'key/*')], {
            StringEquals: { 'kms:ViaService': `s3.${primary.region}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': buckets.flatMap((b) => [bucketArn(b), objectsArn(b)]) },
          }),
        ],
      };
    }
  }
}

/**
 * Runbooks whose intake hands work to another runbook: investigate-5xx ('Scale Requested',
 * 'Rollback Requested'). Only these hold events:PutEvents, and only on the private bus.
 */
export const HAND_OFF_RUNBOOKS: readonly RunbookId[] = ['investigate-5xx'];

/** The statements of one function's role. */
export function roleStatements(fn: DeployedFunction, fns: readonly DeployedFunction[], config: AutopilotConfig, params: PermissionParams): PolicyStatement[] {
  const granted = runbookGrants(fn.runbook, config, params);
  // A feature the adopter does not have (no S3 buckets configured) grants nothing: IAM refuses an empty Resource.
  const grants = { reads: granted.reads.filter(hasResources), intakeReads: granted.intakeReads?.filter(hasResources), mutations: granted.mutations.filter(hasResources) };
  const acts = fn.kind === 'workflow' || workflowOf(fns, fn.runbook) === undefined;
  const handsOff = fn.kind === 'intake' && HAND_OFF_RUNBOOKS.includes(fn.runbook);
  return [
    ...baseStatements(fn),
    ...(handsOff ? [allow('HandOffEvents', ['events:PutEvents'], [privateBusArn(config.stage)])] : []),
    ...(fn.kind === 'intake' ? intakeStatements(fn, fns) : workflowStatements(fn)),
    ...(acts ? grants.reads : (grants.intakeReads ?? [])),
    ...(acts ? grants.mutations : []),
  ];
}

/**
 * The operator-request function: pages, its replay claims in the state table, the private
 * bus (verified requests), and the one grant nobody else holds: answering the workflows'
 * human gates. Durable callbacks belong to an execution, a sub-resource of a published
 * version (`function:name:*`), like the checkpoint actions.
 */
export function operatorStatements(fn: OperatorFunction, fns: readonly DeployedFunction[], config: AutopilotConfig): PolicyStatement[] {
  const workflows = fns.filter((f) => f.kind === 'workflow');
  return [
    allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn.name}:*`),
    ]),
    allow('StateTableReads', ['dynamodb:GetItem'], [getAtt(STATE_TABLE_ID, 'Arn')]),
    // Proof claims and relay markers, both conditional PutItems (guardrail-store claimOnce,
    // markOwnChange); never the controls item (like every function role).
    allow('ReplayClaimsAndRelayMarkers', ['dynamodb:PutItem'], [getAtt(STATE_TABLE_ID, 'Arn')], CONTROLS_ITEM_EXCLUDED),
    allow('PublishPages', ['sns:Publish'], SEVERITIES.map((s) => ref(topicId(s)))),
    allow('EncryptPages', ['kms:GenerateDataKey', 'kms:Decrypt'], [getAtt(PAGING_KEY_ID, 'Arn')]),
    allow('RelayVerifiedRequests', ['events:PutEvents'], [privateBusArn(config.stage)]),
    allow('AnswerHumanGates', ['lambda:SendDurableExecutionCallbackSuccess', 'lambda:SendDurableExecutionCallbackFailure'], workflows.map((w) => functionArn(w, '*'))),
  ];
}

export function operatorRoleResource(fn: OperatorFunction, fns: readonly DeployedFunction[], config: AutopilotConfig): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: fn.roleName,
      Description: `Role of ${fn.name}: verifies operators, relays their requests, answers human gates`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: 'operator-request', PolicyDocument: { Version: '2012-10-17', Statement: operatorStatements(fn, fns, config) as unknown as CfnValue } }],
    },
  };
}

/**
 * The role people assume to use `autopilot request` / `autopilot approve`: it may invoke the
 * operator-request function and nothing else. Who may assume it is the account's decision
 * (its identity policies); what they may ask is config.operators, checked on the verified ARN.
 */
export function humanOperatorRoleResource(stage: string, fn: OperatorFunction): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: `${'runbook-autopilot'}-${stage}-operator`,
      Description: 'Assumed by on-call engineers to ask the autopilot for a restore, rollback or scale, or to answer a human gate',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: 'invoke-operator-request',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Sid: 'AskTheAutopilot', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${fn.name}`)] }],
          },
        },
      ],
    },
  };
}

export function roleResource(fn: DeployedFunction, fns: readonly DeployedFunction[], config: AutopilotConfig, params: PermissionParams): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      // Named like its function: the preflight's IAM policy simulation (adapters/aws/iam-simulation.ts) finds it by name.
      RoleName: fn.roleName,
      Description: `Least-privilege role of ${fn.name} (${fn.runbook} ${fn.kind})`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: `${fn.runbook}-${fn.kind}`,
          PolicyDocument: { Version: '2012-10-17', Statement: roleStatements(fn, fns, config, params) as unknown as CfnValue },
        },
      ],
    },
  };
}

/**
 * The scheduled preflight (issue 16 item 3): read-only towards the estate. Exactly the reads
 * adapters/aws/preflight.ts makes (the same as `autopilot preflight`), the IAM policy
 * simulation of the roles it checks, its RunbookReady metric (only in its namespace: the
 * cloudwatch:namespace condition, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html),
 * the P3 page, and in the state table only its own items: the verdicts (pk "readiness") and
 * the marks of its own pages (pk "own#paged:preflight-...", which the resolve reads back).
 */
export function preflightStatements(fn: PreflightFunction, simulated: readonly { roleName: string }[], config: AutopilotConfig): PolicyStatement[] {
  const svc = config.service;
  const table = getAtt(STATE_TABLE_ID, 'Arn');
  return [
    allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn.name}:*`),
    ]),
    allow('ReadinessStateReads', ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [table]),
    // Never the controls item, nor anything but its own items: every key of a request must be one of these.
    allow('ReadinessStateWrites', ['dynamodb:PutItem'], [table], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [READINESS_PARTITION_KEY, `own#paged:${READINESS_KEY_PREFIX}*`] },
    }),
    allow('PreflightReads', ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms', 'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions', 'application-autoscaling:DescribeScalableTargets'], ['*']),
    allow('PreflightReadRecords', ['route53:ListResourceRecordSets'], [hostedZoneArn(config.dns.hostedZoneId)]),
    ...(codeDeployConfigured(config)
      ? [allow('PreflightReadDeploymentGroup', ['codedeploy:GetDeploymentGroup'], [deploymentGroupArn(svc.region, config.codeDeploy.applicationName, config.codeDeploy.deploymentGroupName)])]
      : []),
    allow('PreflightReadSubscriptions', ['sns:ListSubscriptionsByTopic'], SEVERITIES.map((s) => ref(topicId(s)))),
    allow('PublishRunbookReady', ['cloudwatch:PutMetricData'], ['*'], { StringEquals: { 'cloudwatch:namespace': READINESS_NAMESPACE } }),
    allow('SimulateFunctionRoles', ['iam:SimulatePrincipalPolicy'], simulated.map((r) => sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${escapeSub(r.roleName)}`))),
    // DATABASE_URL read as the runbooks read it, in each service's Region.
    ...databaseUrlReads('Preflight', [...new Set([svc.region, config.secondaryService.region])], config),
    allow('PageNotReady', ['sns:Publish'], [ref(topicId('P3'))]),
    allow('EncryptPages', ['kms:GenerateDataKey', 'kms:Decrypt'], [getAtt(PAGING_KEY_ID, 'Arn')]),
    allow('AsyncFailureDestination', ['sqs:SendMessage'], [getAtt(ASYNC_FAILURE_QUEUE_ID, 'Arn')]),
  ];
}

/** The roles the preflight simulates: every runbook function's and the operator-request function's (not its own). */
export function simulatedRoles(fns: readonly DeployedFunction[], operator: OperatorFunction): { key: string; roleName: string }[] {
  return [...fns, operator].map((f) => ({ key: f.key, roleName: f.roleName }));
}

export function preflightRoleResource(fn: PreflightFunction, fns: readonly DeployedFunction[], operator: OperatorFunction, config: AutopilotConfig): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: fn.roleName,
      Description: `Role of ${fn.name}: reads what the runbooks need, simulates their roles, publishes RunbookReady, pages P3`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: 'scheduled-preflight', PolicyDocument: { Version: '2012-10-17', Statement: preflightStatements(fn, simulatedRoles(fns, operator), config) as unknown as CfnValue } }],
    },
  };
}

function hasResources(statement: PolicyStatement): boolean {
  const resource = (statement as { Resource?: unknown }).Resource;
  return !Array.isArray(resource) || resource.length > 0;
}
