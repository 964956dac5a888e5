/**
 * Runbook 2 "Rollback Blue/Green Deployment (CodeDeploy)": stop the in-progress deployment
 * with auto-rollback and watch the rollback; "Emergency Rollback (ALB Listener)" only when
 * that fails, and only after a human approves (EXPIRED is a no).
 */
import type { Page } from '../paging';
import type { ApprovalOutcome } from '../ports';
import { CODEDEPLOY_FINAL_STATUSES, decideBlueGreen, LISTENER_SWITCH_ACTION, ROLLBACK_ACTION, type BlueGreenPlan, type RollbackInput } from './decide';
import type { CodeDeployDeploymentState, ServiceState } from './operations';
import { manualCommands, rollbackPage, type ManualCommands } from './pages';
import { familyRevision, unsafeMarker, type TaskDefinitionRevision } from './revisions';
import type { Verdict } from '../guardrails';
import { chooseSwitchTarget, describeSwitchTarget, healthLine, switchTargetVerdict, targetGroupName, type SwitchTarget } from './switch-target';
import { describeService, finishWithAlarmCheck, pageActionNotTaken, pageAndConclude, pollUntil, serviceScope, triggerLine, windowVerdict, type RollbackDeps, type RollbackResult } from './steps';
import { quoteUntrusted } from '../untrusted-text';

// ---- Blue/green (CodeDeploy) and the emergency listener switch -------------------------------

/** One blue/green rollback: deps, input, the plan, and the lines every page shares. */
interface BlueGreenRun {
  deps: RollbackDeps;
  input: RollbackInput;
  cmd: ManualCommands;
  plan: BlueGreenPlan;
  /** The deployment the trigger named (a CodeDeploy failure event). */
  triggeredId?: string;
  diagnosis: string[];
  /** What the autopilot did, for the pages. */
  done: string[];
}

/** The CodeDeploy deployments to watch: the one stopped and/or its rollback. */
interface RollbackWatch {
  stoppedId?: string;
  rollbackId?: string;
}

export async function runBlueGreen(deps: RollbackDeps, input: RollbackInput, service: ServiceState): Promise<RollbackResult> {
  const { config } = deps;
  const triggeredId = input.trigger.kind === 'codedeploy-failure' ? input.trigger.deploymentId : undefined;

  // Stop Deployment, step 1: find the deployment.
  const found = await findCodeDeployDeployment(deps, triggeredId);
  const plan = decideBlueGreen(found.active, found.triggered);
  const diagnosis = [triggerLine(input), describeService(service), ...found.active.map((d) => `CodeDeploy ${d.id}: ${d.status} (creator ${d.creator ?? '-'})`), plan.reason];
  const run: BlueGreenRun = { deps, input, cmd: manualCommands(config), plan, triggeredId, diagnosis, done: [] };
  await deps.workflow.step('decide-blue-green', async () => {
    deps.recorder.record({ kind: 'decision', summary: plan.kind === 'stop' ? `stop ${plan.deploymentId} with auto-rollback: ${plan.reason}` : plan.kind === 'watch-rollback' ? `watch ${plan.rollbackDeploymentId}: ${plan.reason}` : `CodeDeploy rollback did not happen: ${plan.reason}` });
    return true;
  });

  const safety = await checkRollbackSafety(run, service, found);
  if (!safety.pass) return pageNotRollbackSafe(run, safety);

  // Stop Deployment (with auto-rollback), or watch the rollback CodeDeploy already started.
  let watch: RollbackWatch | undefined;
  if (plan.kind === 'watch-rollback') {
    watch = { rollbackId: plan.rollbackDeploymentId };
    run.done.push(`CodeDeploy already rolling back (${plan.rollbackDeploymentId}); nothing stopped`);
  } else if (plan.kind === 'stop') {
    const stopped = await stopDeployment(run, plan.deploymentId);
    if ('outcome' in stopped) return stopped;
    watch = stopped;
  }

  // Stop Deployment, step 2: monitor the rollback.
  const rollback = watch ? await monitorRollback(run, watch) : { ok: false, seenLine: plan.reason, lastRollbackId: undefined };
  if (rollback.ok) {
    return finishWithAlarmCheck(deps, input, diagnosis, run.done, `${config.service.serviceName}: CodeDeploy rolled back`, 'bad blue/green deployment', 'rolled-back', false);
  }

  // Emergency Rollback (ALB listener): only after a human approves, and only to the original task set.
  const replacement = [triggeredId, plan.kind === 'stop' ? plan.deploymentId : undefined, watch?.stoppedId].filter((id): id is string => !!id);
  const rollbacks = [plan.kind === 'watch-rollback' ? plan.rollbackDeploymentId : undefined, watch?.rollbackId, rollback.lastRollbackId].filter((id): id is string => !!id);
  return emergencyListenerSwitch(deps, input, [...diagnosis, rollback.seenLine], run.done, { replacement, rollbacks });
}

