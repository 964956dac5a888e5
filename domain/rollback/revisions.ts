/**
 * Runbook 2, step 1 "Identify Previous Task Definition", done carefully.
 *
 * The runbook's example reads "current minus one". That is only right when the previous
 * revision actually ran. Revisions get registered and never deployed, deployed and failed,
 * deregistered (INACTIVE), or deployed over before they ever settled. The known-good
 * revision is the task definition the service last ran *stably* before the current
 * deployment, read from the deployment history, and never one that failed or is INACTIVE.
 */

/** One task definition revision as DescribeTaskDefinition (include TAGS) reports it. */
export interface TaskDefinitionRevision {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  registeredAt?: number;
  /** Task definition tags, key -> value. */
  tags: Record<string, string>;
  /** Environment of the service's container (name -> value); secrets are not read. */
  environment: Record<string, string>;
}

/**
 * A deployment of the service, normalised from DescribeServices (current deployments),
 * ListServiceDeployments/DescribeServiceDeployments (history) and the service events.
 */
export interface DeploymentRecord {
  id: string;
  taskDefinitionArn: string;
  createdAt: number;
  /** How the deployment ended (or where it is). */
  outcome: 'in-progress' | 'completed' | 'failed' | 'stopped' | 'rolled-back';
  /** When the rollout reached COMPLETED (steady state on this revision). */
  completedAt?: number;
}

export interface RevisionHistory {
  /** The deployment being rolled back (PRIMARY now, or the one the trigger named). */
  currentDeploymentId?: string;
  /** The task definition of the current (broken) deployment. */
  currentTaskDefinitionArn: string;
  deployments: DeploymentRecord[];
  /** Task definitions of the family, any order; a revision not listed here is never chosen. */
  revisions: TaskDefinitionRevision[];
}

export type SkipReason =
  | 'current' // the broken revision itself
  | 'failed' // a deployment of it failed / was rolled back
  | 'inactive' // deregistered: ECS will not start new tasks from it
  | 'never-stable' // never PRIMARY + COMPLETED for stableForSeconds
  | 'never-deployed' // registered, but no deployment of it is known
  | 'unknown-revision'; // deployed, but its task definition could not be described

export interface SkippedRevision {
  taskDefinitionArn: string;
  reason: SkipReason;
  detail: string;
}

export type KnownGoodChoice =
  | { kind: 'found'; revision: TaskDefinitionRevision; stableDeployment: DeploymentRecord; stableSeconds: number; skipped: SkippedRevision[] }
  | { kind: 'none'; skipped: SkippedRevision[] };

/** 'arn:aws:ecs:...:task-definition/regami-api:41' -> 'regami-api:41' (what the runbook's commands take). */
export function familyRevision(taskDefinitionArn: string): string {
  const slash = taskDefinitionArn.lastIndexOf('/');
  return slash >= 0 ? taskDefinitionArn.slice(slash + 1) : taskDefinitionArn;
}

/** Compare task definition references by family:revision, so an ARN and 'regami-api:41' match. */
export function sameTaskDefinition(a: string, b: string): boolean {
  return familyRevision(a) === familyRevision(b);
}

const FAILED_OUTCOMES: ReadonlySet<DeploymentRecord['outcome']> = new Set(['failed', 'rolled-back']);

/**
 * How long each deployment stayed PRIMARY and settled: from its completion until the next
 * deployment started (or `now` for the newest).
 */
export function stableSeconds(deployment: DeploymentRecord, all: readonly DeploymentRecord[], now: number): number {
  if (deployment.outcome !== 'completed' || deployment.completedAt === undefined) return 0;
  const completedAt = deployment.completedAt;
  const next = all
    .filter((d) => d.id !== deployment.id && d.createdAt > deployment.createdAt)
    .reduce<number | undefined>((min, d) => (min === undefined || d.createdAt < min ? d.createdAt : min), undefined);
  const end = next ?? now;
  return Math.max(0, Math.floor((end - completedAt) / 1000));
}

