/** Applies a WorldChange (scheduled or immediate) to the world, at the time it happens. */
import type { SimWorld } from './world';
import type { WorldChange } from './spec';
import { setDbStatus, setReplicaLag } from './services/rds';
import { forceAlarmState, setMetricSeries } from './services/cloudwatch';
import { appendLog } from './services/logs';
import { crashTasks, deployService, setRevisionFailure } from './services/ecs';
import { setCacheStatus } from './services/capacity';
import { setHealthCheckStatus } from './services/route53';

export function applyChange(world: SimWorld, change: WorldChange, at: number): void {
  switch (change.kind) {
    case 'db-status':
      setDbStatus(world, change.region, change.id, change.status, at);
      return;
    case 'replica-lag':
      setReplicaLag(world, change.region, change.id, change.seconds, at);
      return;
    case 'health-check':
      setHealthCheckStatus(world, change.id, change.status);
      return;
    case 'alarm-state':
      forceAlarmState(world, change.region, change.name, change.state, change.reason ?? `Scenario set the alarm to ${change.state}`, at);
      return;
    case 'metric':
      setMetricSeries(world, change.region, change.metric, change.series, at);
      return;
    case 'log':
      appendLog(world, change.region, change.group, change.stream ?? 'ecs/app/scenario', change.message, at);
      return;
    case 'task-definition-fails':
      setRevisionFailure(world, change.region, change.taskDefinition, change.reason);
      return;
    case 'ecs-deploy':
      deployService(world, change.region, change.cluster, change.service, { taskDefinition: change.taskDefinition, desiredCount: change.desiredCount, forceNewDeployment: change.forceNewDeployment }, at);
      return;
    case 'ecs-tasks-stop':
      crashTasks(world, change.region, change.cluster, change.service, change.count, change.reason ?? 'Essential container in task exited', at);
      return;
    case 'cache-status':
      setCacheStatus(world, change.region, change.id, change.status);
      return;
    case 'fault':
      world.addFault(change.fault);
      return;
    case 'clear-faults':
      world.clearFaults(change.ids);
      return;
  }
}
