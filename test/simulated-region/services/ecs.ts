/**
 * ECS: task definitions, services, deployments and tasks.
 *
 * UpdateService with a new task definition (or forceNewDeployment) creates a PRIMARY
 * deployment (rolloutState IN_PROGRESS); the previous one becomes ACTIVE. New tasks go
 * PROVISIONING -> PENDING -> RUNNING; once the PRIMARY runs its desired count, the old
 * tasks drain (STOPPED) and the rollout is COMPLETED. Tasks of a failing revision stop
 * with a stoppedReason; after `failureThreshold` failures the deployment circuit breaker
 * marks the rollout FAILED (and rolls back when configured). desiredCount changes move
 * runningCount task by task.
 */
import * as sdk from '@aws-sdk/client-ecs';
import type {
  ContainerDefinition,
  Deployment,
  DeregisterTaskDefinitionCommandInput,
  DeregisterTaskDefinitionCommandOutput,
  DescribeServicesCommandInput,
  DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommandInput,
  DescribeTasksCommandOutput,
  ListServicesCommandInput,
  ListServicesCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  ListTaskDefinitionsCommandInput,
  ListTaskDefinitionsCommandOutput,
  ListTasksCommandInput,
  ListTasksCommandOutput,
  RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommandOutput,
  Service,
  StopTaskCommandInput,
  StopTaskCommandOutput,
  Tag,
  TagResourceCommandInput,
  TagResourceCommandOutput,
  Task,
  TaskDefinition,
  UpdateServiceCommandInput,
  UpdateServiceCommandOutput,
  DescribeClustersCommandInput,
  DescribeClustersCommandOutput,
} from '@aws-sdk/client-ecs';
import { awsError } from '../errors';
import { paginate } from '../paging';
import type { EcsSpec, EcsTimings, TaskDefinitionSpec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq, isArn, lastSegment } from '../iam-arns';
import type { AuthRequest } from '../iam';
import { isObj, obj, map, str, num, bool, oneOf, time, stringMap, type Json, type Problems } from '../spec-checks';
import type { OpContext, IamCall, ServiceSim } from './index';
import { appendLog } from './logs';

type Out<T> = Omit<T, '$metadata'>;

export interface TaskDefState {
  def: TaskDefinition & { family: string; revision: number; taskDefinitionArn: string };
  tags: Record<string, string>;
  failsWith?: string;
  failExitCode: number;
}

export interface DeploymentState {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  rolloutState: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED';
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  failedTasks: number;
}

export interface TaskState {
  arn: string;
  id: string;
  clusterArn: string;
  service: string;
  deploymentId: string;
  taskDefinitionArn: string;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated' | 'SpotInterruption' | 'TerminationNotice';
  stoppedReason?: string;
  exitCode?: number;
  containerReason?: string;
  ip: string;
  availabilityZone: string;
  version: number;
}

export interface ServiceState {
  name: string;
  arn: string;
  cluster: string;
  clusterArn: string;
  desiredCount: number;
  launchType: 'FARGATE' | 'EC2';
  deploymentController: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
  loadBalancers: { targetGroupArn: string; containerName: string; containerPort: number }[];
  circuitBreaker: { enable: boolean; rollback: boolean };
  minimumHealthyPercent: number;
  maximumPercent: number;
  deployments: DeploymentState[];
  events: { id: string; at: number; message: string }[];
  createdAt: number;
}

export interface EcsState {
  clusters: Map<string, { arn: string; services: Map<string, ServiceState> }>;
  /** Keyed by 'family:revision'. */
  taskDefinitions: Map<string, TaskDefState>;
  tasks: TaskState[];
  /** 'family:revision' or 'family:*' -> stoppedReason: revisions registered later fail too. */
  failRules: Map<string, string>;
  timings: EcsTimings;
}

declare module '../state' {
  interface RegionState {
    ecs: EcsState;
  }
}

const DEFAULT_TIMINGS: EcsTimings = { taskStartSeconds: 45, taskStopSeconds: 30, taskFailSeconds: 40, failureThreshold: 3, relaunchSeconds: 20 };

const PAGE_TASK_DEFS = 3;
const PAGE_TASKS = 2;
const PAGE_SERVICES = 2;

// ------------------------------------------------------------ init

