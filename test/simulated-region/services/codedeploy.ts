/**
 * CodeDeploy (ECS blue/green): deployments per application and group.
 * StopDeployment with autoRollbackEnabled stops the deployment and starts a rollback
 * deployment (creator codeDeployRollback) that ends Succeeded or Failed after
 * rollbackSeconds, as the world spec says.
 */
import * as sdk from '@aws-sdk/client-codedeploy';
import type {
  BatchGetDeploymentsCommandInput,
  BatchGetDeploymentsCommandOutput,
  DeploymentInfo,
  GetDeploymentCommandInput,
  GetDeploymentCommandOutput,
  ListDeploymentsCommandInput,
  ListDeploymentsCommandOutput,
  StopDeploymentCommandInput,
  StopDeploymentCommandOutput,
} from '@aws-sdk/client-codedeploy';
import { awsError } from '../errors';
import { paginate } from '../paging';
import type { CodeDeployDeploymentSpec, CodeDeploySpec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq } from '../iam-arns';
import { obj, map, num, oneOf, time, type Json, type Problems } from '../spec-checks';
import type { OpContext, IamCall, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

type Status = CodeDeployDeploymentSpec['status'];

interface CdDeployment {
  id: string;
  application: string;
  group: string;
  status: Status;
  createdAt: number;
  startedAt: number;
  completedAt?: number;
  taskDefinition?: string;
  creator: NonNullable<CodeDeployDeploymentSpec['creator']>;
  description?: string;
  rollbackInfo?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  errorInformation?: { code: string; message: string };
  computePlatform: 'ECS' | 'Server' | 'Lambda';
}

interface CdGroup {
  rollbackOutcome: 'Succeeded' | 'Failed';
  rollbackSeconds: number;
}

export interface CodeDeployState {
  deployments: Map<string, CdDeployment>;
  groups: Map<string, CdGroup>;
  applications: Set<string>;
}

declare module '../state' {
  interface RegionState {
    codedeploy: CodeDeployState;
  }
}

const DONE: Status[] = ['Succeeded', 'Failed', 'Stopped'];
const PAGE = 2;

function initCodeDeploy(world: SimWorld, spec: CodeDeploySpec | undefined): CodeDeployState {
  const state: CodeDeployState = { deployments: new Map(), groups: new Map(), applications: new Set() };
  for (const [app, a] of Object.entries(spec?.applications ?? {})) {
    state.applications.add(app);
    for (const [group, g] of Object.entries(a.groups ?? {})) {
      state.groups.set(`${app}/${group}`, { rollbackOutcome: g.rollbackOutcome ?? 'Succeeded', rollbackSeconds: g.rollbackSeconds ?? 120 });
      for (const [id, d] of Object.entries(g.deployments ?? {})) {
        const createdAt = world.toMs(d.createdAt);
        state.deployments.set(id, {
          id,
          application: app,
          group,
          status: d.status,
          createdAt,
          startedAt: createdAt + 5000,
          completedAt: d.completedAt !== undefined ? world.toMs(d.completedAt) : DONE.includes(d.status) ? createdAt + 600_000 : undefined,
          taskDefinition: d.taskDefinition,
          creator: d.creator ?? 'user',
          description: d.description,
          computePlatform: a.computePlatform ?? 'ECS',
        });
      }
    }
  }
  return state;
}

function describeDeployment(d: CdDeployment): DeploymentInfo {
  return {
    applicationName: d.application,
    deploymentGroupName: d.group,
    deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
    deploymentId: d.id,
    status: d.status,
    errorInformation: d.errorInformation ? { code: d.errorInformation.code as never, message: d.errorInformation.message } : undefined,
    createTime: new Date(d.createdAt),
    startTime: new Date(d.startedAt),
    completeTime: d.completedAt !== undefined ? new Date(d.completedAt) : undefined,
    description: d.description,
    creator: d.creator,
    ignoreApplicationStopFailures: false,
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    updateOutdatedInstancesOnly: false,
    rollbackInfo: d.rollbackInfo ? { ...d.rollbackInfo } : undefined,
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    instanceTerminationWaitTimeStarted: false,
    fileExistsBehavior: 'DISALLOW',
    deploymentStatusMessages: [],
    computePlatform: d.computePlatform,
    revision: d.taskDefinition
      ? { revisionType: 'AppSpecContent', appSpecContent: { content: JSON.stringify({ version: 0, Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: d.taskDefinition } } }] }) } }
      : undefined,
  };
}

function deploymentOrFail(ctx: OpContext, id: string | undefined): CdDeployment {
  if (!id) throw awsError('DeploymentIdRequiredException', 'Deployment ID is required.', { status: 400, sdk });
  if (!/^d-[A-Z0-9]{9}$/.test(id)) throw awsError('InvalidDeploymentIdException', `Specified DeploymentId is not in the valid format: ${id}`, { status: 400, sdk });
  const d = ctx.r.codedeploy.deployments.get(id);
  if (!d) throw awsError('DeploymentDoesNotExistException', `Deployment ${id} does not exist`, { status: 400, sdk });
  return d;
}

