/**
 * Readiness (issue 16 item 3): what each runbook will need at 3 a.m., checked now, before any
 * incident. Pure over facts an adapter read (adapters/aws/preflight.ts: read-only calls with
 * the operator's or the scheduled function's credentials). A fact that could not be read is
 * a failed check naming why (fail closed): an unreadable precondition is not a met one.
 *
 * READY / NOT READY per runbook, each check with its reason; `autopilot preflight` prints it,
 * the scheduled preflight function publishes RunbookReady per runbook and pages P3 on NOT READY.
 */
import { alarmNameMatches, RUNBOOKS, taskRoleMismatches, type AutopilotConfig, type EcsServiceConfig, type RunbookId, type Severity } from './config';
import { blueGreenConfigured, codeDeployConfigured } from './features';
import type { Page } from './paging';
import { READINESS_KEY_PREFIX } from './modes';

/** A fact, or why it could not be read. */
export type Fact<T> = { ok: true; value: T } | { ok: false; error: string };

export interface DbInstanceFact {
  id: string;
  status: string;
  /** ReadReplicaSourceDBInstanceIdentifier (an id, or an ARN for a cross-region replica). */
  replicaSourceId?: string;
  backupRetentionDays: number;
  latestRestorableTime?: number;
}

export interface ServiceFact {
  status: string;
  desired: number;
  taskDefinition: string;
}

/** The roles the service's current task definition carries (what a copy of it passes: iam:PassRole). */
export interface TaskRolesFact {
  taskDefinition: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
}

export interface AlarmFact {
  name: string;
  namespace?: string;
  metricName?: string;
  /** Metric math / composite alarms measure what their expression says: namespace and metric unknown. */
  composite?: boolean;
}

export interface RecordFact {
  name: string;
  type: string;
  setIdentifier?: string;
  failover?: string;
}

/** A container's DATABASE_URL as the switch would find it: never its value. */
export interface DatabaseUrlFact {
  present: boolean;
  /** A Secrets Manager / SSM reference: its valueFrom. */
  from?: string;
  /** Present but the runbook could not follow it (reference unreadable, outside the configured prefixes, not a URL). */
  problem?: string;
}

export interface PreflightFacts {
  primaryDb: Fact<DbInstanceFact | undefined>;
  replicaDb: Fact<DbInstanceFact | undefined>;
  /** Latest ReplicaLag datapoint (seconds), undefined when there is none. */
  replicaLagSeconds: Fact<number | undefined>;
  /** Newest snapshot (automated or manual) of the primary. */
  latestSnapshotAt: Fact<number | undefined>;
  primaryService: Fact<ServiceFact | undefined>;
  secondaryService: Fact<ServiceFact | undefined>;
  /** ACTIVE revisions of the primary task family, newest first ("family:revision"). */
  primaryRevisions: Fact<string[]>;
  /** The configured container of the service's current task definition: its DATABASE_URL, read as the runbooks read it. */
  primaryDatabaseUrl: Fact<DatabaseUrlFact>;
  secondaryDatabaseUrl: Fact<DatabaseUrlFact>;
  /** The roles of each service's current task definition; undefined when the service has none. */
  primaryTaskRoles: Fact<TaskRolesFact | undefined>;
  secondaryTaskRoles: Fact<TaskRolesFact | undefined>;
  /** Alarms whose name matches any configured pattern (DescribeAlarms by prefix). */
  alarms: Fact<AlarmFact[]>;
  records: Fact<RecordFact[]>;
  scalableTarget: Fact<{ min: number; max: number } | undefined>;
  /** undefined when CodeDeploy is not configured (the feature is off). */
  codeDeployGroup?: Fact<boolean>;
  /** Per severity: confirmed and pending subscriptions of the stack's topic. */
  subscriptions: Fact<Record<Severity, { confirmed: number; pending: number }>>;
  /** IAM policy simulation per runbook: the calls denied. undefined: not simulated in this run. */
  iamDenied?: Fact<Partial<Record<RunbookId, string[]>>>;
}

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  reason: string;
}

export interface RunbookReadiness {
  runbook: RunbookId;
  ready: boolean;
  checks: ReadinessCheck[];
}