type FoundDeployments = { active: CodeDeployDeploymentState[]; triggered?: CodeDeployDeploymentState };

async function findCodeDeployDeployment(deps: RollbackDeps, triggeredId: string | undefined): Promise<FoundDeployments> {
  const { ops, recorder } = deps;
  return deps.workflow.step('find-codedeploy-deployment', async () => {
    const active = await ops.activeCodeDeployDeployments();
    const triggered = triggeredId ? await ops.getCodeDeployDeployment(triggeredId) : undefined;
    for (const d of active) recorder.record({ kind: 'signal', summary: `CodeDeploy ${d.id}: ${d.status} (creator ${d.creator ?? '-'})` });
    if (triggered) recorder.record({ kind: 'signal', summary: `CodeDeploy ${triggered.id} (trigger): ${triggered.status}${triggered.rollbackDeploymentId ? `, rolled back by ${triggered.rollbackDeploymentId}` : ''}${triggered.errorMessage ? ` - ${quoteUntrusted(triggered.errorMessage)}` : ''}` });
    return { active, triggered };
  });
}

/**
 * Schema safety, exactly as on the ECS path: rolling back to the original task set crosses the
 * replacement's revision; one marked not rollback-safe (tag or ROLLBACK_SAFE=false) ran a
 * migration the original code cannot read. Checked before any mutation, the emergency switch included.
 */
async function checkRollbackSafety({ deps, plan, triggeredId }: BlueGreenRun, service: ServiceState, found: FoundDeployments): Promise<Verdict> {
  return deps.workflow.step('check-blue-green-rollback-safety', async () => {
    const replacementIds = new Set([triggeredId, plan.kind === 'stop' ? plan.deploymentId : undefined].filter((id): id is string => !!id));
    // The replacement task sets are those of the replacement deployment (externalId); the original is left alone.
    const crossed = (service.taskSets ?? []).filter((ts) => ts.externalId !== undefined && replacementIds.has(ts.externalId));
    const replacements = [found.triggered, ...found.active].filter((d): d is CodeDeployDeploymentState => !!d && replacementIds.has(d.id));
    const arns = [...new Set([...crossed.map((ts) => ts.taskDefinitionArn), ...replacements.flatMap((d) => (d.taskDefinition ? [d.taskDefinition] : []))])];
    const verdict = await blueGreenSafetyVerdict(arns, (arn) => deps.ops.describeTaskDefinition(arn));
    deps.recorder.record({ kind: 'guardrail', summary: `${verdict.guardrail}: ${verdict.pass ? 'pass' : 'REFUSE'} - ${verdict.reason}`, verdict });
    return verdict;
  });
}

async function pageNotRollbackSafe({ deps, input, cmd, plan, diagnosis }: BlueGreenRun, safety: Verdict): Promise<RollbackResult> {
  const { config } = deps;
  await pageAndConclude(
    deps,
    'page-blue-green-not-rollback-safe',
    (at) =>
      rollbackPage({
        config,
        incidentKey: input.incidentKey,
        severity: 'P1',
        at,
        title: `${config.service.serviceName}: blue/green rollback is not schema-safe - human decision needed`,
        diagnosis: [...diagnosis, safety.reason],
        refused: [{ action: 'rollback', guardrail: safety.guardrail, reason: safety.reason }],
        nextStep: `Decide between a forward fix and a rollback with a data fix. If rolling back is safe after all: ${plan.kind === 'stop' ? cmd.stopCodeDeploy(plan.deploymentId) : cmd.listRevisions}`,
      }),
    { status: 'escalated', rootCauseGuess: 'bad blue/green deployment' },
  );
  return { outcome: 'not-rollback-safe', detail: safety.reason };
}