function listDeployments(ctx: OpContext, input: ListDeploymentsCommandInput): Out<ListDeploymentsCommandOutput> {
  const cd = ctx.r.codedeploy;
  if (input.applicationName && !cd.applications.has(input.applicationName)) throw awsError('ApplicationDoesNotExistException', `No application found for name: ${input.applicationName}`, { status: 400, sdk });
  if (input.deploymentGroupName && !input.applicationName) throw awsError('ApplicationNameRequiredException', 'Application name is required when a deployment group is given.', { status: 400, sdk });
  if (input.applicationName && input.deploymentGroupName && !cd.groups.has(`${input.applicationName}/${input.deploymentGroupName}`)) {
    throw awsError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${input.deploymentGroupName}`, { status: 400, sdk });
  }
  let list = [...cd.deployments.values()];
  if (input.applicationName) list = list.filter((d) => d.application === input.applicationName);
  if (input.deploymentGroupName) list = list.filter((d) => d.group === input.deploymentGroupName);
  if (input.includeOnlyStatuses?.length) list = list.filter((d) => input.includeOnlyStatuses?.includes(d.status));
  const range = input.createTimeRange;
  if (range?.start) list = list.filter((d) => d.createdAt >= new Date(range.start as Date).getTime());
  if (range?.end) list = list.filter((d) => d.createdAt <= new Date(range.end as Date).getTime());
  list.sort((a, b) => b.createdAt - a.createdAt);
  const page = paginate(list.map((d) => d.id), input.nextToken, undefined, PAGE, 'codedeploy:list', 'InvalidNextTokenException');
  return { deployments: page.items, nextToken: page.next };
}

function getDeployment(ctx: OpContext, input: GetDeploymentCommandInput): Out<GetDeploymentCommandOutput> {
  return { deploymentInfo: describeDeployment(deploymentOrFail(ctx, input.deploymentId)) };
}

function batchGetDeployments(ctx: OpContext, input: BatchGetDeploymentsCommandInput): Out<BatchGetDeploymentsCommandOutput> {
  const ids = input.deploymentIds ?? [];
  if (ids.length > 25) throw awsError('BatchLimitExceededException', 'The maximum number of deployment IDs is 25.', { status: 400, sdk });
  return { deploymentsInfo: ids.map((id) => ctx.r.codedeploy.deployments.get(id)).filter((d): d is CdDeployment => !!d).map(describeDeployment) };
}

function newId(ctx: OpContext): string {
  return `d-${ctx.world.ids.upper(9)}`;
}

function stopDeployment(ctx: OpContext, input: StopDeploymentCommandInput): Out<StopDeploymentCommandOutput> {
  const d = deploymentOrFail(ctx, input.deploymentId);
  if (DONE.includes(d.status)) throw awsError('DeploymentAlreadyCompletedException', `Deployment ${d.id} has already completed (${d.status}).`, { status: 400, sdk });
  const cd = ctx.r.codedeploy;
  const group = cd.groups.get(`${d.application}/${d.group}`) ?? { rollbackOutcome: 'Succeeded' as const, rollbackSeconds: 120 };
  d.status = 'Stopped';
  d.completedAt = ctx.now;
  d.errorInformation = { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user' };
  if (input.autoRollbackEnabled) {
    const previous = [...cd.deployments.values()].filter((x) => x.application === d.application && x.group === d.group && x.status === 'Succeeded' && x.id !== d.id).sort((a, b) => b.createdAt - a.createdAt)[0];
    const rb: CdDeployment = {
      id: newId(ctx),
      application: d.application,
      group: d.group,
      status: 'InProgress',
      createdAt: ctx.now,
      startedAt: ctx.now,
      taskDefinition: previous?.taskDefinition,
      creator: 'codeDeployRollback',
      description: `Rollback of deployment ${d.id}`,
      rollbackInfo: { rollbackTriggeringDeploymentId: d.id, rollbackMessage: `Rollback of deployment ${d.id} started` },
      computePlatform: d.computePlatform,
    };
    cd.deployments.set(rb.id, rb);
    d.rollbackInfo = { rollbackDeploymentId: rb.id, rollbackMessage: `Deployment stopped by user; rollback deployment ${rb.id} started` };
    ctx.world.at(ctx.now + group.rollbackSeconds * 1000, `codedeploy rollback ${rb.id} ${group.rollbackOutcome}`, (at) => {
      rb.status = group.rollbackOutcome;
      rb.completedAt = at;
      if (rb.status === 'Failed') rb.errorInformation = { code: 'ECS_UPDATE_ERROR', message: 'The ECS service could not be rolled back: replacement task set failed to stabilise.' };
    }, { what: 'codedeploy-rollback', region: ctx.region, resource: rb.id });
  }
  return { status: 'Succeeded', statusMessage: input.autoRollbackEnabled ? 'Deployment stopped; automatic rollback started' : 'Deployment stopped' };
}

/** GetDeploymentGroup (read-only; the preflight checks the configured group exists). Errors as CodeDeploy names them. */
function getDeploymentGroup(ctx: OpContext, input: { applicationName?: string; deploymentGroupName?: string }): { deploymentGroupInfo: { applicationName: string; deploymentGroupName: string; computePlatform: string } } {
  const cd = ctx.r.codedeploy;
  if (!input.applicationName) throw awsError('ApplicationNameRequiredException', 'The minimum number of required application names was not specified.', { status: 400, sdk });
  if (!input.deploymentGroupName) throw awsError('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.', { status: 400, sdk });
  if (!cd.applications.has(input.applicationName)) throw awsError('ApplicationDoesNotExistException', `No application found for name: ${input.applicationName}`, { status: 400, sdk });
  if (!cd.groups.has(`${input.applicationName}/${input.deploymentGroupName}`)) throw awsError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${input.deploymentGroupName}`, { status: 400, sdk });
  return { deploymentGroupInfo: { applicationName: input.applicationName, deploymentGroupName: input.deploymentGroupName, computePlatform: 'ECS' } };
}