/** The scheduled check's metric: RunbookReady (1 ready / 0 not), dimensions Stage and Runbook, in this namespace. */
export const READINESS_NAMESPACE = 'RunbookAutopilot';
export const READINESS_METRIC = 'RunbookReady';
/** Partition (and sort) key of the state-table item holding the latest verdicts (adapters/dynamo/readiness-store.ts). */
export const READINESS_PARTITION_KEY = 'readiness';

/** Backups: the newest snapshot may be this old before restore readiness fails (automated snapshots are daily). */
export const MAX_SNAPSHOT_AGE_SECONDS = 36 * 3600;
/** PITR: the latest restorable time lags real time by about five minutes; more means backups are not flowing. */
export const MAX_RESTORABLE_LAG_SECONDS = 15 * 60;

type CheckFn = (name: string, ok: boolean, reason: string) => void;

function read<T>(add: CheckFn, name: string, fact: Fact<T>): T | undefined {
  if (!fact.ok) {
    add(name, false, `could not be read: ${fact.error.slice(0, 200)}`);
    return undefined;
  }
  return fact.value;
}

export function preflight(config: AutopilotConfig, facts: PreflightFacts, now: number): RunbookReadiness[] {
  return RUNBOOKS.map((runbook) => {
    const checks: ReadinessCheck[] = [];
    const add: CheckFn = (name, ok, reason) => checks.push({ name, ok, reason });
    CHECKS[runbook](config, facts, now, add);
    topicsConfirmed(facts, add, runbook === 'scale-ecs' ? ['P2', 'P4'] : ['P1', 'P2', 'P3']);
    iamAllowed(facts, add, runbook);
    return { runbook, ready: checks.every((c) => c.ok), checks };
  });
}

