/**
 * Runbook 2 "Quick Rollback (ECS)": 1. identify the previous task definition (known-good),
 * 2. roll back to it (UpdateService --force-new-deployment, through act), monitor the rollout
 * with durable waits, 3. verify: the running tasks use it and the 5XX alarm is OK again.
 */
import { decideEcsRollback, describeSkip, ROLLBACK_ACTION, tasksOnRevision, type RollbackInput } from './decide';
import type { ServiceState } from './operations';
import { manualCommands, refusedAction, rollbackPage } from './pages';
import { familyRevision, type RevisionHistory } from './revisions';
import { describeService, finishWithAlarmCheck, pageActionNotTaken, pageAndConclude, pollUntil, serviceScope, triggerLine, windowVerdict, TASKS_SETTLE_SECONDS, type RollbackDeps, type RollbackResult } from './steps';

// ---- ECS quick rollback ------------------------------------------------------------------------

export async function runEcsRollback(deps: RollbackDeps, input: RollbackInput, service: ServiceState, history: RevisionHistory, now: number): Promise<RollbackResult> {
  const { config, workflow, ops, recorder } = deps;
  const cmd = manualCommands(config);
  const key = input.incidentKey;
  const plan = decideEcsRollback(service, history, config.guardrails.rollback.stableForSeconds, now);
  const broken = familyRevision(history.currentTaskDefinitionArn);
  const diagnosis = [
    triggerLine(input),
    `broken revision: ${broken} (deployment ${history.currentDeploymentId ?? 'unknown'})`,
    describeService(service),
    ...plan.skipped.map(describeSkip),
    ...plan.verdicts.map((v) => `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`),
  ];

  await workflow.step('decide-rollback', async () => {
    if (plan.kind === 'page') deps.incident.refused(`rollback: ${plan.refusal.reason}`);
    // When the plan acts, the Actuator records these verdicts with its own.
    if (plan.kind !== 'roll-back') for (const v of plan.verdicts) recorder.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
    for (const s of plan.skipped) recorder.record({ kind: 'decision', summary: describeSkip(s) });
    const what =
      plan.kind === 'page'
        ? `page instead of rolling back: ${plan.refusal.reason}`
        : plan.kind === 'watch-existing'
          ? `ECS is already rolling back to ${familyRevision(plan.target.arn)} (${plan.deploymentId}); watch it, start nothing`
          : `roll back ${config.service.serviceName} from ${broken} to ${familyRevision(plan.target.arn)}`;
    recorder.record({ kind: 'decision', summary: what });
    return true;
  });

  if (plan.kind === 'page') {
    const notSafe = plan.refusal.guardrail === 'RevisionNotRollbackSafe';
    await pageAndConclude(
      deps,
      'page-no-automatic-rollback',
      (at) =>
        rollbackPage({
          config,
          incidentKey: key,
          severity: 'P1',
          at,
          title: notSafe
            ? `${config.service.serviceName}: rollback from ${broken} is not schema-safe - human decision needed`
            : `${config.service.serviceName}: ${broken} is failing and no known-good revision qualifies`,
          diagnosis,
          refused: [refusedAction('rollback', plan.refusal)],
          nextStep: notSafe
            ? `Decide between a forward fix and a rollback with a data fix. If rolling back is safe after all: ${cmd.rollBack(plan.target?.arn)}`
            : `Pick a revision by hand: ${cmd.listRevisions} ; then ${cmd.rollBack()}`,
        }),
      { status: 'escalated', rootCauseGuess: `bad deployment of ${broken}` },
    );
    return { outcome: notSafe ? 'not-rollback-safe' : 'no-known-good', detail: plan.refusal.reason };
  }

  const target = plan.target;
  const targetRef = familyRevision(target.arn);

  // Step 2: Rollback to previous version (or adopt the rollback ECS already started).
  let deploymentId: string;
  if (plan.kind === 'watch-existing') {
    deploymentId = plan.deploymentId;
  } else {
    const started = await workflow.step('rollback-to-previous-version', async () => {
      const window = await windowVerdict(deps, key);
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
          const rolled = await ops.rollServiceTo(target.arn, plan.notBefore);
          await deps.markOwnChange(rolled.deploymentId);
          return rolled;
        },
      );
      if (outcome.status === 'executed') {
        deps.incident.mitigationStarted(deps.clock.now());
        recorder.record({ kind: 'note', summary: `rollback deployment ${outcome.result.deploymentId} marked as our own change (loop guard)` });
      }
      return outcome;
    });
    if (started.status !== 'executed') {
      const dry = started.status === 'dry-run';
      const reason = started.status === 'refused' ? `${started.guardrail}: ${started.reason}` : 'dry-run: nothing was changed';
      await pageActionNotTaken(deps, 'page-rollback-refused', started, {
        incidentKey: key,
        wouldDo: `roll back ${broken} to ${targetRef}`,
        actionName: 'rollback',
        diagnosis,
        nextStep: `${cmd.rollBack(target.arn)} ; monitor: ${cmd.watchRollout}`,
        rootCauseGuess: `bad deployment of ${broken}`,
      });
      return { outcome: dry ? 'dry-run' : 'refused', detail: reason };
    }
    deploymentId = started.result.deploymentId;
  }

  // Monitor rollback progress: durable waits until the rollout settles.
  const rollout = await pollUntil(
    deps,
    'monitor-rollback',
    config.guardrails.rollback.rolloutTimeoutSeconds,
    async () => {
      const s = await ops.describeService();
      const d = s.deployments.find((x) => x.id === deploymentId);
      return { rolloutState: d?.rolloutState ?? 'GONE', status: d?.status ?? 'GONE', reason: d?.rolloutStateReason ?? '', running: d?.runningCount ?? 0, desired: d?.desiredCount ?? 0 };
    },
    (r) => r.rolloutState === 'COMPLETED' || r.rolloutState === 'FAILED' || r.status === 'GONE' || r.status === 'INACTIVE',
    (r) => `rollback deployment ${deploymentId}: ${r.status} ${r.rolloutState} ${r.running}/${r.desired}${r.reason ? ` (${r.reason})` : ''}`,
  );
  const done = [
    plan.kind === 'watch-existing'
      ? `ECS already rolling back to ${targetRef} (deployment ${deploymentId}); no second UpdateService`
      : `UpdateService ${config.service.serviceName} to ${targetRef} with a forced new deployment (deployment ${deploymentId})`,
  ];
  if (rollout.value.rolloutState !== 'COMPLETED' || rollout.value.status !== 'PRIMARY') {
    const what = rollout.timedOut ? `did not complete within ${config.guardrails.rollback.rolloutTimeoutSeconds}s` : `ended ${rollout.value.status} ${rollout.value.rolloutState}`;
    await pageAndConclude(
      deps,
      'page-rollback-failed',
      (at) =>
        rollbackPage({
          config,
          incidentKey: key,
          severity: 'P1',
          at,
          title: `${config.service.serviceName}: rollback to ${targetRef} ${what} - no further automatic rollback`,
          diagnosis: [...diagnosis, `rollback deployment ${deploymentId}: ${rollout.value.status} ${rollout.value.rolloutState} ${rollout.value.running}/${rollout.value.desired} ${rollout.value.reason}`],
          done,
          nextStep: `Inspect the rollout: ${cmd.watchRollout} ; choose a revision by hand: ${cmd.listRevisions}`,
        }),
      { status: 'escalated', rootCauseGuess: `bad deployment of ${broken}; rollback to ${targetRef} ${what}` },
    );
    return { outcome: 'rollback-failed', detail: `rollback deployment ${deploymentId} ${what}` };
  }
  done.push(`rollout COMPLETED ${rollout.elapsedSeconds}s after the rollback started`);

  // Step 3: Verify rollback - the running tasks use the known-good revision.
  const tasks = await pollUntil(
    deps,
    'verify-rollback-tasks',
    TASKS_SETTLE_SECONDS,
    async () => {
      const [list, s] = await Promise.all([ops.runningTasks(), ops.describeService()]);
      return { ...tasksOnRevision(list, target.arn, s.desiredCount), desired: s.desiredCount, total: list.length };
    },
    (t) => t.ok,
    (t) => `running tasks: ${t.onTarget}/${t.total} on ${targetRef} (desired ${t.desired})${t.other.length ? `; also running ${t.other.join(', ')}` : ''}`,
  );
  if (!tasks.value.ok) {
    await pageAndConclude(
      deps,
      'page-rollback-not-verified',
      (at) =>
        rollbackPage({
          config,
          incidentKey: key,
          severity: 'P1',
          at,
          title: `${config.service.serviceName}: rollout says COMPLETED but running tasks are not all on ${targetRef}`,
          diagnosis: [...diagnosis, `running tasks: ${tasks.value.onTarget}/${tasks.value.total} on ${targetRef}, others: ${tasks.value.other.join(', ') || 'none'} (desired ${tasks.value.desired})`],
          done,
          nextStep: `${cmd.listTasks} ; then aws ecs describe-tasks --cluster ${config.service.clusterName} --tasks <task-arn> --query 'tasks[0].taskDefinitionArn'`,
        }),
      { status: 'escalated' },
    );
    return { outcome: 'unhealthy', detail: 'running tasks not on the known-good revision' };
  }
  done.push(`${tasks.value.onTarget}/${tasks.value.desired} running tasks on ${targetRef}`);

  return finishWithAlarmCheck(deps, input, diagnosis, done, `${config.service.serviceName} rolled back to ${targetRef}`, `bad deployment of ${broken}`, 'rolled-back', false);
}

/** The last check of every path: the alarm must be OK; P2 with what happened, else P1 with what was seen. */