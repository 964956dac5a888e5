import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetDeploymentCommand, ListDeploymentsCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeListenersCommand, DescribeTargetGroupsCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeCacheClustersCommand } from '@aws-sdk/client-elasticache';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, SendDurableExecutionCallbackSuccessCommand } from '@aws-sdk/client-lambda';
import { AwsRegions } from '../../adapters/aws/clients';
import { defaultConfig } from '../../domain/config';
import { simClientSetup } from './plugin';
import { simHarness } from './test-support';

const cfg = defaultConfig;

describe('simulated CodeDeploy, ELBv2, Auto Scaling, ElastiCache', () => {
  test('StopDeployment with auto rollback stops the deployment and a rollback deployment succeeds later', async () => {
    const h = simHarness({
      regions: { 'us-east-1': { codedeploy: { applications: { [cfg.codeDeploy.applicationName]: { groups: { [cfg.codeDeploy.deploymentGroupName]: { deployments: { 'd-BAD000042': { status: 'InProgress', createdAt: -300, taskDefinition: 'regami-api:42' } } } } } } } } },
    });
    const cd = h.aws.in('us-east-1').codedeploy;
    const inProgress = await cd.send(new ListDeploymentsCommand({ applicationName: cfg.codeDeploy.applicationName, deploymentGroupName: cfg.codeDeploy.deploymentGroupName, includeOnlyStatuses: ['InProgress'] }));
    expect(inProgress.deployments).toEqual(['d-BAD000042']);
    await cd.send(new StopDeploymentCommand({ deploymentId: 'd-BAD000042', autoRollbackEnabled: true }));
    const stopped = (await cd.send(new GetDeploymentCommand({ deploymentId: 'd-BAD000042' }))).deploymentInfo;
    expect(stopped?.status).toBe('Stopped');
    const rollbackId = stopped?.rollbackInfo?.rollbackDeploymentId ?? '';
    expect(rollbackId).toMatch(/^d-[A-Z0-9]{9}$/);
    expect((await cd.send(new GetDeploymentCommand({ deploymentId: rollbackId }))).deploymentInfo).toMatchObject({ status: 'InProgress', creator: 'codeDeployRollback' });
    h.advance(120);
    expect((await cd.send(new GetDeploymentCommand({ deploymentId: rollbackId }))).deploymentInfo?.status).toBe('Succeeded');
    await expect(cd.send(new StopDeploymentCommand({ deploymentId: 'd-BAD000042' }))).rejects.toMatchObject({ name: 'DeploymentAlreadyCompletedException' });
  });

  test('a rollback configured to fail ends Failed', async () => {
    const h = simHarness({
      regions: { 'us-east-1': { codedeploy: { applications: { [cfg.codeDeploy.applicationName]: { groups: { [cfg.codeDeploy.deploymentGroupName]: { rollbackOutcome: 'Failed', deployments: { 'd-BAD000042': { status: 'InProgress', createdAt: -300 } } } } } } } } },
    });
    const cd = h.aws.in('us-east-1').codedeploy;
    await cd.send(new StopDeploymentCommand({ deploymentId: 'd-BAD000042', autoRollbackEnabled: true }));
    const rollbackId = (await cd.send(new GetDeploymentCommand({ deploymentId: 'd-BAD000042' }))).deploymentInfo?.rollbackInfo?.rollbackDeploymentId;
    h.advance(121);
    expect((await cd.send(new GetDeploymentCommand({ deploymentId: rollbackId }))).deploymentInfo).toMatchObject({ status: 'Failed', errorInformation: { code: 'ECS_UPDATE_ERROR' } });
  });

  test('ModifyListener switches the forward target group; unknown groups are refused', async () => {
    const h = simHarness();
    const elb = h.aws.in('us-east-1').elbv2;
    const before = await elb.send(new DescribeListenersCommand({ ListenerArns: [cfg.service.listenerArn] }));
    expect(before.Listeners?.[0]?.DefaultActions?.[0]).toMatchObject({ Type: 'forward', TargetGroupArn: cfg.service.targetGroupArn });
    await elb.send(new ModifyListenerCommand({ ListenerArn: cfg.service.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: cfg.service.blueTargetGroupArn }] }));
    const after = await elb.send(new DescribeListenersCommand({ ListenerArns: [cfg.service.listenerArn] }));
    expect(after.Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups).toEqual([{ TargetGroupArn: cfg.service.blueTargetGroupArn, Weight: 1 }]);
    await expect(elb.send(new ModifyListenerCommand({ ListenerArn: cfg.service.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/1' }] }))).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    const tgs = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [cfg.service.blueTargetGroupArn] }));
    expect(tgs.TargetGroups?.[0]).toMatchObject({ TargetGroupName: 'regami-blue-tg', LoadBalancerArns: [expect.stringContaining('loadbalancer/app/regami-alb')] });
  });

  test('RegisterScalableTarget changes min/max and moves the service desired count into range', async () => {
    const h = simHarness();
    const aas = h.aws.in('us-east-1').appAutoScaling;
    const resourceId = `service/${cfg.service.clusterName}/${cfg.service.serviceName}`;
    const before = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }));
    expect(before.ScalableTargets?.[0]).toMatchObject({ MinCapacity: 2, MaxCapacity: 10 });
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 4, MaxCapacity: 10 }));
    const svc = await h.aws.in('us-east-1').ecs.send(new DescribeServicesCommand({ cluster: cfg.service.clusterName, services: [cfg.service.serviceName] }));
    expect(svc.services?.[0]).toMatchObject({ desiredCount: 4, runningCount: 2, pendingCount: 2 });
    const policies = await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId }));
    expect(policies.ScalingPolicies?.[0]).toMatchObject({ PolicyName: 'ecs-scale-up', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 } });
  });

  test('DescribeCacheClusters reports the cluster and a scheduled status change', async () => {
    const h = simHarness({ schedule: [{ at: 60, change: { kind: 'cache-status', region: 'us-east-1', id: 'regami-redis', status: 'rebooting cache cluster nodes' } }] });
    const ec = h.aws.in('us-east-1').elasticache;
    expect((await ec.send(new DescribeCacheClustersCommand({ CacheClusterId: 'regami-redis', ShowCacheNodeInfo: true }))).CacheClusters?.[0]).toMatchObject({ CacheClusterStatus: 'available', CacheNodes: [expect.objectContaining({ Endpoint: { Address: 'regami-redis.abc123.0001.use1.cache.amazonaws.com', Port: 6379 } })] });
    h.advance(60);
    expect((await ec.send(new DescribeCacheClustersCommand({ CacheClusterId: 'regami-redis' }))).CacheClusters?.[0]?.CacheClusterStatus).toBe('rebooting cache cluster nodes');
    await expect(ec.send(new DescribeCacheClustersCommand({ CacheClusterId: 'nope' }))).rejects.toMatchObject({ name: 'CacheClusterNotFoundFault' });
  });
});