/**
 * Choose the revision to roll back to. Walks the deployments newest first (before the
 * current one) and returns the first whose revision ran stably, never failed, and is
 * ACTIVE. Every revision passed over is listed with its reason: that list is the evidence
 * in the page, and the reason a human can trust (or overrule) the choice.
 */
export function chooseKnownGoodRevision(history: RevisionHistory, stableForSeconds: number, now: number): KnownGoodChoice {
  const skipped: SkippedRevision[] = [];
  const seen = new Set<string>();
  const skip = (arn: string, reason: SkipReason, detail: string): void => {
    seen.add(familyRevision(arn));
    skipped.push({ taskDefinitionArn: arn, reason, detail });
  };

  const failedRevisions = new Set(
    history.deployments.filter((d) => FAILED_OUTCOMES.has(d.outcome)).map((d) => familyRevision(d.taskDefinitionArn)),
  );
  const current = history.currentDeploymentId
    ? history.deployments.find((d) => d.id === history.currentDeploymentId)
    : undefined;
  // Deployments that started before the current one (all of them when the current one is unknown).
  const before = history.deployments
    .filter((d) => !sameTaskDefinition(d.taskDefinitionArn, history.currentTaskDefinitionArn))
    .filter((d) => (current ? d.createdAt < current.createdAt : true))
    .sort((a, b) => b.createdAt - a.createdAt);

  skip(history.currentTaskDefinitionArn, 'current', 'the revision of the current (broken) deployment');

  for (const deployment of before) {
    const ref = familyRevision(deployment.taskDefinitionArn);
    if (seen.has(ref)) continue;
    if (failedRevisions.has(ref)) {
      const failure = history.deployments.find((d) => familyRevision(d.taskDefinitionArn) === ref && FAILED_OUTCOMES.has(d.outcome));
      skip(deployment.taskDefinitionArn, 'failed', `deployment ${failure?.id ?? deployment.id} of ${ref} ${failure?.outcome ?? 'failed'}`);
      continue;
    }
    const revision = history.revisions.find((r) => sameTaskDefinition(r.arn, deployment.taskDefinitionArn));
    if (!revision) {
      skip(deployment.taskDefinitionArn, 'unknown-revision', `${ref} could not be described; not rolling back to a revision we cannot inspect`);
      continue;
    }
    if (revision.status !== 'ACTIVE') {
      skip(revision.arn, 'inactive', `${ref} is ${revision.status}`);
      continue;
    }
    // The same revision may have been deployed more than once: any stable run counts.
    const runs = before.filter((d) => sameTaskDefinition(d.taskDefinitionArn, revision.arn));
    const best = runs
      .map((d) => ({ d, seconds: stableSeconds(d, history.deployments, now) }))
      .reduce<{ d: DeploymentRecord; seconds: number } | undefined>((m, x) => (!m || x.seconds > m.seconds ? x : m), undefined);
    if (!best || best.seconds < stableForSeconds) {
      skip(
        revision.arn,
        'never-stable',
        `${ref} was never PRIMARY with rollout COMPLETED for ${stableForSeconds}s (longest: ${best?.seconds ?? 0}s)`,
      );
      continue;
    }
    return { kind: 'found', revision, stableDeployment: best.d, stableSeconds: best.seconds, skipped };
  }

  // Registered revisions that no known deployment ran: listed so the page explains why they were not used.
  for (const r of [...history.revisions].sort((a, b) => b.revision - a.revision)) {
    if (seen.has(familyRevision(r.arn))) continue;
    seen.add(familyRevision(r.arn));
    skipped.push({ taskDefinitionArn: r.arn, reason: 'never-deployed', detail: `${familyRevision(r.arn)} has no known deployment` });
  }
  return { kind: 'none', skipped };
}

/** A stopped task of the service (ECS keeps them visible for about an hour after they stop). */
export interface StoppedTaskEvidence {
  /** The deployment that started it ('ecs-svc/...'). */
  startedBy?: string;
  taskDefinitionArn: string;
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
}

