import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  paginateListTaskDefinitions,
  paginateListTasks,
  type Service,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { defaultConfig } from '../../domain/config';
import { simHarness, type SimHarness } from './test-support';

const CLUSTER = 'regami-cluster';
const SERVICE = 'regami-service';

async function service(h: SimHarness): Promise<Service> {
  const out = await h.aws.in('us-east-1').ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
  const s = out.services?.[0];
  if (!s) throw new Error('service missing');
  return s;
}

async function registerRevision42(h: SimHarness): Promise<string> {
  const ecs = h.aws.in('us-east-1').ecs;
  const current = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'regami-api:41', include: ['TAGS'] }));
  const td = current.taskDefinition;
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'regami-api',
      containerDefinitions: td?.containerDefinitions,
      cpu: td?.cpu,
      memory: td?.memory,
      networkMode: td?.networkMode,
      requiresCompatibilities: td?.requiresCompatibilities,
      executionRoleArn: td?.executionRoleArn,
      taskRoleArn: td?.taskRoleArn,
      tags: current.tags,
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

describe('simulated ECS through the real ECSClient', () => {
  test('the baseline service is stable: one COMPLETED PRIMARY deployment of regami-api:41 with 2 running tasks', async () => {
    const h = simHarness();
    const s = await service(h);
    expect(s).toMatchObject({ desiredCount: 2, runningCount: 2, pendingCount: 0, taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:41' });
    expect(s.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 })]);
    expect(s.events?.[0]?.message).toBe(`(service ${SERVICE}) has reached a steady state.`);
    expect(s.deployments?.[0]?.createdAt?.getTime()).toBe(Date.parse('2026-01-12T03:00:00Z'));
  });

  test('UpdateService creates a PRIMARY IN_PROGRESS deployment; tasks are replaced over minutes, then the rollout is COMPLETED and the old deployment drained', async () => {
    const h = simHarness();
    const arn42 = await registerRevision42(h);
    expect(arn42).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:42');
    const updated = await h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'regami-api:42' }));
    expect(updated.service?.deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition?.split('/')[1]])).toEqual([
      ['PRIMARY', 'IN_PROGRESS', 'regami-api:42'],
      ['ACTIVE', 'COMPLETED', 'regami-api:41'],
    ]);
    h.advance(20);
    let s = await service(h);
    expect(s).toMatchObject({ runningCount: 2, pendingCount: 2 });
    h.advance(30);
    s = await service(h);
    // New tasks RUNNING, old ones draining: the rollout is still in progress.
    expect(s.deployments?.[0]).toMatchObject({ runningCount: 2, rolloutState: 'IN_PROGRESS' });
    expect(s.deployments).toHaveLength(2);
    h.advance(30);
    s = await service(h);
    expect(s.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: arn42, runningCount: 2 })]);
    expect(s.events?.some((e) => e.message?.includes('deployment completed'))).toBe(true);

    const ecs = h.aws.in('us-east-1').ecs;
    const running = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE }));
    const tasks = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: running.taskArns }));
    expect(tasks.tasks?.map((t) => [t.lastStatus, t.taskDefinitionArn])).toEqual([
      ['RUNNING', arn42],
      ['RUNNING', arn42],
    ]);
    const stopped = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }));
    const old = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns }));
    expect(old.tasks?.map((t) => [t.lastStatus, t.stopCode, t.taskDefinitionArn?.endsWith(':41')])).toEqual([
      ['STOPPED', 'ServiceSchedulerInitiated', true],
      ['STOPPED', 'ServiceSchedulerInitiated', true],
    ]);
    expect(h.world.awsEvents.filter((e) => e.source === 'aws.ecs').map((e) => e.detail.eventName)).toEqual(['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED']);
  });

  test('a deployment of a failing revision ends FAILED: its tasks stop with a reason, the old revision keeps serving', async () => {
    const h = simHarness({
      regions: {
        'us-east-1': {
          ecs: {
            taskDefinitions: {
              'regami-api:42': {
                family: 'regami-api',
                revision: 42,
                registeredAt: -600,
                containers: { app: { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/regami-api:v1.12.0' } },
                failsWith: 'ImportError: cannot import name settings',
              },
            },
          },
        },
      },
    });
    await h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'regami-api:42' }));
    h.advance(10 * 60);
    const s = await service(h);
    expect(s.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });
    expect(s.deployments?.[0]?.failedTasks).toBeGreaterThanOrEqual(3);
    expect(s.deployments?.[1]).toMatchObject({ status: 'ACTIVE', runningCount: 2 });
    expect(s.runningCount).toBe(2);
    expect(s.events?.some((e) => e.message?.includes('deployment failed'))).toBe(true);
    const ecs = h.aws.in('us-east-1').ecs;
    const stopped = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }));
    const tasks = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns }));
    expect(tasks.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited: ImportError: cannot import name settings' });
    expect(tasks.tasks?.[0]?.containers?.[0]).toMatchObject({ name: 'app', exitCode: 1 });
    const logs = await h.aws.in('us-east-1').logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/regami-api', filterPattern: 'FATAL' }));
    expect(logs.events?.[0]?.message).toBe('FATAL ImportError: cannot import name settings');
  });

  test('a hung deployment stays IN_PROGRESS with its tasks PENDING', async () => {
    const h = simHarness({ faults: [{ kind: 'hang', what: 'ecs-deployment', resource: `${CLUSTER}/${SERVICE}` }] });
    await registerRevision42(h);
    await h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'regami-api:42' }));
    h.advance(3600);
    const s = await service(h);
    expect(s.deployments?.[0]).toMatchObject({ rolloutState: 'IN_PROGRESS', runningCount: 0, pendingCount: 2 });
    expect(s.runningCount).toBe(2);
  });

  test('a desiredCount change moves runningCount task by task, and the ALB sees the new targets', async () => {
    const h = simHarness();
    await h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: 4 }));
    let s = await service(h);
    expect(s).toMatchObject({ desiredCount: 4, runningCount: 2, pendingCount: 2 });
    expect(s.deployments).toHaveLength(1);
    const health = async () => (await h.aws.in('us-east-1').elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: defaultConfig.service.targetGroupArn }))).TargetHealthDescriptions ?? [];
    expect((await health()).map((t) => t.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
    h.advance(20);
    expect((await health()).map((t) => t.TargetHealth?.State).sort()).toEqual(['healthy', 'healthy', 'initial', 'initial']);
    h.advance(25);
    s = await service(h);
    expect(s).toMatchObject({ runningCount: 4, pendingCount: 0 });
    expect((await health()).map((t) => t.TargetHealth?.State)).toEqual(['healthy', 'healthy', 'healthy', 'healthy']);

    await h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: 3 }));
    h.advance(31);
    expect((await service(h)).runningCount).toBe(3);
    const tasks: string[] = [];
    for await (const page of paginateListTasks({ client: h.aws.in('us-east-1').ecs }, { cluster: CLUSTER, serviceName: SERVICE })) tasks.push(...(page.taskArns ?? []));
    expect(tasks).toHaveLength(3);
  });

  test('task definitions: revisions increment, ListTaskDefinitions pages DESC by family prefix, tags, deregister -> INACTIVE', async () => {
    const h = simHarness();
    const ecs = h.aws.in('us-east-1').ecs;
    await registerRevision42(h);
    const arns: string[] = [];
    let pages = 0;
    for await (const page of paginateListTaskDefinitions({ client: ecs }, { familyPrefix: 'regami-api', sort: 'DESC' })) {
      pages++;
      arns.push(...(page.taskDefinitionArns ?? []));
    }
    expect(pages).toBeGreaterThan(1);
    expect(arns.map((a) => a.split('/')[1])).toEqual(['regami-api:42', 'regami-api:41', 'regami-api:40', 'regami-api:39']);
    const tags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arns[0] }));
    expect(tags.tags).toEqual(expect.arrayContaining([{ key: 'git-sha', value: 'a1b2c341' }]));
    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'regami-api' }));
    expect(latest.taskDefinition?.revision).toBe(42);
    const env = latest.taskDefinition?.containerDefinitions?.[0]?.environment?.find((e) => e.name === 'DATABASE_URL');
    expect(env?.value).toBe('postgresql://regami_app@regami-db-primary.c9akciq32.us-east-1.rds.amazonaws.com:5432/regami');

    const gone = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'regami-api:42' }));
    expect(gone.taskDefinition?.status).toBe('INACTIVE');
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'regami-api' }))).taskDefinition?.revision).toBe(41);
    await expect(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'regami-api:42' }))).rejects.toMatchObject({ name: 'ClientException' });
    await expect(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'nope', desiredCount: 1 }))).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
  });

  test('the secondary service starts from 0 when scaled up in us-west-2', async () => {
    const h = simHarness();
    const ecs = h.aws.in('us-west-2').ecs;
    const describe = async () => (await ecs.send(new DescribeServicesCommand({ cluster: 'regami-cluster-secondary', services: ['regami-service-secondary'] }))).services?.[0];
    expect(await describe()).toMatchObject({ desiredCount: 0, runningCount: 0 });
    await ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster-secondary', service: 'regami-service-secondary', desiredCount: 2 }));
    h.advance(60);
    expect(await describe()).toMatchObject({ desiredCount: 2, runningCount: 2 });
  });
});

