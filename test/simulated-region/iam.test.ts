/**
 * The simulated region enforces IAM: each call is authorised against the calling function's
 * role (built from infra/permissions.ts, as the template is) and denied as AWS denies it.
 */
import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { DescribeDBInstancesCommand, PromoteReadReplicaCommand, RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { SendDurableExecutionCallbackSuccessCommand } from '@aws-sdk/client-lambda';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { loadConfig } from '../../config/load';
import { functionPolicies } from '../../infra/iam-policy';
import { evaluate, type ResolvedStatement } from './iam';
import { simHarness, type SimHarness } from './test-support';

const config = loadConfig('dev');

function withCaller(overrides?: unknown): SimHarness & { as(fn: string | undefined): void } {
  const h = simHarness(overrides);
  let caller: string | undefined;
  h.world.setIam({ policies: functionPolicies(config, { account: h.world.account, tableName: 'state' }), caller: () => caller });
  return Object.assign(h, { as: (fn: string | undefined) => void (caller = fn) });
}

describe('IAM in the simulated region (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)', () => {
  it('denies a call outside the role with the service\'s AccessDenied and the message IAM writes (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)', async () => {
    const h = withCaller();
    // The failover intake reads nothing and promotes nothing: only its workflow may.
    h.as('databaseFailover');
    const promote = h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'regami-db-replica' }));
    await expect(promote).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::${h.world.account}:assumed-role/databaseFailover/databaseFailover is not authorized to perform: rds:PromoteReadReplica on resource: arn:aws:rds:us-west-2:${h.world.account}:db:regami-db-replica because no identity-based policy allows the rds:PromoteReadReplica action`,
    });
    expect(h.world.calls.at(-1)).toMatchObject({ operation: 'PromoteReadReplica', outcome: 'error', error: 'AccessDenied', caller: 'databaseFailover' });
    // Nothing happened: the replica is still a replica.
    h.as('databaseFailoverWorkflow');
    const { DBInstances } = await h.aws.in('us-west-2').rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'regami-db-replica' }));
    expect(DBInstances?.[0]?.ReadReplicaSourceDBInstanceIdentifier).toBeDefined();
    // The workflow may.
    await expect(h.aws.in('us-west-2').rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'regami-db-replica' }))).resolves.toBeDefined();
  });

  it('denies a JSON-protocol service with AccessDeniedException, and a call from no function at all', async () => {
    const h = withCaller();
    h.as('scaleEcs');
    await expect(h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', desiredCount: 9 }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    h.as(undefined);
    await expect(h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', desiredCount: 9 }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('authorises codedeploy:StopDeployment against "*" only (the action has no resource type: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodedeploy.html)', () => {
    const scoped: ResolvedStatement[] = [{ Effect: 'Allow', Action: ['codedeploy:StopDeployment'], Resource: ['arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:regami-codedeploy/regami-deployment-group'] }];
    expect(evaluate(scoped, { action: 'codedeploy:StopDeployment', resource: '*' }).allowed).toBe(false);
    expect(evaluate([{ ...scoped[0]!, Resource: ['*'] }], { action: 'codedeploy:StopDeployment', resource: '*' }).allowed).toBe(true);
  });

  // "A user can pass a role ARN as a parameter in any API operation that uses the role to assign
  // permissions to the service. The service then checks whether that user has the iam:PassRole
  // permission. To limit the user to passing only approved roles, you can filter the iam:PassRole
  // permission with the Resources element" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html;
  // RegisterTaskDefinition's roles: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
  it('passes only the configured task roles, only to ecs-tasks.amazonaws.com: a PassRole of another role is denied (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)', async () => {
    const h = withCaller();
    h.as('restoreFromBackupWorkflow');
    const ecs = h.aws.in('us-east-1').ecs;
    const { taskDefinition: td } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'regami-api:41' }));
    expect([td?.taskRoleArn, td?.executionRoleArn]).toEqual([config.service.taskRoleArn, config.service.executionRoleArn]);
    const clone = (taskRoleArn: string | undefined) =>
      ecs.send(new RegisterTaskDefinitionCommand({ family: 'regami-api', taskRoleArn, executionRoleArn: td?.executionRoleArn, containerDefinitions: td?.containerDefinitions, tags: [{ key: 'autopilot:registered-by', value: 'runbook-autopilot' }] }));
    await clone(td?.taskRoleArn);
    expect(h.world.authorizations.at(-1)!.decisions.map((d) => [d.action, d.resource, d.allowed])).toEqual([
      ['ecs:RegisterTaskDefinition', 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:*', true],
      ['iam:PassRole', 'arn:aws:iam::123456789012:role/regami-api-task', true],
      ['iam:PassRole', 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole', true],
      ['ecs:TagResource', 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:*', true],
    ]);
    // A revision carrying another role of the same account: denied, as AWS words it.
    await expect(clone('arn:aws:iam::123456789012:role/some-other-task-role')).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${h.world.account}:assumed-role/restoreFromBackupWorkflow/restoreFromBackupWorkflow is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/some-other-task-role because no identity-based policy allows the iam:PassRole action`,
    });
    expect(h.world.calls.at(-1)).toMatchObject({ operation: 'RegisterTaskDefinition', outcome: 'error', error: 'AccessDeniedException' });
    // The configured role, passed to another service than ECS tasks: denied (iam:PassedToService).
    const policy = functionPolicies(config, { account: h.world.account, tableName: 'state' }).get('databaseFailoverWorkflow')!;
    const pass = (role: string, service: string) => evaluate(policy, { action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': service } }).allowed;
    expect(pass(config.secondaryService.taskRoleArn, 'ecs-tasks.amazonaws.com')).toBe(true);
    expect(pass(config.secondaryService.taskRoleArn, 'ec2.amazonaws.com')).toBe(false);
    expect(pass('arn:aws:iam::123456789012:role/admin', 'ecs-tasks.amazonaws.com')).toBe(false);
    // Another family is not the restore's to register.
    await expect(ecs.send(new RegisterTaskDefinitionCommand({ family: 'other-app', containerDefinitions: td?.containerDefinitions }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('restores after a failover in us-west-2 and from a snapshot of any name; rollback may stop a deployment', async () => {
    const h = withCaller({ regions: { 'us-west-2': { rds: { snapshots: { 'pre-migration': { instanceId: 'regami-db-replica', type: 'manual', status: 'available', createdAt: -3600 } } } } } });
    h.as('restoreFromBackupWorkflow');
    await h.aws.in('us-west-2').rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'regami-db-replica-restored-1', DBSnapshotIdentifier: 'pre-migration', DBSubnetGroupName: 'regami-db-subnets' }));
    expect(h.world.authorizations.at(-1)!.decisions.every((d) => d.allowed)).toBe(true);
    h.as('rollbackDeploymentWorkflow');
    const stop = h.aws.in('us-east-1').codedeploy.send(new StopDeploymentCommand({ deploymentId: 'd-NOSUCH', autoRollbackEnabled: true }));
    await expect(stop).rejects.not.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('asks for the tagging and KMS permissions when CopyObject copies a tagged version into an SSE-KMS bucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html)', async () => {
    const h = withCaller({
      regions: { 'us-east-1': { s3: { buckets: { 'regami-uploads': { versioning: 'Enabled', kmsKeyId: 'k-1', objects: { 'a.jpg': [{ versionId: 'v1', lastModified: -3600, tags: { owner: 'u1' } }, { versionId: 'v2', lastModified: -60 }] } } } } } },
    });
    h.as('restoreFromBackupWorkflow');
    await h.aws.in('us-east-1').s3.send(new CopyObjectCommand({ Bucket: 'regami-uploads', Key: 'a.jpg', CopySource: 'regami-uploads/a.jpg?versionId=v1' }));
    const decisions = h.world.authorizations.at(-1)!.decisions;
    expect(decisions.map((d) => [d.action, d.allowed])).toEqual([
      ['s3:GetObjectVersion', true],
      ['s3:PutObject', true],
      ['s3:GetObjectVersionTagging', true],
      ['s3:PutObjectTagging', true],
      ['kms:Decrypt', true],
      ['kms:GenerateDataKey', true],
    ]);
    // The KMS grant holds only through S3 for our buckets.
    const kms = functionPolicies(config, { account: h.world.account, tableName: 'state' }).get('restoreFromBackupWorkflow')!;
    expect(evaluate(kms, { action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${h.world.account}:key/k-1`, context: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::regami-uploads' } }).allowed).toBe(false);
    expect(evaluate(kms, { action: 'kms:Decrypt', resource: `arn:aws:kms:us-east-1:${h.world.account}:key/k-1`, context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::someone-elses-bucket' } }).allowed).toBe(false);
  });
});

describe('ECS rules for CodeDeploy-controlled services (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html)', () => {
  const blueGreen = { regions: { 'us-east-1': { ecs: { clusters: { 'regami-cluster': { services: { 'regami-service': { deploymentController: 'CODE_DEPLOY' } } } } } } } };

  it('rejects UpdateService with a new task definition or a forced deployment, as ECS does; a desired count is fine', async () => {
    const h = simHarness(blueGreen);
    const ecs = h.aws.in('us-east-1').ecs;
    await expect(ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', taskDefinition: 'regami-api:40' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
    });
    await expect(ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', forceNewDeployment: true }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const out = await ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', desiredCount: 3 }));
    expect(out.service?.desiredCount).toBe(3);
    expect(out.service?.deploymentController).toEqual({ type: 'CODE_DEPLOY' });
  });

  // SendDurableExecutionCallback* is authorised against the "durable execution" that owns the callback
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html), never "*".
  it('lets the operator-request function answer a workflow\'s human gate by its own role, and nobody else', async () => {
    const h = withCaller();
    const answered: string[] = [];
    const execution = `arn:aws:lambda:us-east-1:${h.world.account}:function:runbook-autopilot-dev-restoreFromBackupWorkflow:1/durable-execution/restore-1/abc`;
    h.world.setDurableHost(() => 'started', {
      success: (id) => void answered.push(id),
      failure: () => undefined,
      executionArn: (id) => (id === 'cb-1' ? execution : undefined),
    });
    const lambda = h.aws.in('us-east-1').lambda;
    const answer = (id: string) => lambda.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: id, Result: Buffer.from('{"outcome":"APPROVED"}') }));
    // The restore workflow cannot approve its own gate; the intake neither.
    for (const fn of ['restoreFromBackupWorkflow', 'restoreFromBackup']) {
      h.as(fn);
      await expect(answer('cb-1')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    }
    h.as('operatorRequest');
    await expect(answer('cb-1')).resolves.toBeDefined();
    // A callback of no known execution matches no grant.
    await expect(answer('cb-unknown')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(answered).toEqual(['cb-1']);
  });

});

describe('IAM SimulatePrincipalPolicy (the preflight\'s policy simulation) evaluates the roles the region enforces', () => {
  function named(): SimHarness & { as(fn: string | undefined): void } {
    const h = simHarness();
    // An administrator asks (as `autopilot preflight` runs with an operator's credentials), unless a test says otherwise.
    let caller: string | undefined = 'admin';
    const policies = functionPolicies(config, { account: h.world.account, tableName: 'state' });
    policies.set('admin', [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }]);
    h.world.setIam({ policies, roleName: (fn) => `runbook-autopilot-dev-${fn}`, caller: () => caller });
    return Object.assign(h, { as: (fn: string | undefined) => void (caller = fn) });
  }
  const role = (fn: string) => `arn:aws:iam::123456789012:role/runbook-autopilot-dev-${fn}`;
  const replica = 'arn:aws:rds:us-west-2:123456789012:db:regami-db-replica';

  it('answers per resource what the enforcer decides for that role (one result per action, the most restrictive on top)', async () => {
    const h = named();
    const out = await h.aws.in('us-east-1').iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role('databaseFailoverWorkflow'), ActionNames: ['rds:PromoteReadReplica', 'rds:DeleteDBInstance'], ResourceArns: [replica] }));
    expect(out.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision, r.ResourceSpecificResults?.map((x) => [x.EvalResourceName, x.EvalResourceDecision])])).toEqual([
      ['rds:PromoteReadReplica', 'allowed', [[replica, 'allowed']]],
      ['rds:DeleteDBInstance', 'implicitDeny', [[replica, 'implicitDeny']]],
    ]);
    // The intake holds no promotion, like the enforcer says when it calls.
    const intake = await h.aws.in('us-east-1').iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role('databaseFailover'), ActionNames: ['rds:PromoteReadReplica'], ResourceArns: [replica] }));
    expect(intake.EvaluationResults?.[0]?.EvalDecision).toBe('implicitDeny');
  });

  it('evaluates conditions against the context given, and names the keys missing from it', async () => {
    const h = named();
    const simulate = (namespace?: string) =>
      h.aws.in('us-east-1').iam.send(new SimulatePrincipalPolicyCommand({
        PolicySourceArn: role('scheduledPreflight'),
        ActionNames: ['cloudwatch:PutMetricData'],
        ...(namespace ? { ContextEntries: [{ ContextKeyName: 'cloudwatch:namespace', ContextKeyValues: [namespace], ContextKeyType: 'string' }] } : {}),
      }));
    expect((await simulate('RunbookAutopilot')).EvaluationResults?.[0]?.EvalDecision).toBe('allowed');
    expect((await simulate('Other')).EvaluationResults?.[0]?.EvalDecision).toBe('implicitDeny');
    expect((await simulate()).EvaluationResults?.[0]).toMatchObject({ EvalDecision: 'implicitDeny', MissingContextValues: ['cloudwatch:namespace'] });
    // The same condition the enforcer applies to a real call of the preflight.
    h.as('scheduledPreflight');
    await expect(h.aws.in('us-east-1').cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Other', MetricData: [{ MetricName: 'x', Value: 1 }] }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('answers NoSuchEntity for a role nobody has, and is itself authorised against the simulated role', async () => {
    const h = named();
    await expect(h.aws.in('us-east-1').iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role('ghost'), ActionNames: ['rds:DescribeDBInstances'] }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    // The preflight may simulate the runbook roles, not the human operator role, and a workflow may simulate nothing.
    h.as('scheduledPreflight');
    await expect(h.aws.in('us-east-1').iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role('scaleEcs'), ActionNames: ['ecs:DescribeServices'] }))).resolves.toBeDefined();
    await expect(h.aws.in('us-east-1').iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:iam::123456789012:role/runbook-autopilot-dev-operator', ActionNames: ['lambda:InvokeFunction'] }))).rejects.toMatchObject({ name: 'AccessDenied' });
    h.as('scaleEcsWorkflow');
    await expect(h.aws.in('us-east-1').iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role('scaleEcs'), ActionNames: ['ecs:DescribeServices'] }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