/**
 * Deployments DescribeServices no longer lists (replaced and drained), rebuilt from their
 * stopped tasks: after a bad revision rolled out *successfully* and only then started
 * failing requests, this is the evidence that the previous revision ran - and for how long.
 * A deployment whose tasks ran until the scheduler replaced them completed; one whose tasks
 * never reached that point (failed to start, exited) failed.
 */
export function deploymentsFromStoppedTasks(tasks: readonly StoppedTaskEvidence[], knownIds: ReadonlySet<string>): DeploymentRecord[] {
  const groups = new Map<string, StoppedTaskEvidence[]>();
  for (const t of tasks) {
    if (!t.startedBy || !t.startedBy.startsWith('ecs-svc/') || knownIds.has(t.startedBy)) continue;
    const list = groups.get(t.startedBy) ?? [];
    list.push(t);
    groups.set(t.startedBy, list);
  }
  const records: DeploymentRecord[] = [];
  for (const [id, list] of groups) {
    const first = list[0];
    if (!first) continue;
    const created = list.map((t) => t.createdAt ?? t.startedAt).filter((x): x is number => x !== undefined);
    if (created.length === 0) continue;
    const createdAt = Math.min(...created);
    const replaced = list.filter((t) => t.startedAt !== undefined && t.stopCode === 'ServiceSchedulerInitiated');
    if (replaced.length === 0) {
      records.push({ id, taskDefinitionArn: first.taskDefinitionArn, createdAt, outcome: 'failed' });
      continue;
    }
    // Serving from the first start among the tasks that lasted until replaced (a task that
    // crashed and was relaunched later would otherwise shorten a days-long run to minutes).
    const completedAt = Math.min(...replaced.map((t) => t.startedAt as number));
    records.push({ id, taskDefinitionArn: first.taskDefinitionArn, createdAt, outcome: 'completed', completedAt });
  }
  return records;
}

/** Tag on a task definition revision: 'false' marks it as not safe to roll back from. */
export const ROLLBACK_SAFE_TAG = 'autopilot:rollback-safe';
/** Container environment variable with the same meaning, for teams that cannot tag. */
export const ROLLBACK_SAFE_ENV = 'ROLLBACK_SAFE';

export interface RollbackSafety {
  safe: boolean;
  /** Revisions that carry the marker and why (tag or environment). */
  unsafe: { taskDefinitionArn: string; marker: string }[];
}

export function unsafeMarker(r: TaskDefinitionRevision): string | undefined {
  const tag = r.tags[ROLLBACK_SAFE_TAG];
  if (tag !== undefined && tag.trim().toLowerCase() === 'false') return `tag ${ROLLBACK_SAFE_TAG}=${tag}`;
  const env = r.environment[ROLLBACK_SAFE_ENV];
  if (env !== undefined && env.trim().toLowerCase() === 'false') return `environment ${ROLLBACK_SAFE_ENV}=${env}`;
  return undefined;
}

/**
 * Schema safety. A revision marked `autopilot:rollback-safe=false` (tag) or
 * `ROLLBACK_SAFE=false` (container environment) ran a database migration that older code
 * cannot read. Rolling back from it, or across it, would trade one outage for another.
 * Every revision newer than the target that was deployed (even briefly, even if it
 * failed: a migration may run at startup) up to and including the current one is checked:
 * a migration shipped in a revision we skip over is crossed all the same.
 */
export function rollbackSafety(target: TaskDefinitionRevision, history: RevisionHistory): RollbackSafety {
  const deployed = new Set(history.deployments.map((d) => familyRevision(d.taskDefinitionArn)));
  deployed.add(familyRevision(history.currentTaskDefinitionArn));
  const crossed = history.revisions.filter(
    (r) => r.family === target.family && r.revision > target.revision && deployed.has(familyRevision(r.arn)),
  );
  const unsafe = crossed.flatMap((r) => {
    const marker = unsafeMarker(r);
    return marker ? [{ taskDefinitionArn: r.arn, marker }] : [];
  });
  return { safe: unsafe.length === 0, unsafe };
}
