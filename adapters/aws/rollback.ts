/**
 * RollbackOperations on the AWS SDK (ECS, CodeDeploy, ELBv2, CloudWatch). The same code
 * runs against the simulated region in drills and tests (the transport is swapped, not
 * the clients). Mutations re-read live state first and return what they find when the
 * change is already made; each verifies the end state before returning.
 */
import { codeDeployConfigured } from '../../domain/features';
import {
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
  type DeploymentStatus,
} from '@aws-sdk/client-codedeploy';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeTargetHealthCommand, ModifyListenerCommand, type Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import './sdk/codedeploy';
import './sdk/ecs';
import './sdk/elbv2';
import type { AutopilotConfig } from '../../domain/config';
import { brokenDeployment } from '../../domain/rollback/decide';
import type {
  AlarmReading,
  CodeDeployDeploymentState,
  RollbackOperations,
  RunningTask,
  ServiceDeploymentState,
  ServiceState,
} from '../../domain/rollback/operations';
import { deploymentsFromStoppedTasks, familyRevision, sameTaskDefinition, type DeploymentRecord, type StoppedTaskEvidence, type RevisionHistory, type TaskDefinitionRevision } from '../../domain/rollback/revisions';
import type { TargetHealthReading, TaskSetState } from '../../domain/rollback/switch-target';
import type { AwsClients } from './clients';
import { alarmSelector, readAlarms } from './alarm-reader';
import { ecsServiceReading, readEcsService, type EcsDeploymentReading, type EcsServiceReading, type EcsTaskSetReading } from './ecs-service-reader';
import { epochMs } from './epoch-ms';

/** How many recent ACTIVE revisions of the family are read besides those the deployments name. */
const RECENT_REVISIONS = 10;
/** Deployment statuses the runbook looks for (aws deploy list-deployments --include-only-statuses). */
/** Stopped tasks read as deployment evidence (ECS keeps them about an hour). */
const MAX_STOPPED_TASKS = 300;
/**
 * Every status of a deployment that has not ended: a blue/green deployment is Created and Queued
 * before it runs, Ready while it waits for traffic rerouting, Baking while the original task set
 * waits out its termination wait (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html status).
 * Looking for InProgress only misses a bad deployment that is already Ready or Baking.
 */
export const ACTIVE_CODEDEPLOY_STATUSES: DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Ready', 'Baking'];

export class AwsRollbackOperations implements RollbackOperations {
  constructor(
    private readonly clients: AwsClients,
    private readonly config: AutopilotConfig,
  ) {}

  private get svc() {
    return this.config.service;
  }

  private async readService(): Promise<EcsServiceReading> {
    const { service, failure } = await readEcsService(this.clients.ecs, this.svc.clusterName, this.svc.serviceName);
    if (!service) throw new Error(`DescribeServices: ${this.svc.clusterName}/${this.svc.serviceName} not found${failure ? ` (${failure})` : ''}`);
    return service;
  }

  async describeService(): Promise<ServiceState> {
    return serviceState(await this.readService(), this.svc.clusterName);
  }

