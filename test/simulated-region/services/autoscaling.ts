/**
 * Application Auto Scaling (ECS service min/max). RegisterScalableTarget moves the service's
 * desiredCount into the new [min, max] as Application Auto Scaling does.
 */
import * as aasSdk from '@aws-sdk/client-application-auto-scaling';
import type {
  DescribeScalableTargetsCommandInput,
  DescribeScalableTargetsCommandOutput,
  DescribeScalingPoliciesCommandInput,
  DescribeScalingPoliciesCommandOutput,
  RegisterScalableTargetCommandInput,
  RegisterScalableTargetCommandOutput,
} from '@aws-sdk/client-application-auto-scaling';
import { awsError } from '../errors';
import { paginate } from '../paging';
import type { AutoScalingSpec, ScalableTargetSpec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq } from '../iam-arns';
import { obj, map, num, type Json, type Problems } from '../spec-checks';
import type { OpContext, ServiceSim } from './index';
import { clampDesiredCount } from './ecs';

type Out<T> = Omit<T, '$metadata'>;

export interface AutoScalingState {
  targets: Map<string, ScalableTargetSpec & { arn: string; createdAt: number; suspended: { in: boolean; out: boolean; scheduled: boolean } }>;
}

declare module '../state' {
  interface RegionState {
    autoscaling: AutoScalingState;
  }
}

function initAutoScaling(world: SimWorld, region: string, spec: AutoScalingSpec | undefined): AutoScalingState {
  const targets: AutoScalingState['targets'] = new Map();
  for (const [id, t] of Object.entries(spec?.targets ?? {})) {
    targets.set(id, { ...structuredClone(t), resourceId: t.resourceId ?? id, arn: `arn:aws:application-autoscaling:${region}:${world.account}:scalable-target/0ec5${world.ids.hex(28)}`, createdAt: world.startMs - 90 * 86400_000, suspended: { in: false, out: false, scheduled: false } });
  }
  return { targets };
}

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

/** `regions.<r>.autoscaling` of a WorldSpec. */
function validateAutoScalingSpec(p: Problems, path: string, spec: Json): void {
  const a = obj(p, path, spec, ['targets']);
  map(p, `${path}.targets`, a?.targets, (at, _k, x) => {
    const t = obj(p, at, x, ['namespace', 'resourceId', 'dimension', 'minCapacity', 'maxCapacity', 'policies'], ['resourceId', 'minCapacity', 'maxCapacity']);
    if (!t) return;
    num(p, `${at}.minCapacity`, t.minCapacity, { min: 0, integer: true });
    num(p, `${at}.maxCapacity`, t.maxCapacity, { min: 0, integer: true });
  });
}

export const service: ServiceSim = {
  name: 'ApplicationAutoScaling',
  sdk: aasSdk,
  throttleError: 'ThrottlingException',
  ops: {
    DescribeScalableTargets: describeScalableTargets,
    RegisterScalableTarget: registerScalableTarget,
    DescribeScalingPolicies: describeScalingPolicies,
  },
  iam: {
    DescribeScalableTargets: () => [authReq('application-autoscaling:DescribeScalableTargets', '*')],
    DescribeScalingPolicies: () => [authReq('application-autoscaling:DescribeScalingPolicies', '*')],
    DescribeScalingActivities: () => [authReq('application-autoscaling:DescribeScalingActivities', '*')],
    RegisterScalableTarget: (c) => [
      authReq('application-autoscaling:RegisterScalableTarget', arnIn('application-autoscaling', c.region, c.account, `scalable-target/${String(c.input.ResourceId ?? '').replace(/\W+/g, '')}`)),
    ],
  },
  region: { key: 'autoscaling', init: initAutoScaling, validate: validateAutoScalingSpec },
};