function deploymentGroupOf(c: IamCall, id: unknown): string {
  const d = c.world.region(c.region).codedeploy.deployments.get(String(id));
  return arnIn('codedeploy', c.region, c.account, `deploymentgroup:${d?.application ?? '*'}/${d?.group ?? '*'}`);
}

/** `regions.<r>.codedeploy` of a WorldSpec. */
function validateCodeDeploySpec(p: Problems, path: string, spec: Json): void {
  const cd = obj(p, path, spec, ['applications']);
  map(p, `${path}.applications`, cd?.applications, (at, _k, x) => {
    const a = obj(p, at, x, ['computePlatform', 'groups']);
    map(p, `${at}.groups`, a?.groups, (gat, _g, g) => {
      const go = obj(p, gat, g, ['deployments', 'rollbackOutcome', 'rollbackSeconds']);
      if (!go) return;
      oneOf(p, `${gat}.rollbackOutcome`, go.rollbackOutcome, ['Succeeded', 'Failed']);
      num(p, `${gat}.rollbackSeconds`, go.rollbackSeconds, { min: 1 });
      map(p, `${gat}.deployments`, go.deployments, (dat, id, d) => {
        if (!/^d-[A-Z0-9]{9}$/.test(id)) p.push(`${dat}: deployment ids look like d-XXXXXXXXX (9 upper-case letters or digits)`);
        const dep = obj(p, dat, d, ['status', 'createdAt', 'completedAt', 'taskDefinition', 'creator', 'description'], ['status', 'createdAt']);
        if (!dep) return;
        oneOf(p, `${dat}.status`, dep.status, ['Created', 'Queued', 'InProgress', 'Baking', 'Succeeded', 'Failed', 'Stopped', 'Ready'], false);
        time(p, `${dat}.createdAt`, dep.createdAt, false);
      });
    });
  });
}

export const service: ServiceSim = {
  name: 'CodeDeploy',
  sdk,
  throttleError: 'ThrottlingException',
  ops: {
    GetDeploymentGroup: getDeploymentGroup,
    ListDeployments: listDeployments,
    GetDeployment: getDeployment,
    BatchGetDeployments: batchGetDeployments,
    StopDeployment: stopDeployment,
  },
  iam: {
    ListDeployments: (c) => [authReq('codedeploy:ListDeployments', arnIn('codedeploy', c.region, c.account, `deploymentgroup:${String(c.input.applicationName ?? '*')}/${String(c.input.deploymentGroupName ?? '*')}`))],
    GetDeployment: (c) => [authReq('codedeploy:GetDeployment', deploymentGroupOf(c, c.input.deploymentId))],
    BatchGetDeployments: (c) => ((c.input.deploymentIds ?? []) as unknown[]).map((id) => authReq('codedeploy:BatchGetDeployments', deploymentGroupOf(c, id))),
    // codedeploy:StopDeployment has no resource type: only "*" authorises it.
    StopDeployment: () => [authReq('codedeploy:StopDeployment', '*')],
    GetDeploymentGroup: (c) => [authReq('codedeploy:GetDeploymentGroup', arnIn('codedeploy', c.region, c.account, `deploymentgroup:${String(c.input.applicationName)}/${String(c.input.deploymentGroupName)}`))],
    CreateDeployment: (c) => [authReq('codedeploy:CreateDeployment', arnIn('codedeploy', c.region, c.account, `deploymentgroup:${String(c.input.applicationName)}/${String(c.input.deploymentGroupName)}`))],
  },
  region: { key: 'codedeploy', init: (world, _region, spec) => initCodeDeploy(world, spec), validate: validateCodeDeploySpec },
  hangs: ['codedeploy-rollback'],
};
