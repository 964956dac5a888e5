/** Per-region state of every simulated service, built from the RegionSpec. */
import type { SimWorld } from './world';
import type { RegionSpec } from './spec';
import { initRds, type RdsState } from './services/rds';
import { initEcs, type EcsState } from './services/ecs';
import { initCloudWatch, type CloudWatchState } from './services/cloudwatch';
import { initLogs, type LogsState } from './services/logs';
import { initCodeDeploy, type CodeDeployState } from './services/codedeploy';
import { initElbv2, type Elbv2State } from './services/elbv2';
import { initS3, type S3State } from './services/s3';
import { initAutoScaling, initElastiCache, type AutoScalingState, type ElastiCacheState } from './services/capacity';
import { initSns, type SnsState } from './services/messaging';

export interface RegionState {
  name: string;
  rds: RdsState;
  ecs: EcsState;
  cloudwatch: CloudWatchState;
  logs: LogsState;
  codedeploy: CodeDeployState;
  elbv2: Elbv2State;
  s3: S3State;
  autoscaling: AutoScalingState;
  elasticache: ElastiCacheState;
  sns: SnsState;
}

export function initRegion(world: SimWorld, name: string, spec: RegionSpec): RegionState {
  return {
    name,
    rds: initRds(world, name, spec.rds),
    ecs: initEcs(world, name, spec.ecs),
    cloudwatch: initCloudWatch(world, name, spec.cloudwatch),
    logs: initLogs(world, spec.logs),
    codedeploy: initCodeDeploy(world, spec.codedeploy),
    elbv2: initElbv2(spec.elbv2),
    s3: initS3(world, spec.s3),
    autoscaling: initAutoScaling(world, name, spec.autoscaling),
    elasticache: initElastiCache(world, spec.elasticache),
    sns: initSns(spec.sns),
  };
}
