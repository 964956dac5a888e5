/**
 * What AWS authorises for each simulated operation: the IAM actions, the resource ARN each
 * is evaluated against and the request context, from the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
 * and each API's permission notes. An operation missing here is denied: the simulator never
 * lets a call through that it cannot authorise.
 */
import type { AuthRequest } from './iam';
import type { SimWorld } from './world';

type Input = Record<string, any>;
type Mapper = (c: { world: SimWorld; region: string; account: string; input: Input }) => AuthRequest[];

const arn = (service: string, region: string, account: string, resource: string): string => `arn:aws:${service}:${region}:${account}:${resource}`;
const isArn = (s: unknown): s is string => typeof s === 'string' && s.startsWith('arn:');
const lastSegment = (s: string): string => s.split(/[:/]/).pop() ?? s;

// ---------------------------------------------------------------- RDS

const callbackExecution = (c: Parameters<Mapper>[0]): string => c.world.durableHost().callbacks?.executionArn?.(String(c.input.CallbackId ?? '')) ?? arn('lambda', c.region, c.account, 'function:unknown-callback');
const rdsDb = (c: Parameters<Mapper>[0], id: unknown): string => (isArn(id) ? id : arn('rds', c.region, c.account, `db:${String(id ?? '*')}`));
const rdsSnapshot = (c: Parameters<Mapper>[0], id: unknown): string => (isArn(id) ? id : arn('rds', c.region, c.account, `snapshot:${String(id ?? '*')}`));
const one = (action: string, resource: string, context?: AuthRequest['context']): AuthRequest => (context ? { action, resource, context } : { action, resource });

/** Tags on create need rds:AddTagsToResource on the new resource (RDS "Tagging Amazon RDS resources"). */
const rdsTagsOnCreate = (input: Input, resource: string): AuthRequest[] => ((input.Tags ?? []).length > 0 ? [one('rds:AddTagsToResource', resource)] : []);

/**
 * A restore authorises the new instance, the option group, the parameter group and the subnet group it
 * uses: the named ones, else the engine's defaults (rds:RestoreDBInstanceFromDBSnapshot: db, og, pg, subgrp required).
 */
function restoreSupporting(c: Parameters<Mapper>[0], action: string, engineMajor: string): AuthRequest[] {
  const input = c.input;
  return [
    one(action, arn('rds', c.region, c.account, `og:${input.OptionGroupName ?? `default:postgres-${engineMajor}`}`)),
    one(action, arn('rds', c.region, c.account, `pg:${input.DBParameterGroupName ?? `default.postgres${engineMajor}`}`)),
    one(action, arn('rds', c.region, c.account, `subgrp:${input.DBSubnetGroupName ?? 'default'}`)),
  ];
}

function engineMajorOf(world: SimWorld, region: string, instanceId: string | undefined): string {
  const version = instanceId ? world.region(region).rds.instances.get(instanceId)?.engineVersion : undefined;
  return (version ?? '16').split('.')[0] ?? '16';
}

// ---------------------------------------------------------------- ECS

const ecsCluster = (input: Input): string => lastSegment(String(input.cluster ?? 'default'));
const ecsService = (c: Parameters<Mapper>[0], service: unknown): string =>
  isArn(service) ? service : arn('ecs', c.region, c.account, `service/${ecsCluster(c.input)}/${String(service)}`);

/** RegisterTaskDefinition passes its roles to ECS tasks and tags the revision on create. */
function registerTaskDefinition(c: Parameters<Mapper>[0]): AuthRequest[] {
  const family = String(c.input.family ?? '');
  const revision = arn('ecs', c.region, c.account, `task-definition/${family}:*`);
  const roles = [c.input.taskRoleArn, c.input.executionRoleArn].filter((r): r is string => typeof r === 'string' && r.length > 0);
  return [
    one('ecs:RegisterTaskDefinition', revision),
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html#specify-task-iam-roles ("iam:PassRole")
    ...roles.map((role) => one('iam:PassRole', role, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })),
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html (ecs:CreateAction)
    ...((c.input.tags ?? []).length > 0 ? [one('ecs:TagResource', revision, { 'ecs:CreateAction': 'RegisterTaskDefinition' })] : []),
  ];
}