const CHECKS: Record<RunbookId, (config: AutopilotConfig, facts: PreflightFacts, now: number, add: CheckFn) => void> = {
  'database-failover': (config, facts, _now, add) => {
    const db = config.database;
    const primary = read(add, 'primary database', facts.primaryDb);
    if (facts.primaryDb.ok) add('primary database', primary !== undefined, primary ? `${db.primaryInstanceId} exists (${primary.status})` : `${db.primaryInstanceId} not found`);
    const replica = read(add, 'replica', facts.replicaDb);
    if (facts.replicaDb.ok) {
      if (!replica) add('replica', false, `${db.replicaInstanceId} not found in ${db.replicaRegion}: there is nothing to promote`);
      else {
        add('replica', replica.status === 'available', `${db.replicaInstanceId} is ${replica.status}`);
        const source = replica.replicaSourceId ?? '';
        const fromPrimary = source === db.primaryInstanceId || source.endsWith(`:db:${db.primaryInstanceId}`);
        add('replica replicates from the primary', fromPrimary, source ? `source is ${source}` : `${db.replicaInstanceId} is not a read replica (no source)`);
      }
    }
    const lag = read(add, 'replica lag', facts.replicaLagSeconds);
    if (facts.replicaLagSeconds.ok) {
      const budget = config.guardrails.failover.maxReplicaLagSeconds;
      add('replica lag', lag !== undefined && lag <= budget, lag === undefined ? 'no ReplicaLag datapoint: unknown lag fails the failover gate' : `ReplicaLag ${lag}s (budget ${budget}s)`);
    }
    const records = read(add, 'Route 53 failover records', facts.records);
    if (records) {
      const name = config.dns.recordName.toLowerCase().replace(/\.$/, '');
      const mine = records.filter((r) => r.name.toLowerCase().replace(/\.$/, '') === name);
      for (const [role, id] of [['PRIMARY', config.dns.primarySetIdentifier], ['SECONDARY', config.dns.secondarySetIdentifier]] as const) {
        const rec = mine.find((r) => r.setIdentifier === id);
        add(`Route 53 ${role.toLowerCase()} record`, rec?.failover === role, rec ? `${name} set ${id} is failover ${rec.failover ?? 'none'}` : `no ${name} record with set identifier "${id}" in ${config.dns.hostedZoneId}`);
      }
    }
    service(add, 'secondary service', facts.secondaryService, `${config.secondaryService.clusterName}/${config.secondaryService.serviceName}`);
    databaseUrl(add, 'secondary DATABASE_URL', facts.secondaryDatabaseUrl, config.secondaryService.containerName);
    taskRoles(add, 'secondary task roles', facts.secondaryTaskRoles, config.secondaryService, 'secondaryService');
    alarmsMeasure(add, facts, 'database-down alarms', config.alarms.databaseDown, undefined);
  },
  'rollback-deployment': (config, facts, _now, add) => {
    service(add, 'service', facts.primaryService, `${config.service.clusterName}/${config.service.serviceName}`);
    const revisions = read(add, 'previous task definition', facts.primaryRevisions);
    if (revisions) {
      const current = facts.primaryService.ok ? facts.primaryService.value?.taskDefinition : undefined;
      const previous = revisions.filter((r) => r !== current && !(current ?? '').endsWith(`/${r}`));
      add('previous task definition', previous.length > 0, previous.length > 0 ? `${previous.length} earlier ACTIVE revision(s) of ${config.service.taskFamily}, newest ${previous[0]}` : `no ACTIVE revision of ${config.service.taskFamily} other than the current one: nothing to roll back to`);
    }
    if (codeDeployConfigured(config) && facts.codeDeployGroup) {
      const group = read(add, 'CodeDeploy deployment group', facts.codeDeployGroup);
      if (facts.codeDeployGroup.ok) add('CodeDeploy deployment group', group === true, `${config.codeDeploy.applicationName}/${config.codeDeploy.deploymentGroupName} ${group ? 'exists' : 'not found'}`);
    }
    if (!blueGreenConfigured(config)) add('blue/green listener switch', true, 'off (service.listenerArn empty)');
    alarmsMeasure(add, facts, '5XX alarms', config.alarms.fiveXx, { namespace: 'AWS/ApplicationELB', metrics: ['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'] });
  },
  'scale-ecs': (config, facts, _now, add) => {
    service(add, 'service', facts.primaryService, `${config.service.clusterName}/${config.service.serviceName}`);
    alarmsMeasure(add, facts, 'CPU alarms', config.alarms.cpu, { namespace: 'AWS/ECS', metrics: ['CPUUtilization'] });
    const target = read(add, 'scalable target bounds', facts.scalableTarget);
    if (facts.scalableTarget.ok) {
      const s = config.guardrails.scaling;
      if (!target) add('scalable target bounds', true, 'no Application Auto Scaling target: desired count is changed directly');
      else add('scalable target bounds', target.max >= s.maxTasks && target.min <= s.minTasks, `target ${target.min}-${target.max}, guardrails ${s.minTasks}-${s.maxTasks}${target.max < s.maxTasks ? ': the target caps scale-out below maxTasks' : ''}`);
    }
  },
  'investigate-5xx': (config, facts, _now, add) => {
    service(add, 'service', facts.primaryService, `${config.service.clusterName}/${config.service.serviceName}`);
    alarmsMeasure(add, facts, '5XX alarms', config.alarms.fiveXx, { namespace: 'AWS/ApplicationELB', metrics: ['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'] });
  },
  'restore-from-backup': (config, facts, now, add) => {
    const primary = read(add, 'primary database', facts.primaryDb);
    if (facts.primaryDb.ok) {
      if (!primary) add('primary database', false, `${config.database.primaryInstanceId} not found`);
      else {
        add('backups enabled', primary.backupRetentionDays > 0, `backup retention ${primary.backupRetentionDays} day(s)`);
        const lag = primary.latestRestorableTime === undefined ? undefined : Math.round((now - primary.latestRestorableTime) / 1000);
        add('restorable window', lag !== undefined && lag <= MAX_RESTORABLE_LAG_SECONDS, lag === undefined ? 'no latest restorable time: point-in-time restore is not possible' : `latest restorable time ${lag}s ago (at most ${MAX_RESTORABLE_LAG_SECONDS}s)`);
      }
    }
    const latest = read(add, 'latest snapshot', facts.latestSnapshotAt);
    if (facts.latestSnapshotAt.ok) {
      const age = latest === undefined ? undefined : Math.round((now - latest) / 1000);
      add('latest snapshot', age !== undefined && age <= MAX_SNAPSHOT_AGE_SECONDS, age === undefined ? `no snapshot of ${config.database.primaryInstanceId}` : `newest snapshot ${Math.round(age / 3600)}h old (at most ${MAX_SNAPSHOT_AGE_SECONDS / 3600}h)`);
    }
    databaseUrl(add, 'DATABASE_URL', facts.primaryDatabaseUrl, config.service.containerName);
    taskRoles(add, 'task roles', facts.primaryTaskRoles, config.service, 'service');
  },
};