  async describeTaskDefinition(taskDefinitionArn: string): Promise<TaskDefinitionRevision | undefined> {
    try {
      const out = await this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn, include: ['TAGS'] }));
      const td = out.taskDefinition;
      if (!td?.taskDefinitionArn || !td.family || td.revision === undefined) return undefined;
      const container = td.containerDefinitions?.find((c) => c.name === this.svc.containerName) ?? td.containerDefinitions?.[0];
      const environment: Record<string, string> = {};
      for (const e of container?.environment ?? []) if (e.name) environment[e.name] = e.value ?? '';
      const tags: Record<string, string> = {};
      for (const t of out.tags ?? []) if (t.key) tags[t.key] = t.value ?? '';
      const status = td.status === 'INACTIVE' || td.status === 'DELETE_IN_PROGRESS' ? td.status : 'ACTIVE';
      const registeredAt = epochMs(td.registeredAt);
      return { arn: td.taskDefinitionArn, family: td.family, revision: td.revision, status, tags, environment, ...(registeredAt !== undefined ? { registeredAt } : {}) };
    } catch (err) {
      if (err instanceof Error && (err.name === 'ClientException' || err.name === 'InvalidParameterException')) return undefined;
      throw err;
    }
  }

  async readHistory(service: ServiceState, triggerDeploymentId?: string): Promise<RevisionHistory> {
    // DescribeServices keeps the deployments still running tasks (the broken PRIMARY and the
    // ACTIVE one it replaces).
    const current = deploymentsFromService(service);
    // Deployments already drained are gone from DescribeServices; their stopped tasks remain a while.
    const replaced = deploymentsFromStoppedTasks(await this.stoppedTasks(), new Set(current.map((d) => d.id)));
    const deployments = [...current, ...replaced];

    const broken = brokenDeployment(service, triggerDeploymentId);
    const currentTaskDefinitionArn = broken?.taskDefinitionArn ?? service.taskDefinitionArn;

    const listed = await this.clients.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: this.svc.taskFamily, sort: 'DESC', maxResults: RECENT_REVISIONS, status: 'ACTIVE' }),
    );
    const refs = new Map<string, string>();
    for (const arn of [currentTaskDefinitionArn, ...deployments.map((d) => d.taskDefinitionArn), ...(listed.taskDefinitionArns ?? [])]) {
      if (!refs.has(familyRevision(arn))) refs.set(familyRevision(arn), arn);
    }
    const revisions: TaskDefinitionRevision[] = [];
    for (const arn of refs.values()) {
      const r = await this.describeTaskDefinition(arn);
      if (r) revisions.push(r);
    }
    return {
      ...(broken ? { currentDeploymentId: broken.id } : {}),
      currentTaskDefinitionArn,
      deployments,
      revisions,
    };
  }

  /** The service's stopped tasks, at most MAX_STOPPED_TASKS. */
  private async stoppedTasks(): Promise<StoppedTaskEvidence[]> {
    const evidence: StoppedTaskEvidence[] = [];
    for (const t of await this.serviceTasks('STOPPED', MAX_STOPPED_TASKS)) {
      if (!t.taskDefinitionArn) continue;
      const createdAt = epochMs(t.createdAt);
      const startedAt = epochMs(t.startedAt);
      const stoppedAt = epochMs(t.stoppedAt);
      evidence.push({
        taskDefinitionArn: t.taskDefinitionArn,
        ...(t.startedBy ? { startedBy: t.startedBy } : {}),
        ...(createdAt !== undefined ? { createdAt } : {}),
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(stoppedAt !== undefined ? { stoppedAt } : {}),
        ...(t.stopCode ? { stopCode: t.stopCode } : {}),
      });
    }
    return evidence;
  }

  /** The service's tasks of one desired status: ListTasks pages until `max` ARNs, then DescribeTasks 100 at a time. */
  private async serviceTasks(desiredStatus: 'RUNNING' | 'STOPPED', max = Infinity): Promise<Task[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.clients.ecs.send(
        new ListTasksCommand({ cluster: this.svc.clusterName, serviceName: this.svc.serviceName, desiredStatus, ...(nextToken ? { nextToken } : {}) }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken && arns.length < max);
    const wanted = arns.slice(0, max);
    const tasks: Task[] = [];
    for (let i = 0; i < wanted.length; i += 100) {
      const out = await this.clients.ecs.send(new DescribeTasksCommand({ cluster: this.svc.clusterName, tasks: wanted.slice(i, i + 100) }));
      tasks.push(...(out.tasks ?? []));
    }
    return tasks;
  }

  async rollServiceTo(taskDefinitionArn: string, notBefore: number): Promise<{ deploymentId: string; reused: boolean }> {
    // Re-read: a retry after UpdateService went through finds its deployment and stops there.
    const live = await this.readService();
    const primary = live.deployments.find((d) => d.status === 'PRIMARY');
    if (primary?.id && primary.taskDefinition && sameTaskDefinition(primary.taskDefinition, taskDefinitionArn) && (primary.createdAt ?? 0) >= notBefore) {
      return { deploymentId: primary.id, reused: true };
    }
    const out = await this.clients.ecs.send(
      new UpdateServiceCommand({ cluster: this.svc.clusterName, service: this.svc.serviceName, taskDefinition: taskDefinitionArn, forceNewDeployment: true }),
    );
    const created = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
    if (!created?.id || !created.taskDefinition || !sameTaskDefinition(created.taskDefinition, taskDefinitionArn)) {
      throw new Error(`UpdateService did not make ${familyRevision(taskDefinitionArn)} PRIMARY (PRIMARY is ${created?.taskDefinition ?? 'none'})`);
    }
    return { deploymentId: created.id, reused: false };
  }

  async runningTasks(): Promise<RunningTask[]> {
    const tasks: RunningTask[] = [];
    for (const t of await this.serviceTasks('RUNNING')) {
      if (t.taskArn && t.taskDefinitionArn && t.lastStatus === 'RUNNING') tasks.push({ taskArn: t.taskArn, taskDefinitionArn: t.taskDefinitionArn, lastStatus: t.lastStatus });
    }
    return tasks;
  }

  async readAlarms(patterns: readonly string[]): Promise<AlarmReading[]> {
    const byName = new Map<string, AlarmReading>();
    for (const pattern of patterns) {
      for (const a of await readAlarms(this.clients.cloudwatch, alarmSelector(pattern))) {
        byName.set(a.name, { name: a.name, state: a.state, ...(a.reason ? { reason: a.reason } : {}), ...(a.updatedAt !== undefined ? { updatedAt: a.updatedAt } : {}) });
      }
    }
    return [...byName.values()];
  }

  async activeCodeDeployDeployments(): Promise<CodeDeployDeploymentState[]> {
    // No CodeDeploy configured (issue 16): the feature is off, so no call (and no grant) at all.
    if (!codeDeployConfigured(this.config)) return [];
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.clients.codedeploy.send(
        new ListDeploymentsCommand({
          applicationName: this.config.codeDeploy.applicationName,
          deploymentGroupName: this.config.codeDeploy.deploymentGroupName,
          includeOnlyStatuses: ACTIVE_CODEDEPLOY_STATUSES,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      ids.push(...(out.deployments ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    const states: CodeDeployDeploymentState[] = [];
    for (const id of ids) states.push(await this.getCodeDeployDeployment(id));
    return states;
  }

  async getCodeDeployDeployment(deploymentId: string): Promise<CodeDeployDeploymentState> {
    const out = await this.clients.codedeploy.send(new GetDeploymentCommand({ deploymentId }));
    if (!out.deploymentInfo) throw new Error(`GetDeployment ${deploymentId}: no deploymentInfo`);
    return toCodeDeployState(out.deploymentInfo, deploymentId);
  }

  async stopCodeDeployWithRollback(deploymentId: string): Promise<CodeDeployDeploymentState> {
    const before = await this.getCodeDeployDeployment(deploymentId);
    if (['Succeeded', 'Failed', 'Stopped'].includes(before.status)) return before;
    await this.clients.codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    return this.getCodeDeployDeployment(deploymentId);
  }

  async listenerTargets(): Promise<string[]> {
    const out = await this.clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [this.svc.listenerArn] }));
    const listener = out.Listeners?.[0];
    if (!listener) throw new Error(`DescribeListeners: ${this.svc.listenerArn} not found`);
    return forwardTargets(listener.DefaultActions ?? []);
  }

  async targetHealth(targetGroupArn: string): Promise<TargetHealthReading> {
    const out = await this.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    const all = out.TargetHealthDescriptions ?? [];
    return {
      targetGroupArn,
      healthy: all.filter((d) => d.TargetHealth?.State === 'healthy').length,
      total: all.length,
      targets: all.map((d) => `${d.Target?.Id ?? '?'}:${d.Target?.Port ?? '?'} ${d.TargetHealth?.State ?? 'unknown'}${d.TargetHealth?.Reason ? ` (${d.TargetHealth.Reason})` : ''}`),
    };
  }

  async switchListenerTo(targetGroupArn: string): Promise<string[]> {
    const now = await this.listenerTargets();
    if (now.length === 1 && now[0] === targetGroupArn) return now;
    await this.clients.elbv2.send(
      new ModifyListenerCommand({ ListenerArn: this.svc.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }),
    );
    return this.listenerTargets();
  }
}

function toDeploymentState(d: EcsDeploymentReading & { id: string }): ServiceDeploymentState {
  return {
    id: d.id,
    taskDefinitionArn: d.taskDefinition ?? '',
    status: d.status ?? 'UNKNOWN',
    ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
    ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
    ...(d.createdAt !== undefined ? { createdAt: d.createdAt } : {}),
    runningCount: d.running,
    desiredCount: d.desired,
  };
}

/** The runbook's view of a DescribeServices answer (handlers' tests map SDK services with it). */
export function toServiceState(s: Service, clusterName: string, serviceName: string): ServiceState {
  return serviceState(ecsServiceReading(s, serviceName), clusterName);
}

function serviceState(s: EcsServiceReading, clusterName: string): ServiceState {
  return {
    clusterName,
    serviceName: s.name,
    deploymentController: s.deploymentController,
    taskDefinitionArn: s.taskDefinition ?? '',
    desiredCount: s.desired,
    runningCount: s.running,
    deployments: s.deployments.filter((d): d is EcsDeploymentReading & { id: string } => !!d.id).map(toDeploymentState),
    recentEvents: s.events.slice(0, 20).map((e) => ({ at: e.at ?? 0, message: e.message })),
    ...(s.taskSets.length ? { taskSets: s.taskSets.filter((t) => t.id).map(toTaskSetState) } : {}),
  };
}

function toTaskSetState(t: EcsTaskSetReading): TaskSetState {
  return {
    id: t.id ?? '',
    status: t.status ?? 'UNKNOWN',
    ...(t.externalId ? { externalId: t.externalId } : {}),
    taskDefinitionArn: t.taskDefinition ?? '',
    targetGroupArns: t.targetGroupArns,
    runningCount: t.running,
    ...(t.createdAt !== undefined ? { createdAt: t.createdAt } : {}),
  };
}

/**
 * The service's own deployments as history records. ECS reports no completion time on a
 * deployment; the service event "(deployment <id>) deployment completed" gives it when
 * ECS still keeps that event, otherwise the creation time stands in (a rollout takes
 * minutes; the stability window is measured from there).
 */
export function deploymentsFromService(service: ServiceState): DeploymentRecord[] {
  return service.deployments
    .filter((d) => d.createdAt !== undefined && d.taskDefinitionArn)
    .map((d) => {
      const outcome: DeploymentRecord['outcome'] = d.rolloutState === 'COMPLETED' ? 'completed' : d.rolloutState === 'FAILED' ? 'failed' : 'in-progress';
      const completedEvent = service.recentEvents.find((e) => e.message.includes(`(deployment ${d.id})`) && /deployment completed/i.test(e.message));
      const createdAt = d.createdAt as number;
      return {
        id: d.id,
        taskDefinitionArn: d.taskDefinitionArn,
        createdAt,
        outcome,
        ...(outcome === 'completed' ? { completedAt: completedEvent?.at ?? createdAt } : {}),
      };
    });
}

function toCodeDeployState(info: DeploymentInfo, fallbackId: string): CodeDeployDeploymentState {
  const createdAt = epochMs(info.createTime);
  const completedAt = epochMs(info.completeTime);
  return {
    id: info.deploymentId ?? fallbackId,
    status: info.status ?? 'Unknown',
    ...(info.creator ? { creator: info.creator } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(completedAt !== undefined ? { completedAt } : {}),
    ...(info.rollbackInfo?.rollbackDeploymentId ? { rollbackDeploymentId: info.rollbackInfo.rollbackDeploymentId } : {}),
    ...(info.rollbackInfo?.rollbackTriggeringDeploymentId ? { rolledBackDeploymentId: info.rollbackInfo.rollbackTriggeringDeploymentId } : {}),
    ...(info.errorInformation?.message ? { errorMessage: info.errorInformation.message } : {}),
    ...(appSpecTaskDefinition(info) ? { taskDefinition: appSpecTaskDefinition(info) } : {}),
  };
}

/** The task definition an ECS deployment deploys, from its AppSpec (revision.appSpecContent.content, JSON or YAML-free JSON only). */
function appSpecTaskDefinition(info: DeploymentInfo): string | undefined {
  const content = info.revision?.appSpecContent?.content;
  if (!content) return undefined;
  try {
    const spec = JSON.parse(content) as { Resources?: { TargetService?: { Properties?: { TaskDefinition?: unknown } } }[] };
    const td = spec.Resources?.map((r) => r.TargetService?.Properties?.TaskDefinition).find((t) => typeof t === 'string');
    return typeof td === 'string' ? td : undefined;
  } catch {
    // A YAML AppSpec is not read here: the marker check then relies on the task sets.
    return undefined;
  }
}

/** Target groups a listener's default forward action sends traffic to (weight 0 does not count). */
export function forwardTargets(actions: Action[]): string[] {
  const forward = actions.find((a) => a.Type === 'forward');
  if (!forward) return [];
  const weighted = forward.ForwardConfig?.TargetGroups ?? [];
  if (weighted.length > 0) return weighted.filter((t) => t.TargetGroupArn && (t.Weight ?? 1) > 0).map((t) => t.TargetGroupArn as string);
  return forward.TargetGroupArn ? [forward.TargetGroupArn] : [];
}