// ---------------------------------------------------------------- S3

const bucketArn = (bucket: unknown): string => `arn:aws:s3:::${String(bucket)}`;
const objectArn = (bucket: unknown, key: unknown): string => `arn:aws:s3:::${String(bucket)}/${String(key)}`;

/**
 * CopyObject: read the source (s3:GetObjectVersion for a version), write the destination
 * (s3:PutObject); with the default TaggingDirective COPY, the source's tags are read
 * (s3:GetObjectVersionTagging / s3:GetObjectTagging) and written (s3:PutObjectTagging); an
 * SSE-KMS source needs kms:Decrypt and an SSE-KMS destination kms:GenerateDataKey, both
 * called by S3 on the caller's behalf (kms:ViaService, the bucket as encryption context).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (Permissions)
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys
 */
function copyObject(c: Parameters<Mapper>[0]): AuthRequest[] {
  const raw = String(c.input.CopySource ?? '');
  const [path = '', query = ''] = raw.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  const srcBucket = decodeURIComponent(path.slice(0, Math.max(0, slash)));
  const srcKey = decodeURIComponent(path.slice(slash + 1));
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  const s3 = c.world.region(c.region).s3;
  const source = s3.buckets.get(srcBucket);
  const target = s3.buckets.get(String(c.input.Bucket));
  const sourceVersion = source?.objects.get(srcKey)?.find((v) => (versionId ? v.versionId === versionId : true));
  const tagged = Object.keys(sourceVersion?.tags ?? {}).length > 0 && (c.input.TaggingDirective ?? 'COPY') === 'COPY';
  const out: AuthRequest[] = [
    one(versionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn(srcBucket, srcKey)),
    one('s3:PutObject', objectArn(c.input.Bucket, c.input.Key)),
  ];
  if (tagged) {
    out.push(one(versionId ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', objectArn(srcBucket, srcKey)));
    out.push(one('s3:PutObjectTagging', objectArn(c.input.Bucket, c.input.Key)));
  }
  const via = { 'kms:ViaService': `s3.${c.region}.amazonaws.com` };
  if (source?.kmsKeyId) out.push(one('kms:Decrypt', kmsKeyArn(c, source.kmsKeyId), { ...via, 'kms:EncryptionContext:aws:s3:arn': bucketArn(srcBucket) }));
  if (target?.kmsKeyId) out.push(one('kms:GenerateDataKey', kmsKeyArn(c, target.kmsKeyId), { ...via, 'kms:EncryptionContext:aws:s3:arn': bucketArn(c.input.Bucket) }));
  return out;
}

const kmsKeyArn = (c: Parameters<Mapper>[0], keyId: string): string => (isArn(keyId) ? keyId : arn('kms', c.region, c.account, `key/${keyId}`));

// ---------------------------------------------------------------- the table

const MAPPERS: Record<string, Mapper> = {
  'RDS.DescribeDBInstances': (c) => [one('rds:DescribeDBInstances', rdsDb(c, c.input.DBInstanceIdentifier))],
  'RDS.PromoteReadReplica': (c) => [one('rds:PromoteReadReplica', rdsDb(c, c.input.DBInstanceIdentifier))],
  'RDS.ModifyDBInstance': (c) => [one('rds:ModifyDBInstance', rdsDb(c, c.input.DBInstanceIdentifier))],
  'RDS.RebootDBInstance': (c) => [one('rds:RebootDBInstance', rdsDb(c, c.input.DBInstanceIdentifier))],
  'RDS.CreateDBSnapshot': (c) => [
    one('rds:CreateDBSnapshot', rdsDb(c, c.input.DBInstanceIdentifier)),
    one('rds:CreateDBSnapshot', rdsSnapshot(c, c.input.DBSnapshotIdentifier)),
    ...rdsTagsOnCreate(c.input, rdsSnapshot(c, c.input.DBSnapshotIdentifier)),
  ],
  'RDS.DescribeDBSnapshots': (c) => [
    one('rds:DescribeDBSnapshots', c.input.DBSnapshotIdentifier ? rdsSnapshot(c, c.input.DBSnapshotIdentifier) : c.input.DBInstanceIdentifier ? rdsDb(c, c.input.DBInstanceIdentifier) : rdsSnapshot(c, '*')),
  ],
  'RDS.RestoreDBInstanceFromDBSnapshot': (c) => {
    const snapshotId = String(c.input.DBSnapshotIdentifier ?? '');
    const sourceDb = c.world.region(c.region).rds.snapshots.get(snapshotId.includes(':snapshot:') ? snapshotId.split(':snapshot:')[1] ?? '' : snapshotId)?.instanceId;
    const action = 'rds:RestoreDBInstanceFromDBSnapshot';
    return [one(action, rdsDb(c, c.input.DBInstanceIdentifier)), one(action, rdsSnapshot(c, snapshotId)), ...restoreSupporting(c, action, engineMajorOf(c.world, c.region, sourceDb)), ...rdsTagsOnCreate(c.input, rdsDb(c, c.input.DBInstanceIdentifier))];
  },
  'RDS.RestoreDBInstanceToPointInTime': (c) => {
    const action = 'rds:RestoreDBInstanceToPointInTime';
    const source = c.input.SourceDBInstanceIdentifier;
    return [
      one(action, rdsDb(c, source)),
      one(action, rdsDb(c, c.input.TargetDBInstanceIdentifier)),
      ...restoreSupporting(c, action, engineMajorOf(c.world, c.region, typeof source === 'string' ? source : undefined)),
      ...rdsTagsOnCreate(c.input, rdsDb(c, c.input.TargetDBInstanceIdentifier)),
    ];
  },
  'RDS.DescribeDBInstanceAutomatedBackups': (c) => [one('rds:DescribeDBInstanceAutomatedBackups', rdsDb(c, c.input.DBInstanceIdentifier))],

  'ECS.DescribeServices': (c) => ((c.input.services ?? []) as unknown[]).map((s) => one('ecs:DescribeServices', ecsService(c, s))),
  'ECS.UpdateService': (c) => [one('ecs:UpdateService', ecsService(c, c.input.service))],
  'ECS.ListServices': () => [one('ecs:ListServices', '*')],
  'ECS.DescribeClusters': (c) => ((c.input.clusters ?? ['default']) as unknown[]).map((k) => one('ecs:DescribeClusters', isArn(k) ? k : arn('ecs', c.region, c.account, `cluster/${String(k)}`))),
  'ECS.ListTasks': (c) => [one('ecs:ListTasks', arn('ecs', c.region, c.account, `container-instance/${ecsCluster(c.input)}/*`))],
  'ECS.DescribeTasks': (c) => ((c.input.tasks ?? []) as unknown[]).map((t) => one('ecs:DescribeTasks', isArn(t) ? t : arn('ecs', c.region, c.account, `task/${ecsCluster(c.input)}/${String(t)}`))),
  'ECS.StopTask': (c) => [one('ecs:StopTask', isArn(c.input.task) ? c.input.task : arn('ecs', c.region, c.account, `task/${ecsCluster(c.input)}/${String(c.input.task)}`))],
  'ECS.RegisterTaskDefinition': registerTaskDefinition,
  'ECS.DescribeTaskDefinition': () => [one('ecs:DescribeTaskDefinition', '*')],
  'ECS.ListTaskDefinitions': () => [one('ecs:ListTaskDefinitions', '*')],
  'ECS.DeregisterTaskDefinition': () => [one('ecs:DeregisterTaskDefinition', '*')],
  'ECS.ListTagsForResource': (c) => [one('ecs:ListTagsForResource', String(c.input.resourceArn ?? '*'))],
  'ECS.TagResource': (c) => [one('ecs:TagResource', String(c.input.resourceArn ?? '*'))],

  'Route53.ChangeResourceRecordSets': (c) => [
    one('route53:ChangeResourceRecordSets', `arn:aws:route53:::hostedzone/${lastSegment(String(c.input.HostedZoneId ?? ''))}`, {
      // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html: lower case, no trailing dot.
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': ((c.input.ChangeBatch?.Changes ?? []) as Input[]).map((ch) => String(ch.ResourceRecordSet?.Name ?? '').toLowerCase().replace(/\.$/, '')),
      'route53:ChangeResourceRecordSetsRecordTypes': ((c.input.ChangeBatch?.Changes ?? []) as Input[]).map((ch) => String(ch.ResourceRecordSet?.Type ?? '')),
      'route53:ChangeResourceRecordSetsActions': ((c.input.ChangeBatch?.Changes ?? []) as Input[]).map((ch) => String(ch.Action ?? '')),
    }),
  ],
  'Route53.GetChange': (c) => [one('route53:GetChange', `arn:aws:route53:::change/${lastSegment(String(c.input.Id ?? ''))}`)],
  'Route53.ListResourceRecordSets': (c) => [one('route53:ListResourceRecordSets', `arn:aws:route53:::hostedzone/${lastSegment(String(c.input.HostedZoneId ?? ''))}`)],
  'Route53.GetHostedZone': (c) => [one('route53:GetHostedZone', `arn:aws:route53:::hostedzone/${lastSegment(String(c.input.Id ?? ''))}`)],
  'Route53.ListHostedZones': () => [one('route53:ListHostedZones', '*')],

  'CloudWatch.GetMetricStatistics': () => [one('cloudwatch:GetMetricStatistics', '*')],
  'CloudWatch.GetMetricData': () => [one('cloudwatch:GetMetricData', '*')],
  'CloudWatch.ListMetrics': () => [one('cloudwatch:ListMetrics', '*')],
  'CloudWatch.DescribeAlarms': (c) => [one('cloudwatch:DescribeAlarms', arn('cloudwatch', c.region, c.account, 'alarm:*'))],
  'CloudWatch.DescribeAlarmHistory': (c) => [one('cloudwatch:DescribeAlarmHistory', arn('cloudwatch', c.region, c.account, `alarm:${String(c.input.AlarmName ?? '*')}`))],
  'CloudWatch.SetAlarmState': (c) => [one('cloudwatch:SetAlarmState', arn('cloudwatch', c.region, c.account, `alarm:${String(c.input.AlarmName ?? '')}`))],

  // Log group ARNs in policies end in ":*" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/iam-access-control-overview-cwl.html).
  'CloudWatchLogs.FilterLogEvents': (c) => [one('logs:FilterLogEvents', arn('logs', c.region, c.account, `log-group:${String(c.input.logGroupName ?? '')}:*`))],
  'CloudWatchLogs.StartQuery': (c) =>
    ([] as unknown[]).concat(c.input.logGroupNames ?? c.input.logGroupName ?? []).map((g) => one('logs:StartQuery', arn('logs', c.region, c.account, `log-group:${String(g)}:*`))),
  'CloudWatchLogs.GetQueryResults': (c) => [one('logs:GetQueryResults', arn('logs', c.region, c.account, 'log-group:*'))],
  'CloudWatchLogs.DescribeLogGroups': (c) => [one('logs:DescribeLogGroups', arn('logs', c.region, c.account, 'log-group:*'))],

  'CodeDeploy.ListDeployments': (c) => [one('codedeploy:ListDeployments', arn('codedeploy', c.region, c.account, `deploymentgroup:${String(c.input.applicationName ?? '*')}/${String(c.input.deploymentGroupName ?? '*')}`))],
  'CodeDeploy.GetDeployment': (c) => [one('codedeploy:GetDeployment', deploymentGroupOf(c, c.input.deploymentId))],
  'CodeDeploy.BatchGetDeployments': (c) => ((c.input.deploymentIds ?? []) as unknown[]).map((id) => one('codedeploy:BatchGetDeployments', deploymentGroupOf(c, id))),
  // codedeploy:StopDeployment has no resource type: only "*" authorises it.
  'CodeDeploy.StopDeployment': () => [one('codedeploy:StopDeployment', '*')],
  'CodeDeploy.GetDeploymentGroup': (c) => [one('codedeploy:GetDeploymentGroup', arn('codedeploy', c.region, c.account, `deploymentgroup:${String(c.input.applicationName)}/${String(c.input.deploymentGroupName)}`))],
  'CodeDeploy.CreateDeployment': (c) => [one('codedeploy:CreateDeployment', arn('codedeploy', c.region, c.account, `deploymentgroup:${String(c.input.applicationName)}/${String(c.input.deploymentGroupName)}`))],

  'ElasticLoadBalancingV2.DescribeListeners': () => [one('elasticloadbalancing:DescribeListeners', '*')],
  'ElasticLoadBalancingV2.ModifyListener': (c) => [one('elasticloadbalancing:ModifyListener', String(c.input.ListenerArn ?? ''))],
  'ElasticLoadBalancingV2.DescribeTargetGroups': () => [one('elasticloadbalancing:DescribeTargetGroups', '*')],
  'ElasticLoadBalancingV2.DescribeTargetHealth': () => [one('elasticloadbalancing:DescribeTargetHealth', '*')],
  'ElasticLoadBalancingV2.DescribeRules': () => [one('elasticloadbalancing:DescribeRules', '*')],

  // HeadBucket is authorised as s3:ListBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
  'S3.HeadBucket': (c) => [one('s3:ListBucket', bucketArn(c.input.Bucket))],
  'S3.GetBucketVersioning': (c) => [one('s3:GetBucketVersioning', bucketArn(c.input.Bucket))],
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html: s3:ListBucketVersions.
  'S3.ListObjectVersions': (c) => [one('s3:ListBucketVersions', bucketArn(c.input.Bucket))],
  'S3.ListObjectsV2': (c) => [one('s3:ListBucket', bucketArn(c.input.Bucket))],
  'S3.HeadObject': (c) => [one(c.input.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', objectArn(c.input.Bucket, c.input.Key))],
  'S3.CopyObject': copyObject,

  'ApplicationAutoScaling.DescribeScalableTargets': () => [one('application-autoscaling:DescribeScalableTargets', '*')],
  'ApplicationAutoScaling.DescribeScalingPolicies': () => [one('application-autoscaling:DescribeScalingPolicies', '*')],
  'ApplicationAutoScaling.DescribeScalingActivities': () => [one('application-autoscaling:DescribeScalingActivities', '*')],
  'ApplicationAutoScaling.RegisterScalableTarget': (c) => [
    one('application-autoscaling:RegisterScalableTarget', arn('application-autoscaling', c.region, c.account, `scalable-target/${String(c.input.ResourceId ?? '').replace(/\W+/g, '')}`)),
  ],
  'ElastiCache.DescribeCacheClusters': (c) => [one('elasticache:DescribeCacheClusters', arn('elasticache', c.region, c.account, `cluster:${String(c.input.CacheClusterId ?? '*')}`))],

  'SNS.Publish': (c) => [one('sns:Publish', String(c.input.TopicArn ?? c.input.TargetArn ?? ''))],
  'EventBridge.PutEvents': (c) =>
    ((c.input.Entries ?? []) as Input[]).map((e) => one('events:PutEvents', isArn(e.EventBusName) ? e.EventBusName : arn('events', c.region, c.account, `event-bus/${String(e.EventBusName ?? 'default')}`))),
  'Lambda.Invoke': (c) => [one('lambda:InvokeFunction', isArn(c.input.FunctionName) ? c.input.FunctionName : arn('lambda', c.region, c.account, `function:${String(c.input.FunctionName)}`))],
  // Authorised against the durable execution that owns the callback (an unknown callback: no resource to match).
  'Lambda.SendDurableExecutionCallbackSuccess': (c) => [one('lambda:SendDurableExecutionCallbackSuccess', callbackExecution(c))],
  'Lambda.SendDurableExecutionCallbackFailure': (c) => [one('lambda:SendDurableExecutionCallbackFailure', callbackExecution(c))],

  // The state table (dynalite answers; the simulated region authorises).
  // dynamodb:LeadingKeys: the partition key values the request touches
  // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
  'DynamoDB.GetItem': (c) => [one('dynamodb:GetItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Key]))],
  'DynamoDB.PutItem': (c) => [one('dynamodb:PutItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Item]))],
  'DynamoDB.UpdateItem': (c) => [one('dynamodb:UpdateItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Key]))],
  'DynamoDB.DeleteItem': (c) => [one('dynamodb:DeleteItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Key]))],
  'DynamoDB.BatchGetItem': (c) =>
    Object.entries((c.input.RequestItems ?? {}) as Record<string, Input>).map(([t, r]) => one('dynamodb:BatchGetItem', tableArn(c, t), leadingKeys((r.Keys ?? []) as unknown[]))),
  'DynamoDB.Query': (c) => [one('dynamodb:Query', tableArn(c, c.input.TableName), queryLeadingKeys(c.input))],
  'DynamoDB.BatchWriteItem': (c) =>
    Object.entries((c.input.RequestItems ?? {}) as Record<string, Input[]>).map(([t, reqs]) =>
      one('dynamodb:BatchWriteItem', tableArn(c, t), leadingKeys(reqs.map((r) => r.PutRequest?.Item ?? r.DeleteRequest?.Key))),
    ),
};

/** The state table's partition key is `pk` (handlers/shared/contract.ts STATE_TABLE). */
const leadingKeys = (items: unknown[]): AuthRequest['context'] => ({
  'dynamodb:LeadingKeys': [...new Set(items.map((i) => (i as Input | undefined)?.pk?.S).filter((k): k is string => typeof k === 'string'))],
});
function queryLeadingKeys(input: Input): AuthRequest['context'] {
  const values = Object.values((input.ExpressionAttributeValues ?? {}) as Record<string, Input>);
  const pk = /pk\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression ?? ''))?.[1];
  const v = pk ? (input.ExpressionAttributeValues as Record<string, Input> | undefined)?.[pk]?.S : values[0]?.S;
  return { 'dynamodb:LeadingKeys': typeof v === 'string' ? [v] : [] };
}

const tableArn = (c: Parameters<Mapper>[0], table: unknown): string => (isArn(table) ? table : arn('dynamodb', c.region, c.account, `table/${String(table)}`));

function deploymentGroupOf(c: Parameters<Mapper>[0], id: unknown): string {
  const d = c.world.region(c.region).codedeploy.deployments.get(String(id));
  return arn('codedeploy', c.region, c.account, `deploymentgroup:${d?.application ?? '*'}/${d?.group ?? '*'}`);
}

/** The authorisations of one call, or undefined when the simulator does not know them (then it denies). */
export function authorizationsFor(world: SimWorld, region: string, service: string, operation: string, input: unknown): AuthRequest[] | undefined {
  const mapper = MAPPERS[`${service}.${operation}`];
  return mapper?.({ world, region, account: world.account, input: (input ?? {}) as Input });
}
