/**
 * ELBv2: listeners (forward actions), target groups and target health. Targets of a
 * group used by an ECS service follow that service's tasks (ecs.ts ecsTargets).
 */
import * as sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Action,
  DescribeListenersCommandInput,
  DescribeListenersCommandOutput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  Listener,
  ModifyListenerCommandInput,
  ModifyListenerCommandOutput,
  TargetGroup,
  TargetHealthReasonEnum as TargetHealthReason,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsError } from '../errors';
import { paginate } from '../paging';
import type { Elbv2Spec, ListenerSpec, TargetGroupSpec } from '../spec';
import { authReq } from '../iam-arns';
import { isObj, obj, map, type Json, type Problems } from '../spec-checks';
import type { OpContext, ServiceSim } from './index';
import { ecsTargets } from './ecs';

type Out<T> = Omit<T, '$metadata'>;

export interface Elbv2State {
  targetGroups: Map<string, TargetGroupSpec>;
  listeners: Map<string, ListenerSpec>;
}

declare module '../state' {
  interface RegionState {
    elbv2: Elbv2State;
  }
}

function initElbv2(spec: Elbv2Spec | undefined): Elbv2State {
  return {
    targetGroups: new Map(Object.entries(structuredClone(spec?.targetGroups ?? {}))),
    listeners: new Map(Object.entries(structuredClone(spec?.listeners ?? {}))),
  };
}

function actions(l: ListenerSpec): Action[] {
  const forward: Action = {
    Type: 'forward',
    Order: 1,
    ForwardConfig: { TargetGroups: l.forward.map((f) => ({ TargetGroupArn: f.targetGroupArn, Weight: f.weight ?? 1 })), TargetGroupStickinessConfig: { Enabled: false } },
  };
  if (l.forward.length === 1) forward.TargetGroupArn = l.forward[0]?.targetGroupArn;
  return [forward];
}

function describeListener(arn: string, l: ListenerSpec): Listener {
  return { ListenerArn: arn, LoadBalancerArn: l.loadBalancerArn, Port: l.port, Protocol: l.protocol as Listener['Protocol'], DefaultActions: actions(l), SslPolicy: l.protocol === 'HTTPS' ? 'ELBSecurityPolicy-TLS13-1-2-2021-06' : undefined };
}

function describeListeners(ctx: OpContext, input: DescribeListenersCommandInput): Out<DescribeListenersCommandOutput> {
  const e = ctx.r.elbv2;
  if (!input.ListenerArns?.length && !input.LoadBalancerArn) throw awsError('ValidationError', 'A load balancer ARN or listener ARNs must be specified', { status: 400, sdk });
  let list = [...e.listeners.entries()];
  if (input.ListenerArns?.length) {
    for (const arn of input.ListenerArns) if (!e.listeners.has(arn)) throw awsError('ListenerNotFoundException', `One or more listeners not found`, { status: 400, sdk });
    list = list.filter(([arn]) => input.ListenerArns?.includes(arn));
  }
  if (input.LoadBalancerArn) list = list.filter(([, l]) => l.loadBalancerArn === input.LoadBalancerArn);
  const page = paginate(list, input.Marker, input.PageSize, 2, 'elb:listeners', 'ValidationError');
  return { Listeners: page.items.map(([arn, l]) => describeListener(arn, l)), NextMarker: page.next };
}

function modifyListener(ctx: OpContext, input: ModifyListenerCommandInput): Out<ModifyListenerCommandOutput> {
  const e = ctx.r.elbv2;
  const l = input.ListenerArn ? e.listeners.get(input.ListenerArn) : undefined;
  if (!l || !input.ListenerArn) throw awsError('ListenerNotFoundException', `One or more listeners not found`, { status: 400, sdk });
  if (input.DefaultActions) {
    const forward: { targetGroupArn: string; weight?: number }[] = [];
    for (const a of input.DefaultActions) {
      if (a.Type !== 'forward') throw awsError('ValidationError', `Only forward actions are simulated (got ${a.Type})`, { status: 400, sdk });
      const groups = a.ForwardConfig?.TargetGroups?.length ? a.ForwardConfig.TargetGroups.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? '', weight: g.Weight })) : [{ targetGroupArn: a.TargetGroupArn ?? '' }];
      if (a.TargetGroupArn && a.ForwardConfig?.TargetGroups?.length && !a.ForwardConfig.TargetGroups.some((g) => g.TargetGroupArn === a.TargetGroupArn)) {
        throw awsError('ValidationError', 'TargetGroupArn and ForwardConfig target groups must match', { status: 400, sdk });
      }
      for (const g of groups) {
        if (!e.targetGroups.has(g.targetGroupArn)) throw awsError('TargetGroupNotFoundException', `Target groups '${g.targetGroupArn}' not found`, { status: 400, sdk });
        forward.push(g);
      }
    }
    if (!forward.length) throw awsError('ValidationError', 'A forward action needs a target group', { status: 400, sdk });
    l.forward = forward;
  }
  if (input.Port) l.port = input.Port;
  if (input.Protocol) l.protocol = input.Protocol;
  return { Listeners: [describeListener(input.ListenerArn, l)] };
}

function loadBalancersOf(ctx: OpContext, arn: string, tg: TargetGroupSpec): string[] {
  const fromListeners = [...ctx.r.elbv2.listeners.values()].filter((l) => l.forward.some((f) => f.targetGroupArn === arn)).map((l) => l.loadBalancerArn);
  return [...new Set([...(tg.loadBalancerArns ?? []), ...fromListeners])];
}