/** Stop Deployment, step 1: StopDeployment with auto-rollback; what to watch, or the result when it did not run (paged). */
async function stopDeployment(run: BlueGreenRun, deploymentId: string): Promise<RollbackWatch | RollbackResult> {
  const { deps, input, cmd } = run;
  const { config, ops } = deps;
  const stopped = await deps.workflow.step('stop-deployment', async () => {
    const window = await windowVerdict(deps, input.incidentKey);
    const outcome = await deps.act(
      {
        action: ROLLBACK_ACTION,
        scope: serviceScope(config),
        summary: `stop CodeDeploy deployment ${deploymentId} with auto-rollback`,
        extraVerdicts: [window],
      },
      // Loop guard inside the mutation (as for UpdateService): marked as soon as the ids are known.
      async () => {
        const stopped = await ops.stopCodeDeployWithRollback(deploymentId);
        await deps.markOwnChange(deploymentId);
        if (stopped.rollbackDeploymentId) await deps.markOwnChange(stopped.rollbackDeploymentId);
        return stopped;
      },
    );
    if (outcome.status === 'executed') deps.incident.setIfUnset({ startedAt: deps.clock.now() });
    return outcome;
  });
  if (stopped.status !== 'executed') {
    const dry = stopped.status === 'dry-run';
    await pageActionNotTaken(deps, 'page-stop-refused', stopped, {
      incidentKey: input.incidentKey,
      wouldDo: `stop CodeDeploy ${deploymentId} with auto-rollback`,
      actionName: 'CodeDeploy rollback',
      diagnosis: run.diagnosis,
      nextStep: `${cmd.stopCodeDeploy(deploymentId)} ; monitor: ${cmd.watchCodeDeploy(deploymentId)}`,
    });
    return { outcome: dry ? 'dry-run' : 'refused', detail: stopped.status === 'refused' ? stopped.reason : 'dry-run' };
  }
  run.done.push(`StopDeployment ${deploymentId} with auto-rollback`);
  return { stoppedId: deploymentId, rollbackId: stopped.result.rollbackDeploymentId };
}

/** Stop Deployment, step 2: watch the CodeDeploy rollback until it ends (durable waits). */
async function monitorRollback(run: BlueGreenRun, w: RollbackWatch): Promise<{ ok: boolean; seenLine: string; lastRollbackId?: string }> {
  const { deps } = run;
  const { ops } = deps;
  const progress = await pollUntil(
    deps,
    'monitor-codedeploy-rollback',
    deps.config.guardrails.rollback.rolloutTimeoutSeconds,
    async () => {
      let rollbackId = w.rollbackId;
      let stoppedStatus: string | undefined;
      if (!rollbackId && w.stoppedId) {
        const orig: CodeDeployDeploymentState = await ops.getCodeDeployDeployment(w.stoppedId);
        rollbackId = orig.rollbackDeploymentId;
        stoppedStatus = orig.status;
        if (rollbackId) await deps.markOwnChange(rollbackId);
      }
      const rb = rollbackId ? await ops.getCodeDeployDeployment(rollbackId) : undefined;
      return { rollbackId: rollbackId ?? null, status: rb?.status ?? null, stoppedStatus: stoppedStatus ?? null, error: rb?.errorMessage ?? null };
    },
    (p) => (p.status !== null && CODEDEPLOY_FINAL_STATUSES.has(p.status)) || (p.rollbackId === null && p.stoppedStatus !== null && CODEDEPLOY_FINAL_STATUSES.has(p.stoppedStatus)),
    (p) => (p.rollbackId ? `CodeDeploy rollback ${p.rollbackId}: ${p.status}${p.error ? ` - ${p.error}` : ''}` : `CodeDeploy ${w.stoppedId}: ${p.stoppedStatus}, no rollback deployment yet`),
  );
  const seenLine = progress.value.rollbackId
    ? `CodeDeploy rollback ${progress.value.rollbackId} ${progress.timedOut ? `still ${progress.value.status} after ${progress.elapsedSeconds}s` : `ended ${progress.value.status}`}${progress.value.error ? ` - ${progress.value.error}` : ''}`
    : `no CodeDeploy rollback deployment appeared for ${w.stoppedId} (${progress.value.stoppedStatus})`;
  run.done.push(seenLine);
  return { ok: progress.value.status === 'Succeeded', seenLine, lastRollbackId: progress.value.rollbackId ?? undefined };
}

