/**
 * Application Auto Scaling (ECS service min/max) and ElastiCache (dependency checks).
 * RegisterScalableTarget moves the service's desiredCount into the new [min, max] as
 * Application Auto Scaling does.
 */
import * as aasSdk from '@aws-sdk/client-application-auto-scaling';
import * as ecSdk from '@aws-sdk/client-elasticache';
import type {
  DescribeScalableTargetsCommandInput,
  DescribeScalableTargetsCommandOutput,
  DescribeScalingPoliciesCommandInput,
  DescribeScalingPoliciesCommandOutput,
  RegisterScalableTargetCommandInput,
  RegisterScalableTargetCommandOutput,
} from '@aws-sdk/client-application-auto-scaling';
import type { CacheCluster, DescribeCacheClustersCommandInput, DescribeCacheClustersCommandOutput } from '@aws-sdk/client-elasticache';
import { awsError } from '../errors';
import { paginate } from '../paging';
import type { AutoScalingSpec, CacheClusterSpec, ElastiCacheSpec, ScalableTargetSpec } from '../spec';
import type { SimWorld } from '../world';
import { registerService, type OpContext } from './index';
import { clampDesiredCount } from './ecs';

type Out<T> = Omit<T, '$metadata'>;

export interface AutoScalingState {
  targets: Map<string, ScalableTargetSpec & { arn: string; createdAt: number; suspended: { in: boolean; out: boolean; scheduled: boolean } }>;
}

export interface ElastiCacheState {
  clusters: Map<string, CacheClusterSpec & { createdAt: number }>;
}

export function initAutoScaling(world: SimWorld, region: string, spec: AutoScalingSpec | undefined): AutoScalingState {
  const targets: AutoScalingState['targets'] = new Map();
  for (const [id, t] of Object.entries(spec?.targets ?? {})) {
    targets.set(id, { ...structuredClone(t), resourceId: t.resourceId ?? id, arn: `arn:aws:application-autoscaling:${region}:${world.account}:scalable-target/0ec5${world.ids.hex(28)}`, createdAt: world.startMs - 90 * 86400_000, suspended: { in: false, out: false, scheduled: false } });
  }
  return { targets };
}

export function initElastiCache(world: SimWorld, spec: ElastiCacheSpec | undefined): ElastiCacheState {
  return { clusters: new Map(Object.entries(spec?.clusters ?? {}).map(([id, c]) => [id, { ...c, createdAt: world.startMs - 200 * 86400_000 }])) };
}

export function setCacheStatus(world: SimWorld, region: string, id: string, status: string): void {
  const c = world.region(region).elasticache.clusters.get(id);
  if (!c) throw new Error(`world change: no cache cluster '${id}' in ${region}`);
  c.status = status;
}

// ------------------------------------------------------------ Application Auto Scaling

function checkNamespace(ns: string | undefined): void {
  if (!ns) throw awsError('ValidationException', 'ServiceNamespace is required', { status: 400, sdk: aasSdk });
}