function containerDefinitions(spec: TaskDefinitionSpec, region: string): ContainerDefinition[] {
  return Object.entries(spec.containers).map(([name, c]) => ({
    name,
    image: c.image,
    cpu: c.cpu ?? 0,
    memory: c.memory,
    essential: c.essential ?? true,
    portMappings: (c.portMappings ?? []).map((p) => ({ containerPort: p.containerPort, hostPort: p.containerPort, protocol: p.protocol ?? 'tcp' })),
    environment: Object.entries(c.environment ?? {}).map(([k, v]) => ({ name: k, value: v })),
    ...(c.secrets ? { secrets: Object.entries(c.secrets).map(([k, v]) => ({ name: k, valueFrom: v })) } : {}),
    mountPoints: [],
    volumesFrom: [],
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${spec.family}`, 'awslogs-region': region, 'awslogs-stream-prefix': 'ecs' } },
  }));
}

function initEcs(world: SimWorld, region: string, spec: EcsSpec | undefined): EcsState {
  const state: EcsState = { clusters: new Map(), taskDefinitions: new Map(), tasks: [], failRules: new Map(), timings: { ...DEFAULT_TIMINGS, ...(spec?.timings ?? {}) } };
  const account = world.account;
  for (const [key, td] of Object.entries(spec?.taskDefinitions ?? {})) {
    const arn = `arn:aws:ecs:${region}:${account}:task-definition/${td.family}:${td.revision}`;
    state.taskDefinitions.set(key, {
      def: {
        taskDefinitionArn: arn,
        containerDefinitions: containerDefinitions(td, region),
        family: td.family,
        taskRoleArn: td.taskRoleArn ?? `arn:aws:iam::${account}:role/${td.family}-task`,
        executionRoleArn: td.executionRoleArn ?? `arn:aws:iam::${account}:role/ecsTaskExecutionRole`,
        networkMode: 'awsvpc',
        revision: td.revision,
        volumes: [],
        status: td.status ?? 'ACTIVE',
        requiresAttributes: [],
        placementConstraints: [],
        compatibilities: ['EC2', 'FARGATE'],
        requiresCompatibilities: ['FARGATE'],
        cpu: td.cpu ?? '512',
        memory: td.memory ?? '1024',
        registeredAt: new Date(world.toMs(td.registeredAt ?? -30 * 86400)),
        registeredBy: `arn:aws:iam::${account}:role/github-actions-deploy`,
      },
      tags: td.tags ?? {},
      failsWith: td.failsWith,
      failExitCode: td.failExitCode ?? 1,
    });
  }
  for (const [clusterName, c] of Object.entries(spec?.clusters ?? {})) {
    const clusterArn = `arn:aws:ecs:${region}:${account}:cluster/${clusterName}`;
    const services = new Map<string, ServiceState>();
    state.clusters.set(clusterName, { arn: clusterArn, services });
    for (const [name, s] of Object.entries(c.services ?? {})) {
      const deployedAt = world.toMs(s.deployedAt ?? -3 * 86400);
      const svc: ServiceState = {
        name,
        arn: `arn:aws:ecs:${region}:${account}:service/${clusterName}/${name}`,
        cluster: clusterName,
        clusterArn,
        desiredCount: s.desiredCount,
        launchType: s.launchType ?? 'FARGATE',
        deploymentController: s.deploymentController ?? 'ECS',
        loadBalancers: s.loadBalancers ?? [],
        circuitBreaker: s.circuitBreaker ?? { enable: true, rollback: false },
        minimumHealthyPercent: s.minimumHealthyPercent ?? 100,
        maximumPercent: s.maximumPercent ?? 200,
        deployments: [],
        events: [],
        createdAt: world.toMs(-400 * 86400),
      };
      const deployments = s.deployments ?? { primary: { taskDefinition: s.taskDefinition, status: 'PRIMARY' as const, rolloutState: 'COMPLETED' as const, createdAt: s.deployedAt ?? -3 * 86400, runningCount: s.runningCount ?? s.desiredCount } };
      for (const d of Object.values(deployments)) {
        const td = state.taskDefinitions.get(d.taskDefinition);
        const tdArn = td?.def.taskDefinitionArn ?? `arn:aws:ecs:${region}:${account}:task-definition/${d.taskDefinition}`;
        const dep: DeploymentState = {
          id: `ecs-svc/${deploymentNumber(world)}`,
          status: d.status,
          taskDefinitionArn: tdArn,
          desiredCount: d.status === 'PRIMARY' ? s.desiredCount : 0,
          rolloutState: d.rolloutState ?? (d.status === 'PRIMARY' ? 'COMPLETED' : 'COMPLETED'),
          rolloutStateReason: d.rolloutState === 'IN_PROGRESS' ? 'ECS deployment ecs-svc in progress.' : 'ECS deployment ecs-svc completed.',
          createdAt: world.toMs(d.createdAt ?? s.deployedAt ?? -3 * 86400),
          updatedAt: world.toMs(d.createdAt ?? s.deployedAt ?? -3 * 86400),
          failedTasks: 0,
        };
        if (d.status === 'PRIMARY') svc.deployments.unshift(dep);
        else svc.deployments.push(dep);
        const running = d.runningCount ?? (d.status === 'PRIMARY' ? (s.runningCount ?? s.desiredCount) : 0);
        for (let i = 0; i < running; i++) {
          const task = newTask(world, region, state, svc, dep, dep.createdAt + 60_000);
          task.lastStatus = 'RUNNING';
          task.startedAt = dep.createdAt + 60_000 + i * 1000;
        }
      }
      svc.events.push({ id: world.ids.hex(8) + '-' + world.ids.hex(4), at: Math.max(deployedAt + 300_000, world.startMs - 3600_000), message: `(service ${name}) has reached a steady state.` });
      for (const e of s.events ?? []) svc.events.push({ id: world.ids.hex(8), at: world.toMs(e.at), message: e.message });
      services.set(name, svc);
      // The scheduler looks at every service once at T+0 (a spec may start mid-rollout or under-scaled).
      world.at(world.startMs, `ecs ${name} initial reconcile`, (at) => reconcile(world, region, svc, at));
    }
  }
  return state;
}

function deploymentNumber(world: SimWorld): string {
  let n = '';
  for (let i = 0; i < 19; i++) n += Math.floor(world.ids.next() * 10).toString();
  return n.replace(/^0/, '1');
}

function newTask(world: SimWorld, region: string, ecs: EcsState, svc: ServiceState, dep: DeploymentState, at: number): TaskState {
  const id = world.ids.hex(32);
  const n = ecs.tasks.length + 10;
  const task: TaskState = {
    arn: `arn:aws:ecs:${region}:${world.account}:task/${svc.cluster}/${id}`,
    id,
    clusterArn: svc.clusterArn,
    service: svc.name,
    deploymentId: dep.id,
    taskDefinitionArn: dep.taskDefinitionArn,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    createdAt: at,
    ip: `10.0.${(n % 2) + 1}.${(n % 200) + 20}`,
    availabilityZone: `${region}${n % 2 ? 'b' : 'a'}`,
    version: 1,
  };
  ecs.tasks.push(task);
  return task;
}

// ------------------------------------------------------------ queries used by other modules

function taskDefKey(arnOrKey: string): string {
  const m = /task-definition\/(.+)$/.exec(arnOrKey);
  return m?.[1] ?? arnOrKey;
}

function findService(world: SimWorld, region: string, cluster: string, service: string): ServiceState | undefined {
  return world.region(region).ecs.clusters.get(clusterName(cluster))?.services.get(serviceName(service));
}

/** True when a RUNNING task of the service uses this task definition ('family:revision' or ARN). */
export function serviceServes(world: SimWorld, region: string, cluster: string, service: string, taskDefinition: string): boolean {
  const key = taskDefKey(taskDefinition);
  return world.region(region).ecs.tasks.some((t) => t.clusterArn.endsWith(`/${cluster}`) && t.service === service && t.lastStatus === 'RUNNING' && taskDefKey(t.taskDefinitionArn) === key);
}

export function serviceRunningCount(world: SimWorld, region: string, cluster: string, service: string): number {
  return world.region(region).ecs.tasks.filter((t) => t.clusterArn.endsWith(`/${cluster}`) && t.service === service && t.lastStatus === 'RUNNING').length;
}

/** Targets an ALB target group would see for the ECS tasks registered in it. */
export function ecsTargets(world: SimWorld, region: string, targetGroupArn: string): { id: string; port: number; state: 'healthy' | 'unhealthy' | 'initial' | 'draining'; reason?: string; description?: string }[] {
  const ecs = world.region(region).ecs;
  const out: { id: string; port: number; state: 'healthy' | 'unhealthy' | 'initial' | 'draining'; reason?: string; description?: string }[] = [];
  for (const c of ecs.clusters.values()) {
    for (const svc of c.services.values()) {
      const lb = svc.loadBalancers.find((l) => l.targetGroupArn === targetGroupArn);
      if (!lb) continue;
      for (const t of ecs.tasks) {
        if (t.clusterArn !== svc.clusterArn || t.service !== svc.name) continue;
        const failing = failureOf(ecs, t.taskDefinitionArn);
        if (t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING') out.push({ id: t.ip, port: lb.containerPort, state: failing ? 'unhealthy' : 'healthy', ...(failing ? { reason: 'Target.FailedHealthChecks', description: 'Health checks failed' } : {}) });
        else if (t.desiredStatus === 'RUNNING' && (t.lastStatus === 'PENDING' || t.lastStatus === 'ACTIVATING')) out.push({ id: t.ip, port: lb.containerPort, state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' });
        else if (t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' && t.startedAt !== undefined) out.push({ id: t.ip, port: lb.containerPort, state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' });
      }
    }
  }
  return out;
}

function setRevisionFailure(world: SimWorld, region: string, taskDefinition: string, reason: string | null): void {
  const ecs = world.region(region).ecs;
  const key = taskDefKey(taskDefinition);
  if (reason === null) {
    ecs.failRules.delete(key);
    const td = ecs.taskDefinitions.get(key);
    if (td) td.failsWith = undefined;
  } else {
    ecs.failRules.set(key, reason);
  }
}

function failureOf(ecs: EcsState, taskDefinitionArn: string): string | undefined {
  const key = taskDefKey(taskDefinitionArn);
  const td = ecs.taskDefinitions.get(key);
  const family = key.split(':')[0];
  return td?.failsWith ?? ecs.failRules.get(key) ?? ecs.failRules.get(`${family}:*`);
}

/** A crash: running tasks stop; the scheduler replaces them. */
function crashTasks(world: SimWorld, region: string, cluster: string, service: string, count: number | undefined, reason: string, at: number): void {
  const svc = findService(world, region, cluster, service);
  if (!svc) throw new Error(`world change: no ECS service ${cluster}/${service} in ${region}`);
  const ecs = world.region(region).ecs;
  const running = ecs.tasks.filter((t) => t.clusterArn === svc.clusterArn && t.service === svc.name && t.lastStatus === 'RUNNING');
  for (const t of running.slice(0, count ?? running.length)) {
    markStopped(t, at, 'EssentialContainerExited', reason, 137);
  }
  serviceEvent(world, svc, at, `(service ${svc.name}) has stopped ${Math.min(count ?? running.length, running.length)} running tasks: (reason ${reason}).`);
  reconcile(world, region, svc, at);
}

// ------------------------------------------------------------ the scheduler

function clusterName(c: string | undefined): string {
  if (!c) return 'default';
  const m = /cluster\/(.+)$/.exec(c);
  return m?.[1] ?? c;
}

function serviceName(s: string): string {
  const m = /service\/(?:[^/]+\/)?([^/]+)$/.exec(s);
  return m?.[1] ?? s;
}

function serviceEvent(world: SimWorld, svc: ServiceState, at: number, message: string): void {
  svc.events.unshift({ id: `${world.ids.hex(8)}-${world.ids.hex(4)}-${world.ids.hex(4)}-${world.ids.hex(4)}-${world.ids.hex(12)}`, at, message });
  if (svc.events.length > 100) svc.events.length = 100;
}

function deploymentEvent(world: SimWorld, region: string, svc: ServiceState, dep: DeploymentState, at: number, eventName: string, reason: string): void {
  world.emitAwsEvent(at, region, 'aws.ecs', 'ECS Deployment State Change', [svc.arn], {
    eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
    eventName,
    deploymentId: dep.id,
    updatedAt: new Date(at).toISOString(),
    reason,
  });
}

function markStopped(t: TaskState, at: number, code: TaskState['stopCode'], reason: string, exitCode?: number): void {
  t.desiredStatus = 'STOPPED';
  t.lastStatus = 'STOPPED';
  t.stoppingAt ??= at;
  t.stoppedAt = at;
  t.stopCode = code;
  t.stoppedReason = reason;
  if (exitCode !== undefined) t.exitCode = exitCode;
  t.version++;
}

function live(t: TaskState): boolean {
  return t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED';
}

function launch(world: SimWorld, region: string, svc: ServiceState, dep: DeploymentState, at: number): void {
  const ecs = world.region(region).ecs;
  const task = newTask(world, region, ecs, svc, dep, at);
  const hang = { what: 'ecs-deployment' as const, region, resource: `${svc.cluster}/${svc.name}` };
  world.at(at + 15_000, `ecs task ${task.id.slice(0, 8)} pending`, () => {
    if (task.lastStatus === 'PROVISIONING') task.lastStatus = 'PENDING';
  });
  const failure = failureOf(ecs, dep.taskDefinitionArn);
  if (failure) {
    world.at(at + ecs.timings.taskFailSeconds * 1000, `ecs task ${task.id.slice(0, 8)} fails`, (t) => {
      if (task.lastStatus === 'STOPPED') return;
      const td = ecs.taskDefinitions.get(taskDefKey(dep.taskDefinitionArn));
      task.startedAt = t - 10_000;
      task.containerReason = failure;
      markStopped(task, t, 'EssentialContainerExited', `Essential container in task exited: ${failure}`, td?.failExitCode ?? 1);
      dep.failedTasks++;
      dep.updatedAt = t;
      // The container says why it exits in its log group, as the awslogs driver would ship it.
      const container = td?.def.containerDefinitions?.find((c) => c.essential !== false);
      const group = container?.logConfiguration?.options?.['awslogs-group'];
      if (group) appendLog(world, region, group, `ecs/${container?.name ?? 'app'}/${task.id}`, `FATAL ${failure}`, t - 1000);
      serviceEvent(world, svc, t, `(service ${svc.name}) has stopped 1 running tasks: (task ${task.id}).`);
      onTaskFailed(world, region, svc, dep, t);
    }, hang);
    return;
  }
  world.at(at + ecs.timings.taskStartSeconds * 1000, `ecs task ${task.id.slice(0, 8)} running`, (t) => {
    if (task.desiredStatus !== 'RUNNING' || task.lastStatus === 'STOPPED') return;
    task.lastStatus = 'RUNNING';
    task.startedAt = t;
    task.version++;
    if (svc.loadBalancers[0]) serviceEvent(world, svc, t, `(service ${svc.name}) registered 1 targets in (target-group ${svc.loadBalancers[0].targetGroupArn})`);
    reconcile(world, region, svc, t);
  }, hang);
}

function onTaskFailed(world: SimWorld, region: string, svc: ServiceState, dep: DeploymentState, at: number): void {
  const ecs = world.region(region).ecs;
  const primary = svc.deployments[0];
  if (dep !== primary || dep.rolloutState !== 'IN_PROGRESS') {
    world.at(at + ecs.timings.relaunchSeconds * 1000, `ecs ${svc.name} relaunch`, (t) => reconcile(world, region, svc, t));
    return;
  }
  if (svc.circuitBreaker.enable && dep.failedTasks >= ecs.timings.failureThreshold) {
    dep.rolloutState = 'FAILED';
    dep.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    dep.updatedAt = at;
    serviceEvent(world, svc, at, `(service ${svc.name}) (deployment ${dep.id}) deployment failed: tasks failed to start.`);
    deploymentEvent(world, region, svc, dep, at, 'SERVICE_DEPLOYMENT_FAILED', 'ECS deployment circuit breaker: tasks failed to start.');
    if (svc.circuitBreaker.rollback) {
      const lastGood = svc.deployments.find((d) => d !== dep && d.rolloutState === 'COMPLETED');
      if (lastGood) {
        serviceEvent(world, svc, at, `(service ${svc.name}) rolling back to deployment ${lastGood.id}.`);
        startDeployment(world, region, svc, lastGood.taskDefinitionArn, at, `circuit breaker rollback to ${taskDefKey(lastGood.taskDefinitionArn)}`);
      }
    }
    return;
  }
  world.at(at + ecs.timings.relaunchSeconds * 1000, `ecs ${svc.name} relaunch`, (t) => reconcile(world, region, svc, t));
}

function stopTask(world: SimWorld, region: string, svc: ServiceState, task: TaskState, at: number, code: TaskState['stopCode'], reason: string): void {
  const ecs = world.region(region).ecs;
  task.desiredStatus = 'STOPPED';
  task.stoppingAt = at;
  task.stopCode = code;
  task.stoppedReason = reason;
  task.version++;
  if (task.lastStatus === 'RUNNING') task.lastStatus = 'DEACTIVATING';
  world.at(at + ecs.timings.taskStopSeconds * 1000, `ecs task ${task.id.slice(0, 8)} stopped`, (t) => {
    task.lastStatus = 'STOPPED';
    task.stoppedAt = t;
    task.exitCode ??= 0;
    task.version++;
    reconcile(world, region, svc, t);
  });
}

function startDeployment(world: SimWorld, region: string, svc: ServiceState, taskDefinitionArn: string, at: number, why: string): DeploymentState {
  for (const d of svc.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
  const dep: DeploymentState = {
    id: `ecs-svc/${deploymentNumber(world)}`,
    status: 'PRIMARY',
    taskDefinitionArn,
    desiredCount: svc.desiredCount,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment detected healthy tasks and is in progress.',
    createdAt: at,
    updatedAt: at,
    failedTasks: 0,
  };
  svc.deployments.unshift(dep);
  void why;
  deploymentEvent(world, region, svc, dep, at, 'SERVICE_DEPLOYMENT_IN_PROGRESS', `ECS deployment ${dep.id} in progress.`);
  reconcile(world, region, svc, at);
  return dep;
}

/** Bring the service's tasks towards what its deployments want (called after every change). */
function reconcile(world: SimWorld, region: string, svc: ServiceState, at: number): void {
  const ecs = world.region(region).ecs;
  const primary = svc.deployments[0];
  if (!primary) return;
  primary.desiredCount = svc.desiredCount;
  const tasksOf = (d: DeploymentState) => ecs.tasks.filter((t) => t.clusterArn === svc.clusterArn && t.service === svc.name && t.deploymentId === d.id);
  const primaryLive = tasksOf(primary).filter(live);
  const primaryRunning = primaryLive.filter((t) => t.lastStatus === 'RUNNING');

  // Launch what the PRIMARY misses (a FAILED rollout launches no more).
  if (primary.rolloutState !== 'FAILED' && primaryLive.length < svc.desiredCount) {
    const missing = svc.desiredCount - primaryLive.length;
    for (let i = 0; i < missing; i++) launch(world, region, svc, primary, at);
    serviceEvent(world, svc, at, `(service ${svc.name}) has started ${missing} tasks: (deployment ${primary.id}).`);
  }
  // Scale in: newest first.
  if (primaryLive.length > svc.desiredCount) {
    const extra = [...primaryLive].sort((a, b) => b.createdAt - a.createdAt).slice(0, primaryLive.length - svc.desiredCount);
    for (const t of extra) stopTask(world, region, svc, t, at, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${primary.id})`);
    serviceEvent(world, svc, at, `(service ${svc.name}) has stopped ${extra.length} running tasks.`);
  }
  // Old deployments drain once the PRIMARY is healthy at its desired count.
  const old = svc.deployments.slice(1);
  if (primary.rolloutState !== 'FAILED' && primaryRunning.length >= svc.desiredCount) {
    for (const d of old) {
      d.desiredCount = 0;
      for (const t of tasksOf(d).filter(live)) stopTask(world, region, svc, t, at, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${primary.id})`);
    }
  }
  // Old deployments with nothing left disappear (INACTIVE).
  for (const d of old) {
    if (primary.rolloutState === 'FAILED') continue;
    if (tasksOf(d).every((t) => t.lastStatus === 'STOPPED')) {
      d.status = 'INACTIVE';
      svc.deployments.splice(svc.deployments.indexOf(d), 1);
    }
  }
  if (primary.rolloutState === 'IN_PROGRESS' && svc.deployments.length === 1 && primaryRunning.length === svc.desiredCount && primaryLive.length === svc.desiredCount) {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = at;
    serviceEvent(world, svc, at, `(service ${svc.name}) (deployment ${primary.id}) deployment completed.`);
    deploymentEvent(world, region, svc, primary, at, 'SERVICE_DEPLOYMENT_COMPLETED', `ECS deployment ${primary.id} completed.`);
    serviceEvent(world, svc, at, `(service ${svc.name}) has reached a steady state.`);
  } else if (primary.rolloutState === 'COMPLETED' && primaryRunning.length === svc.desiredCount && primaryLive.length === svc.desiredCount && svc.deployments.length === 1) {
    const last = svc.events[0];
    if (!last || !last.message.endsWith('has reached a steady state.')) serviceEvent(world, svc, at, `(service ${svc.name}) has reached a steady state.`);
  }
}

// ------------------------------------------------------------ shapes

function tagsOut(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function describeService(ctx: OpContext, svc: ServiceState): Service {
  const ecs = ctx.r.ecs;
  const tasks = ecs.tasks.filter((t) => t.clusterArn === svc.clusterArn && t.service === svc.name);
  const counts = (pred: (t: TaskState) => boolean) => tasks.filter(pred).length;
  const isRunning = (t: TaskState) => t.lastStatus === 'RUNNING';
  const isPending = (t: TaskState) => t.desiredStatus === 'RUNNING' && (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING' || t.lastStatus === 'ACTIVATING');
  const deployments: Deployment[] = svc.deployments.map((d) => ({
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinitionArn,
    desiredCount: d.desiredCount,
    pendingCount: counts((t) => t.deploymentId === d.id && isPending(t)),
    runningCount: counts((t) => t.deploymentId === d.id && isRunning(t)),
    failedTasks: d.failedTasks,
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
    launchType: svc.launchType,
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0sim0001', 'subnet-0sim0002'], securityGroups: ['sg-0simecs0001'], assignPublicIp: 'DISABLED' } },
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  }));
  return {
    serviceArn: svc.arn,
    serviceName: svc.name,
    clusterArn: svc.clusterArn,
    loadBalancers: svc.loadBalancers.map((l) => ({ ...l })),
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: svc.desiredCount,
    runningCount: counts(isRunning),
    pendingCount: counts(isPending),
    launchType: svc.launchType,
    platformVersion: 'LATEST',
    platformFamily: 'Linux',
    taskDefinition: svc.deployments[0]?.taskDefinitionArn,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { ...svc.circuitBreaker },
      maximumPercent: svc.maximumPercent,
      minimumHealthyPercent: svc.minimumHealthyPercent,
    },
    deployments,
    roleArn: `arn:aws:iam::${ctx.world.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: svc.events.map((e) => ({ id: e.id, createdAt: new Date(e.at), message: e.message })),
    createdAt: new Date(svc.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0sim0001', 'subnet-0sim0002'], securityGroups: ['sg-0simecs0001'], assignPublicIp: 'DISABLED' } },
    healthCheckGracePeriodSeconds: 60,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: svc.deploymentController },
    enableECSManagedTags: true,
    propagateTags: 'NONE',
    enableExecuteCommand: true,
  };
}

function describeTask(ctx: OpContext, t: TaskState): Task {
  const td = ctx.r.ecs.taskDefinitions.get(taskDefKey(t.taskDefinitionArn));
  const containers = td?.def.containerDefinitions ?? [];
  const essential = containers.find((c) => c.essential !== false)?.name;
  return {
    attachments: [{ id: `att-${t.id.slice(0, 8)}`, type: 'ElasticNetworkInterface', status: t.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED', details: [{ name: 'privateIPv4Address', value: t.ip }] }],
    availabilityZone: t.availabilityZone,
    clusterArn: t.clusterArn,
    connectivity: t.lastStatus === 'PROVISIONING' ? undefined : 'CONNECTED',
    containers: containers.map((c) => ({
      containerArn: `arn:aws:ecs:${ctx.region}:${ctx.world.account}:container/${t.id}/${c.name}`,
      taskArn: t.arn,
      name: c.name,
      image: c.image,
      lastStatus: t.lastStatus === 'STOPPED' ? 'STOPPED' : t.lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING',
      exitCode: t.lastStatus === 'STOPPED' && c.name === essential ? t.exitCode : undefined,
      reason: c.name === essential ? t.containerReason : undefined,
      networkInterfaces: [{ attachmentId: `att-${t.id.slice(0, 8)}`, privateIpv4Address: t.ip }],
      healthStatus: 'UNKNOWN',
      cpu: String(c.cpu ?? 0),
    })),
    cpu: td?.def.cpu,
    createdAt: new Date(t.createdAt),
    desiredStatus: t.desiredStatus,
    enableExecuteCommand: true,
    group: `service:${t.service}`,
    healthStatus: 'UNKNOWN',
    lastStatus: t.lastStatus,
    launchType: 'FARGATE',
    memory: td?.def.memory,
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    startedAt: t.startedAt !== undefined ? new Date(t.startedAt) : undefined,
    startedBy: t.deploymentId,
    stopCode: t.stopCode,
    stoppedAt: t.stoppedAt !== undefined ? new Date(t.stoppedAt) : undefined,
    stoppedReason: t.stoppedReason,
    stoppingAt: t.stoppingAt !== undefined ? new Date(t.stoppingAt) : undefined,
    tags: [],
    taskArn: t.arn,
    taskDefinitionArn: t.taskDefinitionArn,
    version: t.version,
  };
}

// ------------------------------------------------------------ operations

function clusterOrFail(ctx: OpContext, cluster: string | undefined) {
  const c = ctx.r.ecs.clusters.get(clusterName(cluster));
  if (!c) throw awsError('ClusterNotFoundException', 'Cluster not found.', { status: 400, sdk });
  return c;
}

function serviceOrFail(ctx: OpContext, cluster: string | undefined, service: string | undefined): ServiceState {
  const c = clusterOrFail(ctx, cluster);
  const svc = service ? c.services.get(serviceName(service)) : undefined;
  if (!svc) throw awsError('ServiceNotFoundException', 'Service not found.', { status: 400, sdk });
  return svc;
}

/** 'family', 'family:revision' or an ARN -> the task definition (family alone: latest ACTIVE revision). */
function resolveTaskDef(ctx: OpContext, ref: string | undefined): TaskDefState {
  if (!ref) throw awsError('ClientException', 'Task definition is required.', { status: 400, sdk });
  const key = taskDefKey(ref);
  const ecs = ctx.r.ecs;
  if (key.includes(':')) {
    const td = ecs.taskDefinitions.get(key);
    if (!td) throw awsError('ClientException', 'Unable to describe task definition.', { status: 400, sdk });
    return td;
  }
  const latest = [...ecs.taskDefinitions.values()].filter((t) => t.def.family === key && t.def.status === 'ACTIVE').sort((a, b) => b.def.revision - a.def.revision)[0];
  if (!latest) throw awsError('ClientException', 'Unable to describe task definition.', { status: 400, sdk });
  return latest;
}

function describeServices(ctx: OpContext, input: DescribeServicesCommandInput): Out<DescribeServicesCommandOutput> {
  const c = clusterOrFail(ctx, input.cluster);
  if (!input.services?.length) throw awsError('InvalidParameterException', 'Services cannot be empty.', { status: 400, sdk });
  if (input.services.length > 10) throw awsError('InvalidParameterException', 'Services cannot contain more than 10 elements.', { status: 400, sdk });
  const services: Service[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const name of input.services) {
    const svc = c.services.get(serviceName(name));
    if (svc) services.push(describeService(ctx, svc));
    else failures.push({ arn: name.startsWith('arn:') ? name : `arn:aws:ecs:${ctx.region}:${ctx.world.account}:service/${clusterName(input.cluster)}/${name}`, reason: 'MISSING' });
  }
  return { services, failures };
}

function updateService(ctx: OpContext, input: UpdateServiceCommandInput): Out<UpdateServiceCommandOutput> {
  const svc = serviceOrFail(ctx, input.cluster, input.service);
  const { world, region } = ctx;
  // Blue/green services: only the desired count, deployment configuration, health check grace
  // period, placement and tag propagation can change here; a new task definition (or a forced
  // new deployment) needs a CodeDeploy deployment
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html).
  if (svc.deploymentController === 'CODE_DEPLOY') {
    if (input.taskDefinition !== undefined) {
      throw awsError('InvalidParameterException', 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.', { status: 400, sdk });
    }
    if (input.forceNewDeployment) {
      throw awsError('InvalidParameterException', 'Unable to force a new deployment on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.', { status: 400, sdk });
    }
  }
  if (input.desiredCount !== undefined) {
    if (input.desiredCount < 0) throw awsError('InvalidParameterException', 'desiredCount must be >= 0.', { status: 400, sdk });
    svc.desiredCount = input.desiredCount;
  }
  if (input.deploymentConfiguration?.deploymentCircuitBreaker) {
    const cb = input.deploymentConfiguration.deploymentCircuitBreaker;
    svc.circuitBreaker = { enable: cb.enable ?? svc.circuitBreaker.enable, rollback: cb.rollback ?? svc.circuitBreaker.rollback };
  }
  const current = svc.deployments[0]?.taskDefinitionArn;
  let target = current;
  if (input.taskDefinition) {
    const td = resolveTaskDef(ctx, input.taskDefinition);
    if (td.def.status !== 'ACTIVE') throw awsError('ClientException', `TaskDefinition is inactive`, { status: 400, sdk });
    target = td.def.taskDefinitionArn;
  }
  if (target && (target !== current || input.forceNewDeployment)) {
    startDeployment(world, region, svc, target, ctx.now, input.forceNewDeployment ? 'forced' : 'update');
  } else {
    reconcile(world, region, svc, ctx.now);
  }
  return { service: describeService(ctx, svc) };
}

function listServices(ctx: OpContext, input: ListServicesCommandInput): Out<ListServicesCommandOutput> {
  const c = clusterOrFail(ctx, input.cluster);
  const page = paginate([...c.services.values()].map((s) => s.arn), input.nextToken, input.maxResults, PAGE_SERVICES, 'ecs:services', 'InvalidParameterException');
  return { serviceArns: page.items, nextToken: page.next };
}

function describeClusters(ctx: OpContext, input: DescribeClustersCommandInput): Out<DescribeClustersCommandOutput> {
  const names = input.clusters?.length ? input.clusters : ['default'];
  const clusters = [];
  const failures = [];
  for (const n of names) {
    const c = ctx.r.ecs.clusters.get(clusterName(n));
    if (!c) {
      failures.push({ arn: n, reason: 'MISSING' });
      continue;
    }
    const tasks = ctx.r.ecs.tasks.filter((t) => t.clusterArn === c.arn);
    clusters.push({
      clusterArn: c.arn,
      clusterName: clusterName(n),
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING' && t.lastStatus !== 'STOPPED').length,
      activeServicesCount: c.services.size,
    });
  }
  return { clusters, failures };
}

function listTasks(ctx: OpContext, input: ListTasksCommandInput): Out<ListTasksCommandOutput> {
  const c = clusterOrFail(ctx, input.cluster);
  if (input.serviceName && !c.services.has(serviceName(input.serviceName))) throw awsError('ServiceNotFoundException', 'Service not found.', { status: 400, sdk });
  const desired = input.desiredStatus ?? 'RUNNING';
  let tasks = ctx.r.ecs.tasks.filter((t) => t.clusterArn === c.arn && t.desiredStatus === desired);
  if (input.serviceName) tasks = tasks.filter((t) => t.service === serviceName(input.serviceName ?? ''));
  if (input.family) tasks = tasks.filter((t) => taskDefKey(t.taskDefinitionArn).split(':')[0] === input.family);
  if (input.startedBy) tasks = tasks.filter((t) => t.deploymentId === input.startedBy);
  const page = paginate(tasks.map((t) => t.arn), input.nextToken, input.maxResults, PAGE_TASKS, 'ecs:tasks', 'InvalidParameterException');
  return { taskArns: page.items, nextToken: page.next };
}

function describeTasks(ctx: OpContext, input: DescribeTasksCommandInput): Out<DescribeTasksCommandOutput> {
  const c = clusterOrFail(ctx, input.cluster);
  if (!input.tasks?.length) throw awsError('InvalidParameterException', 'Tasks cannot be empty.', { status: 400, sdk });
  if (input.tasks.length > 100) throw awsError('InvalidParameterException', 'Tasks cannot contain more than 100 elements.', { status: 400, sdk });
  const tasks: Task[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of input.tasks) {
    const t = ctx.r.ecs.tasks.find((x) => x.clusterArn === c.arn && (x.arn === ref || x.id === ref));
    if (t) tasks.push(describeTask(ctx, t));
    else failures.push({ arn: ref, reason: 'MISSING' });
  }
  return { tasks, failures };
}

function stopTaskOp(ctx: OpContext, input: StopTaskCommandInput): Out<StopTaskCommandOutput> {
  const c = clusterOrFail(ctx, input.cluster);
  const t = ctx.r.ecs.tasks.find((x) => x.clusterArn === c.arn && (x.arn === input.task || x.id === input.task));
  if (!t) throw awsError('InvalidParameterException', 'The referenced task was not found.', { status: 400, sdk });
  const svc = c.services.get(t.service);
  if (svc && live(t)) {
    stopTask(ctx.world, ctx.region, svc, t, ctx.now, 'UserInitiated', input.reason ?? 'Task stopped by user');
    // The scheduler replaces a stopped service task.
    ctx.world.at(ctx.now + 1000, `ecs ${svc.name} replace stopped task`, (at) => reconcile(ctx.world, ctx.region, svc, at));
  }
  return { task: describeTask(ctx, t) };
}

function registerTaskDefinition(ctx: OpContext, input: RegisterTaskDefinitionCommandInput): Out<RegisterTaskDefinitionCommandOutput> {
  const family = input.family;
  if (!family || !/^[A-Za-z0-9_-]{1,255}$/.test(family)) throw awsError('ClientException', `Family contains invalid characters or is empty: ${family}`, { status: 400, sdk });
  if (!input.containerDefinitions?.length) throw awsError('ClientException', 'Container list cannot be empty.', { status: 400, sdk });
  for (const c of input.containerDefinitions) {
    if (!c.name || !c.image) throw awsError('ClientException', 'Container.name and Container.image should not be null or empty.', { status: 400, sdk });
  }
  const ecs = ctx.r.ecs;
  const revision = Math.max(0, ...[...ecs.taskDefinitions.values()].filter((t) => t.def.family === family).map((t) => t.def.revision)) + 1;
  const arn = `arn:aws:ecs:${ctx.region}:${ctx.world.account}:task-definition/${family}:${revision}`;
  const def: TaskDefState['def'] = {
    taskDefinitionArn: arn,
    containerDefinitions: structuredClone(input.containerDefinitions),
    family,
    taskRoleArn: input.taskRoleArn,
    executionRoleArn: input.executionRoleArn,
    networkMode: input.networkMode ?? 'awsvpc',
    revision,
    volumes: input.volumes ?? [],
    status: 'ACTIVE',
    requiresAttributes: [],
    placementConstraints: input.placementConstraints ?? [],
    compatibilities: ['EC2', 'FARGATE'],
    requiresCompatibilities: input.requiresCompatibilities,
    runtimePlatform: input.runtimePlatform,
    cpu: input.cpu,
    memory: input.memory,
    registeredAt: new Date(ctx.now),
    registeredBy: `arn:aws:sts::${ctx.world.account}:assumed-role/runbook-autopilot/autopilot`,
    ephemeralStorage: input.ephemeralStorage,
  };
  const tags = Object.fromEntries((input.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
  ecs.taskDefinitions.set(`${family}:${revision}`, { def, tags, failExitCode: 1 });
  return { taskDefinition: structuredClone(def), tags: tagsOut(tags) };
}

function describeTaskDefinition(ctx: OpContext, input: DescribeTaskDefinitionCommandInput): Out<DescribeTaskDefinitionCommandOutput> {
  const td = resolveTaskDef(ctx, input.taskDefinition);
  const out: Out<DescribeTaskDefinitionCommandOutput> = { taskDefinition: structuredClone(td.def) };
  if (input.include?.includes('TAGS')) out.tags = tagsOut(td.tags);
  return out;
}

function listTaskDefinitions(ctx: OpContext, input: ListTaskDefinitionsCommandInput): Out<ListTaskDefinitionsCommandOutput> {
  const status = input.status ?? 'ACTIVE';
  let defs = [...ctx.r.ecs.taskDefinitions.values()].map((t) => t.def).filter((d) => d.status === status);
  // Despite its name, familyPrefix is "the full family name" (API reference): regami-api does not match regami-api-worker.
  if (input.familyPrefix) defs = defs.filter((d) => d.family === input.familyPrefix);
  defs.sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
  if (input.sort === 'DESC') defs.reverse();
  const page = paginate(defs.map((d) => d.taskDefinitionArn), input.nextToken, input.maxResults, PAGE_TASK_DEFS, 'ecs:taskdefs', 'InvalidParameterException');
  return { taskDefinitionArns: page.items, nextToken: page.next };
}

function deregisterTaskDefinition(ctx: OpContext, input: DeregisterTaskDefinitionCommandInput): Out<DeregisterTaskDefinitionCommandOutput> {
  if (!input.taskDefinition?.includes(':')) throw awsError('ClientException', 'A revision is required to deregister a task definition.', { status: 400, sdk });
  const td = resolveTaskDef(ctx, input.taskDefinition);
  td.def.status = 'INACTIVE';
  td.def.deregisteredAt = new Date(ctx.now);
  return { taskDefinition: structuredClone(td.def) };
}

function findTaggable(ctx: OpContext, arn: string | undefined): { tags: Record<string, string> } {
  const td = arn ? ctx.r.ecs.taskDefinitions.get(taskDefKey(arn)) : undefined;
  if (td && arn?.includes(':task-definition/')) return td;
  throw awsError('InvalidParameterException', `The specified resource could not be found: ${arn}`, { status: 400, sdk });
}

function listTagsForResource(ctx: OpContext, input: ListTagsForResourceCommandInput): Out<ListTagsForResourceCommandOutput> {
  return { tags: tagsOut(findTaggable(ctx, input.resourceArn).tags) };
}

function tagResource(ctx: OpContext, input: TagResourceCommandInput): Out<TagResourceCommandOutput> {
  const target = findTaggable(ctx, input.resourceArn);
  for (const t of input.tags ?? []) if (t.key) target.tags[t.key] = t.value ?? '';
  return {};
}

// ------------------------------------------------------------ IAM

const ecsCluster = (input: IamCall['input']): string => lastSegment(String(input.cluster ?? 'default'));
const ecsService = (c: IamCall, service: unknown): string =>
  isArn(service) ? service : arnIn('ecs', c.region, c.account, `service/${ecsCluster(c.input)}/${String(service)}`);

/** RegisterTaskDefinition passes its roles to ECS tasks and tags the revision on create. */
function registerTaskDefinitionAuth(c: IamCall): AuthRequest[] {
  const family = String(c.input.family ?? '');
  const revision = arnIn('ecs', c.region, c.account, `task-definition/${family}:*`);
  const roles = [c.input.taskRoleArn, c.input.executionRoleArn].filter((r): r is string => typeof r === 'string' && r.length > 0);
  return [
    authReq('ecs:RegisterTaskDefinition', revision),
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html#specify-task-iam-roles ("iam:PassRole")
    ...roles.map((role) => authReq('iam:PassRole', role, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })),
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html (ecs:CreateAction)
    ...((c.input.tags ?? []).length > 0 ? [authReq('ecs:TagResource', revision, { 'ecs:CreateAction': 'RegisterTaskDefinition' })] : []),
  ];
}

/** `regions.<r>.ecs` of a WorldSpec. */
function validateEcsSpec(p: Problems, path: string, spec: Json): void {
  const ecs = obj(p, path, spec, ['clusters', 'taskDefinitions', 'timings']);
  const defs = isObj(ecs?.taskDefinitions) ? ecs.taskDefinitions : {};
  map(p, `${path}.taskDefinitions`, ecs?.taskDefinitions, (at, key, x) => {
    const t = obj(p, at, x, ['family', 'revision', 'status', 'containers', 'cpu', 'memory', 'registeredAt', 'tags', 'failsWith', 'failExitCode', 'taskRoleArn', 'executionRoleArn'], ['family', 'revision', 'containers']);
    if (!t) return;
    str(p, `${at}.family`, t.family, false);
    num(p, `${at}.revision`, t.revision, { min: 1, integer: true, optional: false });
    if (typeof t.family === 'string' && typeof t.revision === 'number' && key !== `${t.family}:${t.revision}`) p.push(`${at}: key must be '${t.family}:${t.revision}' (family:revision)`);
    oneOf(p, `${at}.status`, t.status, ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS']);
    time(p, `${at}.registeredAt`, t.registeredAt);
    stringMap(p, `${at}.tags`, t.tags);
    str(p, `${at}.failsWith`, t.failsWith);
    if (isObj(t.containers) && Object.keys(t.containers).length === 0) p.push(`${at}.containers: at least one container`);
    map(p, `${at}.containers`, t.containers, (cat, _n, c) => {
      const co = obj(p, cat, c, ['image', 'environment', 'secrets', 'cpu', 'memory', 'essential', 'portMappings'], ['image']);
      if (!co) return;
      str(p, `${cat}.image`, co.image, false);
      stringMap(p, `${cat}.environment`, co.environment);
      stringMap(p, `${cat}.secrets`, co.secrets);
    });
  });
  map(p, `${path}.clusters`, ecs?.clusters, (cat, _c, c) => {
    const co = obj(p, cat, c, ['services']);
    map(p, `${cat}.services`, co?.services, (at, _s, s) => {
      const so = obj(p, at, s, ['taskDefinition', 'desiredCount', 'runningCount', 'deployments', 'deployedAt', 'launchType', 'loadBalancers', 'circuitBreaker', 'minimumHealthyPercent', 'maximumPercent', 'events', 'deploymentController'], ['taskDefinition', 'desiredCount']);
      if (!so) return;
      oneOf(p, `${at}.deploymentController`, so.deploymentController, ['ECS', 'CODE_DEPLOY', 'EXTERNAL']);
      str(p, `${at}.taskDefinition`, so.taskDefinition, false);
      if (typeof so.taskDefinition === 'string' && !(so.taskDefinition in defs)) p.push(`${at}.taskDefinition: '${so.taskDefinition}' is not in ${path}.taskDefinitions`);
      num(p, `${at}.desiredCount`, so.desiredCount, { min: 0, integer: true, optional: false });
      num(p, `${at}.runningCount`, so.runningCount, { min: 0, integer: true });
      time(p, `${at}.deployedAt`, so.deployedAt);
      map(p, `${at}.deployments`, so.deployments, (dat, _d, d) => {
        const dep = obj(p, dat, d, ['taskDefinition', 'status', 'rolloutState', 'createdAt', 'runningCount'], ['taskDefinition', 'status']);
        if (!dep) return;
        oneOf(p, `${dat}.status`, dep.status, ['PRIMARY', 'ACTIVE'], false);
        oneOf(p, `${dat}.rolloutState`, dep.rolloutState, ['COMPLETED', 'IN_PROGRESS', 'FAILED']);
        if (typeof dep.taskDefinition === 'string' && !(dep.taskDefinition in defs)) p.push(`${dat}.taskDefinition: '${dep.taskDefinition}' is not in ${path}.taskDefinitions`);
      });
      if (isObj(so.deployments) && Object.values(so.deployments).filter((d) => isObj(d) && d.status === 'PRIMARY').length !== 1) p.push(`${at}.deployments: exactly one PRIMARY deployment`);
    });
  });
}

export const service: ServiceSim = {
  name: 'ECS',
  sdk,
  throttleError: 'ThrottlingException',
  ops: {
    DescribeServices: describeServices,
    UpdateService: updateService,
    ListServices: listServices,
    DescribeClusters: describeClusters,
    ListTasks: listTasks,
    DescribeTasks: describeTasks,
    StopTask: stopTaskOp,
    RegisterTaskDefinition: registerTaskDefinition,
    DescribeTaskDefinition: describeTaskDefinition,
    ListTaskDefinitions: listTaskDefinitions,
    DeregisterTaskDefinition: deregisterTaskDefinition,
    ListTagsForResource: listTagsForResource,
    TagResource: tagResource,
  },
  iam: {
    DescribeServices: (c) => ((c.input.services ?? []) as unknown[]).map((s) => authReq('ecs:DescribeServices', ecsService(c, s))),
    UpdateService: (c) => [authReq('ecs:UpdateService', ecsService(c, c.input.service))],
    ListServices: () => [authReq('ecs:ListServices', '*')],
    DescribeClusters: (c) => ((c.input.clusters ?? ['default']) as unknown[]).map((k) => authReq('ecs:DescribeClusters', isArn(k) ? k : arnIn('ecs', c.region, c.account, `cluster/${String(k)}`))),
    ListTasks: (c) => [authReq('ecs:ListTasks', arnIn('ecs', c.region, c.account, `container-instance/${ecsCluster(c.input)}/*`))],
    DescribeTasks: (c) => ((c.input.tasks ?? []) as unknown[]).map((t) => authReq('ecs:DescribeTasks', isArn(t) ? t : arnIn('ecs', c.region, c.account, `task/${ecsCluster(c.input)}/${String(t)}`))),
    StopTask: (c) => [authReq('ecs:StopTask', isArn(c.input.task) ? c.input.task : arnIn('ecs', c.region, c.account, `task/${ecsCluster(c.input)}/${String(c.input.task)}`))],
    RegisterTaskDefinition: registerTaskDefinitionAuth,
    DescribeTaskDefinition: () => [authReq('ecs:DescribeTaskDefinition', '*')],
    ListTaskDefinitions: () => [authReq('ecs:ListTaskDefinitions', '*')],
    DeregisterTaskDefinition: () => [authReq('ecs:DeregisterTaskDefinition', '*')],
    ListTagsForResource: (c) => [authReq('ecs:ListTagsForResource', String(c.input.resourceArn ?? '*'))],
    TagResource: (c) => [authReq('ecs:TagResource', String(c.input.resourceArn ?? '*'))],
  },
  region: { key: 'ecs', init: initEcs, validate: validateEcsSpec },
  changes: {
    'task-definition-fails': {
      required: ['region', 'taskDefinition', 'reason'],
      optional: [],
      validate: (p, path, c) => {
        if (c.reason !== null) str(p, `${path}.reason`, c.reason, false);
      },
      apply: (world, c) => setRevisionFailure(world, c.region, c.taskDefinition, c.reason),
    },
    'ecs-deploy': {
      required: ['region', 'cluster', 'service'],
      optional: ['taskDefinition', 'desiredCount', 'forceNewDeployment'],
      validate: (p, path, c) => {
        str(p, `${path}.taskDefinition`, c.taskDefinition);
        num(p, `${path}.desiredCount`, c.desiredCount, { min: 0, integer: true });
        bool(p, `${path}.forceNewDeployment`, c.forceNewDeployment);
        if (c.taskDefinition === undefined && c.desiredCount === undefined && c.forceNewDeployment !== true) p.push(`${path}: an ecs-deploy needs taskDefinition, desiredCount or forceNewDeployment`);
      },
      apply: (world, c, at) => deployService(world, c.region, c.cluster, c.service, { taskDefinition: c.taskDefinition, desiredCount: c.desiredCount, forceNewDeployment: c.forceNewDeployment }, at),
    },
    'ecs-tasks-stop': {
      required: ['region', 'cluster', 'service'],
      optional: ['count', 'reason'],
      validate: (p, path, c) => num(p, `${path}.count`, c.count, { min: 1, integer: true }),
      apply: (world, c, at) => crashTasks(world, c.region, c.cluster, c.service, c.count, c.reason ?? 'Essential container in task exited', at),
    },
  },
  hangs: ['ecs-deployment'],
};

/** Application Auto Scaling keeps desiredCount within [min, max] of the scalable target. */
export function clampDesiredCount(world: SimWorld, region: string, cluster: string, service: string, min: number, max: number, at: number): void {
  const svc = findService(world, region, cluster, service);
  if (!svc) return;
  const clamped = Math.min(max, Math.max(min, svc.desiredCount));
  if (clamped === svc.desiredCount) return;
  svc.desiredCount = clamped;
  serviceEvent(world, svc, at, `(service ${svc.name}) desired count set to ${clamped} by Application Auto Scaling (min ${min}, max ${max}).`);
  reconcile(world, region, svc, at);
}

/** An update made outside the autopilot (the CI pipeline, a human): same effect as UpdateService, no API call recorded. */
function deployService(world: SimWorld, region: string, cluster: string, service: string, update: { taskDefinition?: string; desiredCount?: number; forceNewDeployment?: boolean }, at: number): void {
  const svc = findService(world, region, cluster, service);
  if (!svc) throw new Error(`world change: no ECS service ${cluster}/${service} in ${region}`);
  if (update.desiredCount !== undefined) svc.desiredCount = update.desiredCount;
  const current = svc.deployments[0]?.taskDefinitionArn;
  let target = current;
  if (update.taskDefinition) {
    const td = world.region(region).ecs.taskDefinitions.get(taskDefKey(update.taskDefinition));
    if (!td) throw new Error(`world change: no task definition '${update.taskDefinition}' in ${region} (add it to ecs.taskDefinitions of the world)`);
    if (td.def.status !== 'ACTIVE') throw new Error(`world change: task definition '${update.taskDefinition}' is ${td.def.status}`);
    target = td.def.taskDefinitionArn;
  }
  if (target && (target !== current || update.forceNewDeployment)) startDeployment(world, region, svc, target, at, 'external');
  else reconcile(world, region, svc, at);
}