/** Deployments whose task sets are NOT the original: the failed one (replacement) and CodeDeploy's rollbacks of it. */
export interface SwitchContext {
  replacement: string[];
  rollbacks: string[];
}

export async function emergencyListenerSwitch(deps: RollbackDeps, input: RollbackInput, diagnosis: string[], done: string[], context: SwitchContext = { replacement: [], rollbacks: [] }): Promise<RollbackResult> {
  const { config, workflow, ops, recorder } = deps;
  const cmd = manualCommands(config);
  const key = input.incidentKey;

  // Where to: the original task set's target group, read now (the live group alternates), and its health.
  const found = await workflow.step('find-original-target-group', async () => {
    // The approval can take approvalTimeoutSeconds: the service lock must outlast it.
    await deps.renewLocks();
    const [listener, service] = await Promise.all([ops.listenerTargets(), ops.describeService()]);
    const target = chooseSwitchTarget(service.taskSets, listener, context.replacement, context.rollbacks, config.service.blueTargetGroupArn);
    const health = await ops.targetHealth(target.targetGroupArn);
    const verdict = switchTargetVerdict(target, health, listener);
    recorder.record({ kind: 'signal', summary: `listener forwards to ${listener.join(', ') || 'nothing'}` });
    recorder.record({ kind: 'decision', summary: `emergency switch target: ${describeSwitchTarget(target)}; ${healthLine(health)}` });
    recorder.record({ kind: 'guardrail', summary: `${verdict.guardrail}: ${verdict.pass ? 'pass' : 'REFUSE'} - ${verdict.reason}`, verdict });
    return { listener, target, health, verdict };
  });
  const { target, health, verdict } = found;
  const to = target.targetGroupArn;
  const toName = targetGroupName(to);
  const where = describeSwitchTarget(target);
  const evidence = [...diagnosis, ...target.evidence, `switch target: ${where}`, healthLine(health)];

  if (!verdict.pass) {
    // Not offered: a human must find a healthy version to serve (no automatic change).
    await workflow.step('switch-target-refused', async () => {
      deps.incident.addRefusal(`${LISTENER_SWITCH_ACTION}: ${verdict.reason}`);
      return true;
    });
    await pageAndConclude(
      deps,
      'page-no-safe-switch-target',
      (at) =>
        rollbackPage({
          config,
          incidentKey: key,
          severity: 'P1',
          at,
          title: `${config.service.serviceName}: CodeDeploy rollback failed and the emergency ALB switch is not offered (${verdict.code})`,
          diagnosis: evidence,
          done,
          refused: [{ action: LISTENER_SWITCH_ACTION, guardrail: verdict.guardrail, reason: verdict.reason }],
          nextStep: `Find a healthy previous version: ${cmd.watchRollout} ; aws elbv2 describe-target-health --target-group-arn ${to} --region ${config.service.region} ; ${cmd.findCodeDeploy} ; redeploy the last good revision with CodeDeploy, or switch by hand once a group is healthy: ${cmd.switchListener()}`,
        }),
      { status: 'escalated', rootCauseGuess: 'bad blue/green deployment; CodeDeploy rollback failed' },
    );
    return { outcome: 'refused', detail: verdict.reason };
  }

  const listenerSwitch: ListenerSwitch = { deps, input, cmd, diagnosis, done, target, to, toName, where, evidence };
  const approval = await approveListenerSwitch(listenerSwitch);
  if (approval.outcome !== 'APPROVED') return pageSwitchDenied(listenerSwitch, approval.outcome);
  return switchListener(listenerSwitch);
}