function describeTargetGroup(ctx: OpContext, arn: string, tg: TargetGroupSpec): TargetGroup {
  return {
    TargetGroupArn: arn,
    TargetGroupName: tg.name,
    Protocol: (tg.protocol ?? 'HTTP') as TargetGroup['Protocol'],
    Port: tg.port ?? 8080,
    VpcId: 'vpc-0sim000000000001',
    HealthCheckProtocol: 'HTTP',
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: tg.healthCheckPath ?? '/',
    Matcher: { HttpCode: '200' },
    LoadBalancerArns: loadBalancersOf(ctx, arn, tg),
    TargetType: 'ip',
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

function describeTargetGroups(ctx: OpContext, input: DescribeTargetGroupsCommandInput): Out<DescribeTargetGroupsCommandOutput> {
  let list = [...ctx.r.elbv2.targetGroups.entries()];
  if (input.TargetGroupArns?.length) {
    for (const arn of input.TargetGroupArns) if (!ctx.r.elbv2.targetGroups.has(arn)) throw awsError('TargetGroupNotFoundException', `One or more target groups not found`, { status: 400, sdk });
    list = list.filter(([arn]) => input.TargetGroupArns?.includes(arn));
  }
  if (input.Names?.length) {
    list = list.filter(([, tg]) => input.Names?.includes(tg.name));
    if (list.length < input.Names.length) throw awsError('TargetGroupNotFoundException', `One or more target groups not found`, { status: 400, sdk });
  }
  if (input.LoadBalancerArn) list = list.filter(([arn, tg]) => loadBalancersOf(ctx, arn, tg).includes(input.LoadBalancerArn ?? ''));
  const page = paginate(list, input.Marker, input.PageSize, 2, 'elb:tgs', 'ValidationError');
  return { TargetGroups: page.items.map(([arn, tg]) => describeTargetGroup(ctx, arn, tg)), NextMarker: page.next };
}

function describeTargetHealth(ctx: OpContext, input: DescribeTargetHealthCommandInput): Out<DescribeTargetHealthCommandOutput> {
  const arn = input.TargetGroupArn ?? '';
  const tg = ctx.r.elbv2.targetGroups.get(arn);
  if (!tg) throw awsError('TargetGroupNotFoundException', `Target groups '${arn}' not found`, { status: 400, sdk });
  let targets = tg.targets ?? ecsTargets(ctx.world, ctx.region, arn);
  if (input.Targets?.length) targets = targets.filter((t) => input.Targets?.some((q) => q.Id === t.id && (q.Port === undefined || q.Port === t.port)));
  return {
    TargetHealthDescriptions: targets.map((t) => ({
      Target: { Id: t.id, Port: t.port, AvailabilityZone: undefined },
      HealthCheckPort: String(t.port),
      TargetHealth: { State: t.state, Reason: t.reason as TargetHealthReason | undefined, Description: 'description' in t ? (t.description as string | undefined) : undefined },
    })),
  };
}

/** `regions.<r>.elbv2` of a WorldSpec. */
function validateElbv2Spec(p: Problems, path: string, spec: Json): void {
  const e = obj(p, path, spec, ['targetGroups', 'listeners']);
  const tgs = isObj(e?.targetGroups) ? e.targetGroups : {};
  map(p, `${path}.targetGroups`, e?.targetGroups, (at, _k, x) => {
    obj(p, at, x, ['name', 'port', 'protocol', 'healthCheckPath', 'loadBalancerArns', 'targets'], ['name']);
  });
  map(p, `${path}.listeners`, e?.listeners, (at, _k, x) => {
    const l = obj(p, at, x, ['loadBalancerArn', 'port', 'protocol', 'forward'], ['loadBalancerArn', 'port', 'protocol', 'forward']);
    if (!l) return;
    if (!Array.isArray(l.forward) || !l.forward.length) p.push(`${at}.forward: expected a non-empty array of { targetGroupArn, weight? }`);
    else l.forward.forEach((f, i) => isObj(f) && typeof f.targetGroupArn === 'string' && !(f.targetGroupArn in tgs) && p.push(`${at}.forward[${i}].targetGroupArn: not in ${path}.targetGroups`));
  });
}

export const service: ServiceSim = {
  name: 'ElasticLoadBalancingV2',
  sdk,
  throttleError: 'Throttling',
  ops: {
    DescribeListeners: describeListeners,
    ModifyListener: modifyListener,
    DescribeTargetGroups: describeTargetGroups,
    DescribeTargetHealth: describeTargetHealth,
  },
  iam: {
    DescribeListeners: () => [authReq('elasticloadbalancing:DescribeListeners', '*')],
    ModifyListener: (c) => [authReq('elasticloadbalancing:ModifyListener', String(c.input.ListenerArn ?? ''))],
    DescribeTargetGroups: () => [authReq('elasticloadbalancing:DescribeTargetGroups', '*')],
    DescribeTargetHealth: () => [authReq('elasticloadbalancing:DescribeTargetHealth', '*')],
    DescribeRules: () => [authReq('elasticloadbalancing:DescribeRules', '*')],
  },
  region: { key: 'elbv2', init: (_world, _region, spec) => initElbv2(spec), validate: validateElbv2Spec },
};
