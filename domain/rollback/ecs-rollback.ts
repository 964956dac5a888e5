/**
 * Runbook 2 "Quick Rollback (ECS)": 1. identify the previous task definition (known-good),
 * 2. roll back to it (UpdateService --force-new-deployment, through act), monitor the rollout
 * with durable waits, 3. verify: the running tasks use it and the 5XX alarm is OK again.
 */
import { decideEcsRollback, describeSkip, ROLLBACK_ACTION, tasksOnRevision, type EcsRollbackPlan, type RollbackInput } from './decide';
import type { ServiceState } from './operations';
import { manualCommands, refusedAction, rollbackPage, type ManualCommands } from './pages';
import { familyRevision, type RevisionHistory } from './revisions';
import { describeService, finishWithAlarmCheck, pageActionNotTaken, pageAndConclude, pollUntil, serviceScope, triggerLine, windowVerdict, TASKS_SETTLE_SECONDS, type RollbackDeps, type RollbackResult } from './steps';

// ---- ECS quick rollback ------------------------------------------------------------------------

/** One ECS rollback: deps, input, and what step 1 found (shared by every page). */
interface EcsRollbackRun {
  deps: RollbackDeps;
  input: RollbackInput;
  cmd: ManualCommands;
  /** The failing revision, family:revision. */
  broken: string;
  diagnosis: string[];
}

type RollbackPlan = Exclude<EcsRollbackPlan, { kind: 'page' }>;

/** A run with a known-good revision to roll back to. */
interface EcsRollbackToTarget extends EcsRollbackRun {
  plan: RollbackPlan;
  targetRef: string;
}

export async function runEcsRollback(deps: RollbackDeps, input: RollbackInput, service: ServiceState, history: RevisionHistory, now: number): Promise<RollbackResult> {
  // Step 1: Identify previous task definition: the known-good one, or a page that none qualifies.
  const plan = decideEcsRollback(service, history, deps.config.guardrails.rollback.stableForSeconds, now);
  const run = identifiedRun(deps, input, service, history, plan);
  await recordDecision(run, plan);
  if (plan.kind === 'page') return pageNoAutomaticRollback(run, plan);
  const rollback: EcsRollbackToTarget = { ...run, plan, targetRef: familyRevision(plan.target.arn) };

  // Step 2: Rollback to previous version (or adopt the rollback ECS already started).
  const started = plan.kind === 'watch-existing' ? { deploymentId: plan.deploymentId } : await rollbackToPreviousVersion(rollback, plan);
  if ('outcome' in started) return started;
  const done = [
    plan.kind === 'watch-existing'
      ? `ECS already rolling back to ${rollback.targetRef} (deployment ${started.deploymentId}); no second UpdateService`
      : `UpdateService ${deps.config.service.serviceName} to ${rollback.targetRef} with a forced new deployment (deployment ${started.deploymentId})`,
  ];
  const rolloutFailed = await monitorRollbackProgress(rollback, started.deploymentId, done);
  if (rolloutFailed) return rolloutFailed;

  // Step 3: Verify rollback - the running tasks use the known-good revision, then the 5XX alarm is OK.
  const notVerified = await verifyRollbackTasks(rollback, done);
  if (notVerified) return notVerified;
  return finishWithAlarmCheck(deps, input, run.diagnosis, done, `${deps.config.service.serviceName} rolled back to ${rollback.targetRef}`, `bad deployment of ${run.broken}`, 'rolled-back', false);
}

function identifiedRun(deps: RollbackDeps, input: RollbackInput, service: ServiceState, history: RevisionHistory, plan: EcsRollbackPlan): EcsRollbackRun {
  const broken = familyRevision(history.currentTaskDefinitionArn);
  const diagnosis = [
    triggerLine(input),
    `broken revision: ${broken} (deployment ${history.currentDeploymentId ?? 'unknown'})`,
    describeService(service),
    ...plan.skipped.map(describeSkip),
    ...plan.verdicts.map((v) => `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`),
  ];
  return { deps, input, cmd: manualCommands(deps.config), broken, diagnosis };
}