/** An emergency switch with a target that passed SwitchTargetSafe: deps, input, and where traffic goes. */
interface ListenerSwitch {
  deps: RollbackDeps;
  input: RollbackInput;
  cmd: ManualCommands;
  diagnosis: string[];
  done: string[];
  target: SwitchTarget;
  /** The target group ARN, its name, and the target as the pages describe it. */
  to: string;
  toName: string;
  where: string;
  /** The diagnosis with the switch target's evidence and health. */
  evidence: string[];
}

/** A human approves the switch (P1 page with the commands); EXPIRED counts as a no. */
async function approveListenerSwitch(sw: ListenerSwitch): Promise<ApprovalOutcome> {
  const { deps, target, toName, where } = sw;
  const { config, workflow, recorder } = deps;
  const timeout = config.guardrails.rollback.approvalTimeoutSeconds;
  const approval = await workflow.waitForApproval('approve-listener-switch', timeout, async (callbackId) => {
    const now = deps.clock.now();
    const cmds = deps.approvalCommands(callbackId);
    const page: Page = {
      ...rollbackPage({
        config,
        incidentKey: sw.input.incidentKey,
        severity: 'P1',
        at: now,
        title:
          target.source === 'original-task-set'
            ? `${config.service.serviceName}: CodeDeploy rollback failed - approve the emergency ALB switch to ${toName} (original task set, ${familyRevision(target.taskDefinitionArn)})?`
            : `${config.service.serviceName}: CodeDeploy rollback failed - approve the emergency ALB switch to the configured blue target group ${toName} (original task set NOT determined)?`,
        diagnosis: sw.evidence,
        done: sw.done,
        nextStep: `Approve: ${cmds.approve} | Reject: ${cmds.reject} | Or switch by hand: ${sw.cmd.switchListener(sw.to)}`,
      }),
      approval: { callbackId, approveCommand: cmds.approve, rejectCommand: cmds.reject, expiresAt: now + timeout * 1000 },
    };
    await deps.pager.send(page);
    recorder.record({ kind: 'approval', summary: `approval requested for the ALB listener switch to ${where} (expires in ${timeout}s)` });
    recorder.record({ kind: 'page', severity: 'P1', summary: `paged P1: ${page.title}` });
  });
  await workflow.step('approval-outcome', async () => {
    if (approval.outcome !== 'APPROVED') deps.incident.addRefusal(`${LISTENER_SWITCH_ACTION}: approval ${approval.outcome}`);
    recorder.record({ kind: 'approval', summary: `listener switch ${approval.outcome}${'by' in approval && approval.by ? ` by ${quoteUntrusted(approval.by, 120)}` : ''}` });
    return approval.outcome;
  });
  return approval;
}

async function pageSwitchDenied(sw: ListenerSwitch, outcome: 'REJECTED' | 'EXPIRED'): Promise<RollbackResult> {
  const { deps } = sw;
  const { config } = deps;
  const expired = outcome === 'EXPIRED';
  await pageAndConclude(
    deps,
    'page-listener-switch-denied',
    (at) =>
      rollbackPage({
        config,
        incidentKey: sw.input.incidentKey,
        severity: 'P1',
        at,
        title: expired
          ? `${config.service.serviceName}: approval for the ALB switch EXPIRED after ${config.guardrails.rollback.approvalTimeoutSeconds}s - nothing switched, still broken`
          : `${config.service.serviceName}: ALB switch REJECTED - nothing switched, the rollback is manual`,
        diagnosis: sw.diagnosis,
        done: sw.done,
        refused: [{ action: LISTENER_SWITCH_ACTION, guardrail: 'HumanApproval', reason: expired ? 'approval expired (treated as denied)' : 'rejected by a human' }],
        nextStep: `${sw.cmd.findCodeDeploy} ; ${sw.cmd.switchListener(sw.to)}`,
      }),
    { status: 'escalated', rootCauseGuess: 'bad blue/green deployment; CodeDeploy rollback failed' },
  );
  return { outcome: 'approval-denied', detail: outcome };
}