function describeScalableTargets(ctx: OpContext, input: DescribeScalableTargetsCommandInput): Out<DescribeScalableTargetsCommandOutput> {
  checkNamespace(input.ServiceNamespace);
  let list = [...ctx.r.autoscaling.targets.values()].filter((t) => (t.namespace ?? 'ecs') === input.ServiceNamespace);
  if (input.ResourceIds?.length) list = list.filter((t) => input.ResourceIds?.includes(t.resourceId));
  if (input.ScalableDimension) list = list.filter((t) => (t.dimension ?? 'ecs:service:DesiredCount') === input.ScalableDimension);
  const page = paginate(list, input.NextToken, input.MaxResults, 2, 'aas:targets', 'InvalidNextTokenException');
  return {
    ScalableTargets: page.items.map((t) => ({
      ServiceNamespace: (t.namespace ?? 'ecs') as never,
      ResourceId: t.resourceId,
      ScalableDimension: (t.dimension ?? 'ecs:service:DesiredCount') as never,
      MinCapacity: t.minCapacity,
      MaxCapacity: t.maxCapacity,
      RoleARN: `arn:aws:iam::${ctx.world.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      CreationTime: new Date(t.createdAt),
      SuspendedState: { DynamicScalingInSuspended: t.suspended.in, DynamicScalingOutSuspended: t.suspended.out, ScheduledScalingSuspended: t.suspended.scheduled },
      ScalableTargetARN: t.arn,
    })),
    NextToken: page.next,
  };
}

function registerScalableTarget(ctx: OpContext, input: RegisterScalableTargetCommandInput): Out<RegisterScalableTargetCommandOutput> {
  checkNamespace(input.ServiceNamespace);
  const id = input.ResourceId ?? '';
  const m = /^service\/([^/]+)\/([^/]+)$/.exec(id);
  if (input.ServiceNamespace !== 'ecs' || !m) throw awsError('ValidationException', `Only ECS service targets are simulated (got ${input.ServiceNamespace} ${id})`, { status: 400, sdk: aasSdk });
  const existing = ctx.r.autoscaling.targets.get(id);
  const min = input.MinCapacity ?? existing?.minCapacity;
  const max = input.MaxCapacity ?? existing?.maxCapacity;
  if (min === undefined || max === undefined) throw awsError('ValidationException', 'MinCapacity and MaxCapacity are required for a new scalable target', { status: 400, sdk: aasSdk });
  if (min > max) throw awsError('ValidationException', `Minimum capacity ${min} cannot be greater than maximum capacity ${max}`, { status: 400, sdk: aasSdk });
  const target = existing ?? {
    namespace: 'ecs',
    resourceId: id,
    dimension: input.ScalableDimension ?? 'ecs:service:DesiredCount',
    minCapacity: min,
    maxCapacity: max,
    arn: `arn:aws:application-autoscaling:${ctx.region}:${ctx.world.account}:scalable-target/0ec5${ctx.world.ids.hex(28)}`,
    createdAt: ctx.now,
    suspended: { in: false, out: false, scheduled: false },
  };
  target.minCapacity = min;
  target.maxCapacity = max;
  const s = input.SuspendedState;
  if (s) target.suspended = { in: s.DynamicScalingInSuspended ?? target.suspended.in, out: s.DynamicScalingOutSuspended ?? target.suspended.out, scheduled: s.ScheduledScalingSuspended ?? target.suspended.scheduled };
  ctx.r.autoscaling.targets.set(id, target);
  clampDesiredCount(ctx.world, ctx.region, m[1] ?? '', m[2] ?? '', min, max, ctx.now);
  return { ScalableTargetARN: target.arn };
}

function describeScalingPolicies(ctx: OpContext, input: DescribeScalingPoliciesCommandInput): Out<DescribeScalingPoliciesCommandOutput> {
  checkNamespace(input.ServiceNamespace);
  const policies = [];
  for (const t of ctx.r.autoscaling.targets.values()) {
    if ((t.namespace ?? 'ecs') !== input.ServiceNamespace) continue;
    if (input.ResourceId && t.resourceId !== input.ResourceId) continue;
    for (const [name, p] of Object.entries(t.policies ?? {})) {
      if (input.PolicyNames?.length && !input.PolicyNames.includes(name)) continue;
      policies.push({
        PolicyARN: `arn:aws:autoscaling:${ctx.region}:${ctx.world.account}:scalingPolicy:${t.arn.split('/').pop()}:resource/${t.resourceId}:policyName/${name}`,
        PolicyName: name,
        ServiceNamespace: (t.namespace ?? 'ecs') as never,
        ResourceId: t.resourceId,
        ScalableDimension: (t.dimension ?? 'ecs:service:DesiredCount') as never,
        PolicyType: p.type,
        ...(p.type === 'TargetTrackingScaling'
          ? { TargetTrackingScalingPolicyConfiguration: { TargetValue: p.targetValue ?? 70, PredefinedMetricSpecification: { PredefinedMetricType: (p.metric ?? 'ECSServiceAverageCPUUtilization') as never } } }
          : {}),
        Alarms: [],
        CreationTime: new Date(t.createdAt),
      });
    }
  }
  const page = paginate(policies, input.NextToken, input.MaxResults, 2, 'aas:policies', 'InvalidNextTokenException');
  return { ScalingPolicies: page.items, NextToken: page.next };
}

registerService('ApplicationAutoScaling', {
  sdk: aasSdk,
  throttleError: 'ThrottlingException',
  ops: {
    DescribeScalableTargets: describeScalableTargets,
    RegisterScalableTarget: registerScalableTarget,
    DescribeScalingPolicies: describeScalingPolicies,
  },
});

// ------------------------------------------------------------ ElastiCache

function describeCacheClusters(ctx: OpContext, input: DescribeCacheClustersCommandInput): Out<DescribeCacheClustersCommandOutput> {
  if (input.MaxRecords !== undefined && (input.MaxRecords < 20 || input.MaxRecords > 100)) throw awsError('InvalidParameterValue', 'MaxRecords must be between 20 and 100', { status: 400, sdk: ecSdk });
  let list = [...ctx.r.elasticache.clusters.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (input.CacheClusterId) {
    list = list.filter(([id]) => id === input.CacheClusterId);
    if (!list.length) throw awsError('CacheClusterNotFoundFault', `CacheCluster not found: ${input.CacheClusterId}`, { status: 404, sdk: ecSdk });
  }
  const page = paginate(list, input.Marker, input.MaxRecords, 2, 'ec:clusters');
  const regionCode = ctx.region === 'us-east-1' ? 'use1' : ctx.region === 'us-west-2' ? 'usw2' : ctx.region;
  return {
    CacheClusters: page.items.map(([id, c]): CacheCluster => ({
      CacheClusterId: id,
      ARN: `arn:aws:elasticache:${ctx.region}:${ctx.world.account}:cluster:${id}`,
      CacheNodeType: c.nodeType ?? 'cache.t3.micro',
      Engine: c.engine ?? 'redis',
      EngineVersion: '7.1.0',
      CacheClusterStatus: c.status ?? 'available',
      NumCacheNodes: c.numNodes ?? 1,
      PreferredAvailabilityZone: `${ctx.region}a`,
      CacheClusterCreateTime: new Date(c.createdAt),
      ...(input.ShowCacheNodeInfo
        ? {
            CacheNodes: Array.from({ length: c.numNodes ?? 1 }, (_, i) => ({
              CacheNodeId: String(i + 1).padStart(4, '0'),
              CacheNodeStatus: c.status ?? 'available',
              CacheNodeCreateTime: new Date(c.createdAt),
              Endpoint: { Address: `${id}.abc123.${String(i + 1).padStart(4, '0')}.${regionCode}.cache.amazonaws.com`, Port: 6379 },
              ParameterGroupStatus: 'in-sync',
            })),
          }
        : {}),
    })),
    Marker: page.next,
  };
}

registerService('ElastiCache', { sdk: ecSdk, throttleError: 'Throttling', ops: { DescribeCacheClusters: describeCacheClusters } });