describe('changes made outside the autopilot', () => {
  test('an ecs-deploy change (the CI pipeline) starts a rollout at its scheduled time without an API call', async () => {
    const h = simHarness({
      regions: { 'us-east-1': { ecs: { taskDefinitions: { 'regami-api:42': { family: 'regami-api', revision: 42, registeredAt: -60, containers: { app: { image: 'regami-api:v1.12.0' } }, failsWith: "Error: Cannot find module 'dayjs'" } } } } },
      schedule: [{ at: 300, change: { kind: 'ecs-deploy', region: 'us-east-1', cluster: CLUSTER, service: SERVICE, taskDefinition: 'regami-api:42' }, note: 'CI deploys 42' }],
    });
    h.advance(299);
    expect((await service(h)).deployments).toHaveLength(1);
    h.advance(1);
    expect((await service(h)).deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition?.endsWith(':42')])).toEqual([
      ['PRIMARY', 'IN_PROGRESS', true],
      ['ACTIVE', 'COMPLETED', false],
    ]);
    h.advance(10 * 60);
    expect((await service(h)).deployments?.[0]?.rolloutState).toBe('FAILED');
    expect(h.world.calls.filter((c) => c.operation === 'UpdateService')).toEqual([]);
    expect(() => h.world.apply({ kind: 'ecs-deploy', region: 'us-east-1', cluster: CLUSTER, service: SERVICE, taskDefinition: 'regami-api:77' })).toThrow(/no task definition 'regami-api:77'/);
  });
});
