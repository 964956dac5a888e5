/**
 * Runbook 3 on AWS: ScalingOperations over the ECS, Application Auto Scaling and
 * CloudWatch clients of the service's region.
 *
 * applyScale re-reads live state first (a retried step finds the change made and does not
 * make it twice) and verifies after. With a scalable target, MinCapacity is set first:
 * RegisterScalableTarget moves the current capacity into the new range
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html),
 * and target tracking can no longer scale below it; UpdateService then sets the exact count
 * (a no-op when Application Auto Scaling already did).
 */
import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import './sdk/appAutoScaling';
import './sdk/ecs';
import './sdk/elbv2';
import type { ServiceCapacity } from '../../domain/scaling/capacity';
import type { AlarmReading, ScaleChange } from '../../domain/scaling/decide';
import type { ServiceRef } from '../../domain/scaling/pages';
import type { ScalingOperations } from '../../domain/scaling/workflow';
import type { AwsRegions } from './clients';
import { alarmSelector, readAlarms, type AlarmState } from './alarm-reader';
import { readEcsService } from './ecs-service-reader';

const ECS_DIMENSION = 'ecs:service:DesiredCount';
/** DescribeAlarms pages read per pattern: a gate of a few alarms never needs more. */
const MAX_ALARM_PAGES = 3;

export class AwsScalingOperations implements ScalingOperations {
  constructor(
    private readonly aws: AwsRegions,
    private readonly ref: ServiceRef,
    /** The service's ALB target group (runbook 3 step 3 checks its health); none: not checked. */
    private readonly targetGroupArn?: string,
  ) {}

  async readHealthyTargets(): Promise<number | undefined> {
    if (!this.targetGroupArn) return undefined;
    const out = await this.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: this.targetGroupArn }));
    return (out.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length;
  }

  private get clients() {
    return this.aws.in(this.ref.region);
  }

  private get resourceId(): string {
    return `service/${this.ref.cluster}/${this.ref.service}`;
  }

  async readCapacity(): Promise<ServiceCapacity> {
    const [{ service: svc, failure }, targets] = await Promise.all([
      readEcsService(this.clients.ecs, this.ref.cluster, this.ref.service),
      this.clients.appAutoScaling.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [this.resourceId], ScalableDimension: ECS_DIMENSION }),
      ),
    ]);
    if (!svc || svc.status === 'INACTIVE') {
      const why = failure ?? svc?.status ?? 'not returned';
      throw new Error(`ECS service ${this.ref.cluster}/${this.ref.service} in ${this.ref.region}: ${why}`);
    }
    const target = targets.ScalableTargets?.find((t) => t.ResourceId === this.resourceId && t.ScalableDimension === ECS_DIMENSION);
    const capacity: ServiceCapacity = {
      cluster: this.ref.cluster,
      service: this.ref.service,
      desired: svc.desired,
      running: svc.running,
      pending: svc.pending,
    };
    if (target && target.MinCapacity !== undefined && target.MaxCapacity !== undefined) {
      capacity.autoScaling = { resourceId: this.resourceId, minCapacity: target.MinCapacity, maxCapacity: target.MaxCapacity };
    }
    return capacity;
  }

  async applyScale(change: ScaleChange): Promise<ServiceCapacity> {
    const before = await this.readCapacity();
    const target = before.autoScaling;
    if (target && change.autoScalingMin !== undefined && target.minCapacity !== change.autoScalingMin) {
      await this.clients.appAutoScaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'ecs',
          ResourceId: this.resourceId,
          ScalableDimension: ECS_DIMENSION,
          MinCapacity: change.autoScalingMin,
          // Never below the new min: RegisterScalableTarget rejects min > max.
          MaxCapacity: Math.max(target.maxCapacity, change.autoScalingMin),
        }),
      );
    }
    const reread = target ? await this.readCapacity() : before;
    // Idempotent: out is done at or above the count, in at or below (someone else may have moved it further).
    const needed = change.direction === 'out' ? reread.desired < change.desired : reread.desired > change.desired;
    if (needed) {
      await this.clients.ecs.send(new UpdateServiceCommand({ cluster: this.ref.cluster, service: this.ref.service, desiredCount: change.desired }));
    }
    return this.readCapacity();
  }

  async readAlarms(patterns: string[]): Promise<AlarmReading> {
    const alarms: { name: string; state: string; since: number }[] = [];
    for (const pattern of patterns) {
      for (const a of await readAlarms(this.clients.cloudwatch, alarmSelector(pattern), MAX_ALARM_PAGES)) alarms.push(gateReading(a));
    }
    return combineAlarms(patterns, alarms);
  }
}

function gateReading(a: AlarmState): { name: string; state: string; since: number } {
  return { name: a.name, state: a.state, since: a.transitionedAt ?? a.updatedAt ?? 0 };
}

/** One reading for the gate: ALARM if any is, INSUFFICIENT_DATA if any is or none exists, else OK since the latest change. */
export function combineAlarms(patterns: string[], alarms: { name: string; state: string; since: number }[]): AlarmReading {
  const unique = [...new Map(alarms.map((a) => [a.name, a])).values()];
  if (unique.length === 0) return { name: patterns.join(', '), state: 'INSUFFICIENT_DATA', since: 0 };
  const names = unique.map((a) => a.name).join(', ');
  const inAlarm = unique.filter((a) => a.state === 'ALARM');
  if (inAlarm.length > 0) return { name: inAlarm.map((a) => a.name).join(', '), state: 'ALARM', since: Math.min(...inAlarm.map((a) => a.since)) };
  const unknown = unique.filter((a) => a.state !== 'OK');
  if (unknown.length > 0) return { name: unknown.map((a) => a.name).join(', '), state: 'INSUFFICIENT_DATA', since: Math.max(...unknown.map((a) => a.since)) };
  return { name: names, state: 'OK', since: Math.max(...unique.map((a) => a.since)) };
}