function service(add: CheckFn, name: string, fact: Fact<ServiceFact | undefined>, label: string): void {
  const svc = read(add, name, fact);
  if (fact.ok) add(name, svc?.status === 'ACTIVE', svc ? `${label} is ${svc.status}, desired ${svc.desired}, ${svc.taskDefinition}` : `${label} not found`);
}

function databaseUrl(add: CheckFn, name: string, fact: Fact<DatabaseUrlFact>, container: string): void {
  const url = read(add, name, fact);
  if (!fact.ok) return;
  if (!url?.present) add(name, false, `container ${container} of the current task definition has no DATABASE_URL: the switch has nothing to rewrite`);
  else if (url.problem) add(name, false, url.from ? `container ${container} reads DATABASE_URL from ${url.from} that the runbook cannot follow: ${url.problem}` : `container ${container} has a DATABASE_URL the runbook cannot rewrite: ${url.problem}`);
  else add(name, true, url.from ? `container ${container} reads DATABASE_URL from ${url.from} (readable: the switch writes a new reference next to it)` : `container ${container} has DATABASE_URL`);
}

/**
 * The live revision's roles are the configured ones: a copy passes them, and the deployed
 * iam:PassRole grant covers only the configured ones (infra/permissions.ts). A mismatch would be
 * denied at step 5, after the promotion or the restore (config.ts sameTaskRole).
 */
function taskRoles(add: CheckFn, name: string, fact: Fact<TaskRolesFact | undefined>, svc: EcsServiceConfig, field: string): void {
  const roles = read(add, name, fact);
  if (!fact.ok) return;
  if (!roles) {
    add(name, false, `${svc.clusterName}/${svc.serviceName} has no current task definition to read its roles from`);
    return;
  }
  const mismatches = taskRoleMismatches(roles, svc, field).map((m) => `${roles.taskDefinition} has ${m}`);
  add(
    name,
    mismatches.length === 0,
    mismatches.length === 0
      ? `${roles.taskDefinition} carries the configured roles (task ${svc.taskRoleArn || 'none'}, execution ${svc.executionRoleArn || 'none'})`
      : `${mismatches.join('; ')}: registering its copy would pass a role the iam:PassRole grant does not cover (denied at step 5); set ${field} to the live roles and deploy, or fix the task definition`,
  );
}

function alarmsMeasure(add: CheckFn, facts: PreflightFacts, name: string, patterns: readonly string[], measures: { namespace: string; metrics: string[] } | undefined): void {
  const alarms = read(add, name, facts.alarms);
  if (!alarms) return;
  for (const pattern of patterns) {
    const hits = alarms.filter((a) => alarmNameMatches([pattern], a.name));
    if (hits.length === 0) {
      add(`${name}: ${pattern}`, false, `no alarm matches "${pattern}": the runbook would never be triggered`);
      continue;
    }
    const wrong = measures ? hits.filter((a) => !a.composite && (a.namespace !== measures.namespace || !measures.metrics.includes(a.metricName ?? ''))) : [];
    add(
      `${name}: ${pattern}`,
      wrong.length === 0,
      wrong.length === 0
        ? `${hits.map((a) => a.name).join(', ')}${measures ? ` (${measures.namespace} ${measures.metrics.join(' or ')}, or an expression)` : ''}`
        : `${wrong.map((a) => `${a.name} measures ${a.namespace ?? '?'} ${a.metricName ?? '?'}`).join('; ')}, expected ${measures!.namespace} ${measures!.metrics.join(' or ')}`,
    );
  }
}

function topicsConfirmed(facts: PreflightFacts, add: CheckFn, severities: Severity[]): void {
  const subs = read(add, 'paging subscriptions', facts.subscriptions);
  if (!subs) return;
  for (const s of severities) {
    const { confirmed, pending } = subs[s];
    add(`${s} subscription confirmed`, confirmed > 0, confirmed > 0 ? `${confirmed} confirmed${pending ? `, ${pending} pending` : ''}` : pending > 0 ? `${pending} subscription(s) pending confirmation: nobody receives ${s} pages until confirmed` : `no subscription on the ${s} topic`);
  }
}