async function recordDecision({ deps, broken }: EcsRollbackRun, plan: EcsRollbackPlan): Promise<void> {
  const { recorder } = deps;
  await deps.workflow.step('decide-rollback', async () => {
    if (plan.kind === 'page') deps.incident.addRefusal(`rollback: ${plan.refusal.reason}`);
    // When the plan acts, the Actuator records these verdicts with its own.
    if (plan.kind !== 'roll-back') for (const v of plan.verdicts) recorder.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
    for (const s of plan.skipped) recorder.record({ kind: 'decision', summary: describeSkip(s) });
    const what =
      plan.kind === 'page'
        ? `page instead of rolling back: ${plan.refusal.reason}`
        : plan.kind === 'watch-existing'
          ? `ECS is already rolling back to ${familyRevision(plan.target.arn)} (${plan.deploymentId}); watch it, start nothing`
          : `roll back ${deps.config.service.serviceName} from ${broken} to ${familyRevision(plan.target.arn)}`;
    recorder.record({ kind: 'decision', summary: what });
    return true;
  });
}

async function pageNoAutomaticRollback(run: EcsRollbackRun, plan: Extract<EcsRollbackPlan, { kind: 'page' }>): Promise<RollbackResult> {
  const { deps, cmd, broken } = run;
  const { config } = deps;
  const notSafe = plan.refusal.guardrail === 'RevisionNotRollbackSafe';
  await pageAndConclude(
    deps,
    'page-no-automatic-rollback',
    (at) =>
      rollbackPage({
        config,
        incidentKey: run.input.incidentKey,
        severity: 'P1',
        at,
        title: notSafe
          ? `${config.service.serviceName}: rollback from ${broken} is not schema-safe - human decision needed`
          : `${config.service.serviceName}: ${broken} is failing and no known-good revision qualifies`,
        diagnosis: run.diagnosis,
        refused: [refusedAction('rollback', plan.refusal)],
        nextStep: notSafe
          ? `Decide between a forward fix and a rollback with a data fix. If rolling back is safe after all: ${cmd.rollBack(plan.target?.arn)}`
          : `Pick a revision by hand: ${cmd.listRevisions} ; then ${cmd.rollBack()}`,
      }),
    { status: 'escalated', rootCauseGuess: `bad deployment of ${broken}` },
  );
  return { outcome: notSafe ? 'not-rollback-safe' : 'no-known-good', detail: plan.refusal.reason };
}

/** Step 2: UpdateService onto the known-good revision; its deployment id, or the result when it did not run (paged). */
async function rollbackToPreviousVersion(run: EcsRollbackToTarget, plan: Extract<RollbackPlan, { kind: 'roll-back' }>): Promise<{ deploymentId: string } | RollbackResult> {
  const { deps, input, broken, targetRef } = run;
  const { config } = deps;
  const target = plan.target;
  const started = await deps.workflow.step('rollback-to-previous-version', async () => {
    const window = await windowVerdict(deps, input.incidentKey);
    const outcome = await deps.act(
      {
        action: ROLLBACK_ACTION,
        scope: serviceScope(config),
        summary: `roll back ${config.service.clusterName}/${config.service.serviceName} from ${broken} to ${targetRef} (UpdateService --force-new-deployment)`,
        extraVerdicts: [...plan.verdicts, window],
      },
      // The loop-guard mark is part of the mutation: once UpdateService returned the id, the
      // deployment is ours before anything else can fail (a failed mark fails the mutation, and
      // its retry finds the same deployment and marks it).
      async () => {
        const rolled = await deps.ops.rollServiceTo(target.arn, plan.notBefore);
        await deps.markOwnChange(rolled.deploymentId);
        return rolled;
      },
    );
    if (outcome.status === 'executed') {
      deps.incident.setIfUnset({ startedAt: deps.clock.now() });
      deps.recorder.record({ kind: 'note', summary: `rollback deployment ${outcome.result.deploymentId} marked as our own change (loop guard)` });
    }
    return outcome;
  });
  if (started.status === 'executed') return { deploymentId: started.result.deploymentId };
  const dry = started.status === 'dry-run';
  const reason = started.status === 'refused' ? `${started.guardrail}: ${started.reason}` : 'dry-run: nothing was changed';
  await pageActionNotTaken(deps, 'page-rollback-refused', started, {
    incidentKey: input.incidentKey,
    wouldDo: `roll back ${broken} to ${targetRef}`,
    actionName: 'rollback',
    diagnosis: run.diagnosis,
    nextStep: `${run.cmd.rollBack(target.arn)} ; monitor: ${run.cmd.watchRollout}`,
    rootCauseGuess: `bad deployment of ${broken}`,
  });
  return { outcome: dry ? 'dry-run' : 'refused', detail: reason };
}