describe('simulated SNS, EventBridge and Lambda (the drill\'s outboxes and durable host)', () => {
  test('SNS Publish lands in the outbox at the simulated time; a bad subject or a topic in another region is refused', async () => {
    const h = simHarness();
    h.advance(90);
    const sns = h.aws.in('us-east-1').sns;
    const out = await sns.send(new PublishCommand({ TopicArn: cfg.paging.topics.P1, Subject: '[P1] Database failover', Message: '{"event_action":"trigger"}' }));
    expect(h.world.snsOutbox).toEqual([{ at: h.world.startMs + 90_000, region: 'us-east-1', topicArn: cfg.paging.topics.P1, subject: '[P1] Database failover', message: '{"event_action":"trigger"}', messageId: out.MessageId }]);
    await expect(sns.send(new PublishCommand({ TopicArn: cfg.paging.topics.P1, Subject: 'line\nbreak', Message: 'x' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(h.aws.in('us-west-2').sns.send(new PublishCommand({ TopicArn: cfg.paging.topics.P1, Message: 'x' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  test('PutEvents entries are drained by the drill in EventBridge shape; malformed detail fails the entry', async () => {
    const h = simHarness();
    const out = await h.aws.in('us-east-1').eventbridge.send(
      new PutEventsCommand({ Entries: [{ Source: 'runbook-autopilot', DetailType: 'Autopilot Handoff', Detail: JSON.stringify({ to: 'rollback-deployment' }) }, { Source: 'runbook-autopilot', DetailType: 'x', Detail: '{not json' }] }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    const drained = h.world.drainBus();
    expect(drained).toEqual([expect.objectContaining({ source: 'runbook-autopilot', detailType: 'Autopilot Handoff', detail: { to: 'rollback-deployment' }, eventBusName: 'default', time: '2026-01-15T03:00:00Z' })]);
    expect(h.world.drainBus()).toEqual([]);
  });

  test('Invoke with DurableExecutionName is delegated to the durable host; callbacks too', async () => {
    const h = simHarness();
    const lambda = h.aws.in('us-east-1').lambda;
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'wf', DurableExecutionName: 'x', InvocationType: 'Event' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const started: [string, string, unknown][] = [];
    const callbacks: [string, string | undefined][] = [];
    h.world.setDurableHost(
      (fn, name, payload) => {
        const joined = started.some((s) => s[1] === name);
        started.push([fn, name, payload]);
        return joined ? 'joined' : 'started';
      },
      { success: (id, result) => void callbacks.push([id, result]), failure: () => undefined },
    );
    const invoke = () => lambda.send(new InvokeCommand({ FunctionName: 'runbook-autopilot-dev-databaseFailoverWorkflow', Qualifier: 'live', InvocationType: 'Event', DurableExecutionName: 'db-failover-1', Payload: Buffer.from(JSON.stringify({ k: 1 })) }));
    const first = await invoke();
    expect(first).toMatchObject({ StatusCode: 202, ExecutedVersion: 'live' });
    expect(first.DurableExecutionArn).toContain('durable-execution/db-failover-1');
    await invoke();
    expect(started).toEqual([
      ['runbook-autopilot-dev-databaseFailoverWorkflow:live', 'db-failover-1', { k: 1 }],
      ['runbook-autopilot-dev-databaseFailoverWorkflow:live', 'db-failover-1', { k: 1 }],
    ]);
    await lambda.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: 'cb-1', Result: Buffer.from('{"outcome":"APPROVED","by":"sre"}') }));
    expect(callbacks).toEqual([['cb-1', '{"outcome":"APPROVED","by":"sre"}']]);
  });

  test('DynamoDB is never answered by the simulator: it goes to dynalite untouched', async () => {
    const h = simHarness();
    const endpoint = process.env.DYNAMO_ENDPOINT;
    expect(endpoint).toBeDefined();
    const aws = new AwsRegions(simClientSetup(h.world, { dynamoEndpoint: endpoint }));
    const out = await aws.in('us-east-1').dynamodb.send(new ListTablesCommand({}));
    expect(Array.isArray(out.TableNames)).toBe(true);
    expect(h.world.calls).toEqual([]);
  });
});