/** Emergency Rollback (ALB Listener), approved: ModifyListener to the target group, then the alarm check. */
async function switchListener(sw: ListenerSwitch): Promise<RollbackResult> {
  const { deps, target, to, toName, where, done } = sw;
  const { config } = deps;
  const switched = await deps.workflow.step('switch-listener', async () => {
    const outcome = await deps.act(
      { action: LISTENER_SWITCH_ACTION, scope: serviceScope(config), summary: `ModifyListener ${config.service.listenerArn}: forward to ${toName} (${target.source === 'original-task-set' ? 'original task set' : 'configured blue fallback'}, approved)` },
      () => deps.ops.switchListenerTo(to),
    );
    if (outcome.status === 'executed') deps.incident.setIfUnset({ startedAt: deps.clock.now() });
    return outcome;
  });
  if (switched.status !== 'executed' || !(switched.result.length === 1 && switched.result[0] === to)) {
    const why = switched.status === 'refused' ? `${switched.guardrail}: ${switched.reason}` : switched.status === 'dry-run' ? 'dry-run' : `listener now forwards to ${switched.result.join(', ')}`;
    await pageAndConclude(
      deps,
      'page-listener-switch-failed',
      (at) =>
        rollbackPage({
          config,
          incidentKey: sw.input.incidentKey,
          severity: 'P1',
          at,
          title: `${config.service.serviceName}: approved ALB switch not done (${why})`,
          diagnosis: sw.diagnosis,
          done,
          refused: switched.status === 'refused' ? [{ action: LISTENER_SWITCH_ACTION, guardrail: switched.guardrail, reason: switched.reason }] : [],
          nextStep: sw.cmd.switchListener(to),
        }),
      { status: 'escalated' },
    );
    return { outcome: switched.status === 'dry-run' ? 'dry-run' : 'refused', detail: why };
  }
  done.push(`ModifyListener: listener forwards to ${where} (approved)`);
  const what =
    target.source === 'original-task-set'
      ? `${config.service.serviceName}: traffic switched to the original task set's target group ${toName}`
      : `${config.service.serviceName}: traffic switched to the blue target group`;
  return finishWithAlarmCheck(deps, sw.input, sw.evidence, done, what, 'bad blue/green deployment; CodeDeploy rollback failed', 'switched-listener', true);
}

/**
 * RevisionNotRollbackSafe for blue/green: every replacement revision a rollback to the original
 * task set crosses must be described and unmarked; one that cannot be described fails closed.
 */
export async function blueGreenSafetyVerdict(arns: readonly string[], describe: (arn: string) => Promise<TaskDefinitionRevision | undefined>): Promise<Verdict> {
  const marked: string[] = [];
  for (const arn of arns) {
    const r = await describe(arn);
    if (!r) return { guardrail: 'RevisionNotRollbackSafe', pass: false, reason: `RevisionNotRollbackSafe: the replacement revision ${familyRevision(arn)} could not be described, so its rollback-safety marker is unknown`, evidence: { taskDefinitionArn: arn } };
    const marker = unsafeMarker(r);
    if (marker) marked.push(`${familyRevision(arn)} (${marker})`);
  }
  if (marked.length > 0) {
    return { guardrail: 'RevisionNotRollbackSafe', pass: false, reason: `RevisionNotRollbackSafe: ${marked.join(', ')} is marked not rollback-safe (a database migration the older code cannot read); rolling back to the original task set would cross it`, evidence: { marked } };
  }
  return { guardrail: 'RevisionNotRollbackSafe', pass: true, reason: arns.length > 0 ? `no rollback-safety marker on ${arns.map(familyRevision).join(', ')}` : 'no replacement task set to cross' };
}