/** Monitor rollback progress: durable waits until the rollout settles; the result when it did not complete (paged). */
async function monitorRollbackProgress(run: EcsRollbackToTarget, deploymentId: string, done: string[]): Promise<RollbackResult | undefined> {
  const { deps, broken, targetRef } = run;
  const { config } = deps;
  const rollout = await pollUntil(
    deps,
    'monitor-rollback',
    config.guardrails.rollback.rolloutTimeoutSeconds,
    async () => {
      const s = await deps.ops.describeService();
      const d = s.deployments.find((x) => x.id === deploymentId);
      return { rolloutState: d?.rolloutState ?? 'GONE', status: d?.status ?? 'GONE', reason: d?.rolloutStateReason ?? '', running: d?.runningCount ?? 0, desired: d?.desiredCount ?? 0 };
    },
    (r) => r.rolloutState === 'COMPLETED' || r.rolloutState === 'FAILED' || r.status === 'GONE' || r.status === 'INACTIVE',
    (r) => `rollback deployment ${deploymentId}: ${r.status} ${r.rolloutState} ${r.running}/${r.desired}${r.reason ? ` (${r.reason})` : ''}`,
  );
  if (rollout.value.rolloutState === 'COMPLETED' && rollout.value.status === 'PRIMARY') {
    done.push(`rollout COMPLETED ${rollout.elapsedSeconds}s after the rollback started`);
    return undefined;
  }
  const what = rollout.timedOut ? `did not complete within ${config.guardrails.rollback.rolloutTimeoutSeconds}s` : `ended ${rollout.value.status} ${rollout.value.rolloutState}`;
  await pageAndConclude(
    deps,
    'page-rollback-failed',
    (at) =>
      rollbackPage({
        config,
        incidentKey: run.input.incidentKey,
        severity: 'P1',
        at,
        title: `${config.service.serviceName}: rollback to ${targetRef} ${what} - no further automatic rollback`,
        diagnosis: [...run.diagnosis, `rollback deployment ${deploymentId}: ${rollout.value.status} ${rollout.value.rolloutState} ${rollout.value.running}/${rollout.value.desired} ${rollout.value.reason}`],
        done,
        nextStep: `Inspect the rollout: ${run.cmd.watchRollout} ; choose a revision by hand: ${run.cmd.listRevisions}`,
      }),
    { status: 'escalated', rootCauseGuess: `bad deployment of ${broken}; rollback to ${targetRef} ${what}` },
  );
  return { outcome: 'rollback-failed', detail: `rollback deployment ${deploymentId} ${what}` };
}

/** Step 3, first half: the running tasks are all on the known-good revision; the result when they are not (paged). */
async function verifyRollbackTasks(run: EcsRollbackToTarget, done: string[]): Promise<RollbackResult | undefined> {
  const { deps, plan, targetRef } = run;
  const { config } = deps;
  const tasks = await pollUntil(
    deps,
    'verify-rollback-tasks',
    TASKS_SETTLE_SECONDS,
    async () => {
      const [list, s] = await Promise.all([deps.ops.runningTasks(), deps.ops.describeService()]);
      return { ...tasksOnRevision(list, plan.target.arn, s.desiredCount), desired: s.desiredCount, total: list.length };
    },
    (t) => t.ok,
    (t) => `running tasks: ${t.onTarget}/${t.total} on ${targetRef} (desired ${t.desired})${t.other.length ? `; also running ${t.other.join(', ')}` : ''}`,
  );
  if (tasks.value.ok) {
    done.push(`${tasks.value.onTarget}/${tasks.value.desired} running tasks on ${targetRef}`);
    return undefined;
  }
  await pageAndConclude(
    deps,
    'page-rollback-not-verified',
    (at) =>
      rollbackPage({
        config,
        incidentKey: run.input.incidentKey,
        severity: 'P1',
        at,
        title: `${config.service.serviceName}: rollout says COMPLETED but running tasks are not all on ${targetRef}`,
        diagnosis: [...run.diagnosis, `running tasks: ${tasks.value.onTarget}/${tasks.value.total} on ${targetRef}, others: ${tasks.value.other.join(', ') || 'none'} (desired ${tasks.value.desired})`],
        done,
        nextStep: `${run.cmd.listTasks} ; then aws ecs describe-tasks --cluster ${config.service.clusterName} --tasks <task-arn> --query 'tasks[0].taskDefinitionArn'`,
      }),
    { status: 'escalated' },
  );
  return { outcome: 'unhealthy', detail: 'running tasks not on the known-good revision' };
}