function iamAllowed(facts: PreflightFacts, add: CheckFn, runbook: RunbookId): void {
  if (!facts.iamDenied) return;
  const denied = read(add, 'IAM policy simulation', facts.iamDenied);
  if (denied) add('IAM policy simulation', (denied[runbook] ?? []).length === 0, (denied[runbook] ?? []).length === 0 ? 'every call the runbook makes is allowed' : `denied: ${denied[runbook]!.join(', ')}`);
}

/** Text for the CLI: READY / NOT READY per runbook, with the reasons. */
export function formatReadiness(results: readonly RunbookReadiness[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.ready ? 'READY    ' : 'NOT READY'} ${r.runbook}`);
    for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.reason}`);
  }
  const notReady = results.filter((r) => !r.ready).length;
  lines.push('', notReady === 0 ? `all ${results.length} runbooks READY` : `${notReady} of ${results.length} runbook(s) NOT READY`);
  return lines.join('\n');
}

/** The scheduled check's P3 page for one runbook that is NOT READY (before any incident). */
export function notReadyPage(result: RunbookReadiness, at: number, stage: string): Page {
  const failed = result.checks.filter((c) => !c.ok);
  return {
    incidentKey: `${READINESS_KEY_PREFIX}${result.runbook}`,
    action: 'trigger',
    severity: 'P3',
    runbook: result.runbook,
    title: `${result.runbook} NOT READY: ${failed.map((c) => c.name).join(', ')}`.slice(0, 200),
    resource: `runbook-autopilot-${stage}`,
    at,
    diagnosis: failed.map((c) => `${c.name}: ${c.reason}`),
    done: ['nothing: a readiness check, no incident'],
    refused: [],
    nextStep: `Fix each failed precondition before the next incident, then re-run: autopilot preflight --stage ${stage}`,
  };
}

// ---- the latest verdicts, as the scheduled check stores them and each workflow reads them ----

/** What the scheduled check stores (one state-table item): per runbook READY or the checks that failed. */
export interface ReadinessReport {
  /** Epoch ms of the check. */
  checkedAt: number;
  stage: string;
  /** The schedule it runs on (config deployment.preflightSchedule): a report older than two periods is stale. */
  schedule: string;
  runbooks: { runbook: RunbookId; ready: boolean; failed: string[] }[];
}

export function readinessReport(results: readonly RunbookReadiness[], checkedAt: number, stage: string, schedule: string): ReadinessReport {
  return {
    checkedAt,
    stage,
    schedule,
    runbooks: results.map((r) => ({ runbook: r.runbook, ready: r.ready, failed: r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.reason}`.slice(0, 300)) })),
  };
}

/** Seconds between two runs of a schedule expression: a rate's own period; a cron is taken as daily. */
export function scheduleIntervalSeconds(expression: string): number {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!m) return 86_400;
  return Number(m[1]) * { minute: 60, hour: 3600, day: 86_400 }[m[2] as 'minute' | 'hour' | 'day'];
}

/**
 * What a workflow records at its start about its runbook's readiness, from the stored report
 * (undefined: the check never ran, or its item expired). `notReady`: the line its pages carry
 * while the latest fresh verdict is NOT READY.
 */
export function readinessAtStart(report: ReadinessReport | undefined, runbook: RunbookId, now: number): { summary: string; notReady?: string } {
  if (!report) return { summary: 'readiness: no scheduled readiness check is recorded (the preflight function has not run yet): preconditions unknown' };
  const age = Math.max(0, Math.round((now - report.checkedAt) / 1000));
  const ago = age < 3600 ? `${Math.round(age / 60)}m ago` : `${Math.round(age / 3600)}h ago`;
  const when = `${new Date(report.checkedAt).toISOString()}, ${ago}`;
  const stale = age > 2 * scheduleIntervalSeconds(report.schedule) ? ` (stale: the check runs ${report.schedule} and has not run since)` : '';
  const mine = report.runbooks.find((r) => r.runbook === runbook);
  if (!mine) return { summary: `readiness: the check of ${when} did not judge ${runbook}${stale}` };
  if (mine.ready) return { summary: `readiness: READY at the scheduled check of ${when}${stale}` };
  const reasons = mine.failed.join('; ') || 'no reason recorded';
  const line = `readiness: NOT READY at the scheduled check of ${when}${stale}: ${reasons}`;
  return { summary: line, notReady: line.slice(0, 600) };
}