/**
 * Runbook 2 "Rollback Blue/Green Deployment (CodeDeploy)": stop the in-progress deployment
 * with auto-rollback and watch the rollback; "Emergency Rollback (ALB Listener)" only when
 * that fails, and only after a human approves (EXPIRED is a no).
 */
import type { Page } from '../paging';
import { CODEDEPLOY_FINAL_STATUSES, decideBlueGreen, LISTENER_SWITCH_ACTION, ROLLBACK_ACTION, type RollbackInput } from './decide';
import type { CodeDeployDeploymentState, ServiceState } from './operations';
import { manualCommands, rollbackPage } from './pages';
import { describeService, finishWithAlarmCheck, pageAndConclude, pollUntil, serviceScope, triggerLine, windowVerdict, type RollbackDeps, type RollbackResult } from './steps';

// ---- Blue/green (CodeDeploy) and the emergency listener switch -------------------------------

export async function runBlueGreen(deps: RollbackDeps, input: RollbackInput, service: ServiceState): Promise<RollbackResult> {
  const { config, workflow, ops, recorder } = deps;
  const cmd = manualCommands(config);
  const key = input.incidentKey;
  const triggeredId = input.trigger.kind === 'codedeploy-failure' ? input.trigger.deploymentId : undefined;

  // Stop Deployment, step 1: find the deployment.
  const found = await workflow.step('find-codedeploy-deployment', async () => {
    const active = await ops.activeCodeDeployDeployments();
    const triggered = triggeredId ? await ops.getCodeDeployDeployment(triggeredId) : undefined;
    for (const d of active) recorder.record({ kind: 'signal', summary: `CodeDeploy ${d.id}: ${d.status} (creator ${d.creator ?? '-'})` });
    if (triggered) recorder.record({ kind: 'signal', summary: `CodeDeploy ${triggered.id} (trigger): ${triggered.status}${triggered.rollbackDeploymentId ? `, rolled back by ${triggered.rollbackDeploymentId}` : ''}${triggered.errorMessage ? ` - ${triggered.errorMessage}` : ''}` });
    return { active, triggered };
  });
  const plan = decideBlueGreen(found.active, found.triggered);
  const diagnosis = [triggerLine(input), describeService(service), ...found.active.map((d) => `CodeDeploy ${d.id}: ${d.status} (creator ${d.creator ?? '-'})`), plan.reason];
  await workflow.step('decide-blue-green', async () => {
    recorder.record({ kind: 'decision', summary: plan.kind === 'stop' ? `stop ${plan.deploymentId} with auto-rollback: ${plan.reason}` : plan.kind === 'watch-rollback' ? `watch ${plan.rollbackDeploymentId}: ${plan.reason}` : `CodeDeploy rollback did not happen: ${plan.reason}` });
    return true;
  });

  const done: string[] = [];
  let watch: { stoppedId?: string; rollbackId?: string } | undefined;
  if (plan.kind === 'watch-rollback') {
    watch = { rollbackId: plan.rollbackDeploymentId };
    done.push(`CodeDeploy already rolling back (${plan.rollbackDeploymentId}); nothing stopped`);
  } else if (plan.kind === 'stop') {
    const stopped = await workflow.step('stop-deployment', async () => {
      const window = await windowVerdict(deps, key);
      const outcome = await deps.act(
        {
          action: ROLLBACK_ACTION,
          scope: serviceScope(config),
          summary: `stop CodeDeploy deployment ${plan.deploymentId} with auto-rollback`,
          extraVerdicts: [window],
        },
        () => ops.stopCodeDeployWithRollback(plan.deploymentId),
      );
      if (outcome.status === 'executed') {
        deps.incident.mitigationStarted(deps.clock.now());
        await deps.markOwnChange(plan.deploymentId);
        if (outcome.result.rollbackDeploymentId) await deps.markOwnChange(outcome.result.rollbackDeploymentId);
      }
      return outcome;
    });
    if (stopped.status !== 'executed') {
      const dry = stopped.status === 'dry-run';
      await pageAndConclude(
        deps,
        'page-stop-refused',
        (at) =>
          rollbackPage({
            config,
            incidentKey: key,
            severity: 'P1',
            at,
            title: dry
              ? `${config.service.serviceName}: DRY-RUN - would stop CodeDeploy ${plan.deploymentId} with auto-rollback`
              : `${config.service.serviceName}: automatic CodeDeploy rollback refused (${stopped.status === 'refused' ? stopped.guardrail : ''}) - roll back by hand`,
            diagnosis,
            refused: stopped.status === 'refused' ? [{ action: 'rollback', guardrail: stopped.guardrail, reason: stopped.reason }] : [],
            nextStep: `${cmd.stopCodeDeploy(plan.deploymentId)} ; monitor: ${cmd.watchCodeDeploy(plan.deploymentId)}`,
          }),
        { status: 'escalated' },
      );
      return { outcome: dry ? 'dry-run' : 'refused', detail: stopped.status === 'refused' ? stopped.reason : 'dry-run' };
    }
    watch = { stoppedId: plan.deploymentId, rollbackId: stopped.result.rollbackDeploymentId };
    done.push(`StopDeployment ${plan.deploymentId} with auto-rollback`);
  }

  // Stop Deployment, step 2: monitor the rollback.
  let rollbackOk = false;
  let seenLine = plan.reason;
  if (watch) {
    const w = watch;
    const progress = await pollUntil(
      deps,
      'monitor-codedeploy-rollback',
      config.guardrails.rollback.rolloutTimeoutSeconds,
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
    rollbackOk = progress.value.status === 'Succeeded';
    seenLine = progress.value.rollbackId
      ? `CodeDeploy rollback ${progress.value.rollbackId} ${progress.timedOut ? `still ${progress.value.status} after ${progress.elapsedSeconds}s` : `ended ${progress.value.status}`}${progress.value.error ? ` - ${progress.value.error}` : ''}`
      : `no CodeDeploy rollback deployment appeared for ${w.stoppedId} (${progress.value.stoppedStatus})`;
    done.push(seenLine);
  }
  if (rollbackOk) {
    return finishWithAlarmCheck(deps, input, diagnosis, done, `${config.service.serviceName}: CodeDeploy rolled back`, 'bad blue/green deployment', 'rolled-back', false);
  }

  // Emergency Rollback (ALB listener): only after a human approves.
  return emergencyListenerSwitch(deps, input, [...diagnosis, seenLine], done);
}

export async function emergencyListenerSwitch(deps: RollbackDeps, input: RollbackInput, diagnosis: string[], done: string[]): Promise<RollbackResult> {
  const { config, workflow, ops, recorder } = deps;
  const cmd = manualCommands(config);
  const key = input.incidentKey;
  const blue = config.service.blueTargetGroupArn;
  const timeout = config.guardrails.rollback.approvalTimeoutSeconds;
  const before = await workflow.step('read-listener', async () => {
    const targets = await ops.listenerTargets();
    recorder.record({ kind: 'signal', summary: `listener forwards to ${targets.join(', ') || 'nothing'}` });
    return targets;
  });

  const approval = await workflow.waitForApproval('approve-listener-switch', timeout, async (callbackId) => {
    const now = deps.clock.now();
    const cmds = deps.approvalCommands(callbackId);
    const page: Page = {
      ...rollbackPage({
        config,
        incidentKey: key,
        severity: 'P1',
        at: now,
        title: `${config.service.serviceName}: CodeDeploy rollback failed - approve the emergency ALB switch to the blue target group?`,
        diagnosis: [...diagnosis, `listener forwards to ${before.join(', ') || 'nothing'}`],
        done,
        nextStep: `Approve: ${cmds.approve} | Reject: ${cmds.reject} | Or switch by hand: ${cmd.switchListener}`,
      }),
      approval: { callbackId, approveCommand: cmds.approve, rejectCommand: cmds.reject, expiresAt: now + timeout * 1000 },
    };
    await deps.pager.send(page);
    recorder.record({ kind: 'approval', summary: `approval requested for the ALB listener switch to ${blue} (expires in ${timeout}s)` });
    recorder.record({ kind: 'page', severity: 'P1', summary: `paged P1: ${page.title}` });
  });
  await workflow.step('approval-outcome', async () => {
    if (approval.outcome !== 'APPROVED') deps.incident.refused(`${LISTENER_SWITCH_ACTION}: approval ${approval.outcome}`);
    recorder.record({ kind: 'approval', summary: `listener switch ${approval.outcome}${'by' in approval && approval.by ? ` by ${approval.by}` : ''}` });
    return approval.outcome;
  });

  if (approval.outcome !== 'APPROVED') {
    const expired = approval.outcome === 'EXPIRED';
    await pageAndConclude(
      deps,
      'page-listener-switch-denied',
      (at) =>
        rollbackPage({
          config,
          incidentKey: key,
          severity: 'P1',
          at,
          title: expired
            ? `${config.service.serviceName}: approval for the ALB switch EXPIRED after ${timeout}s - nothing switched, still broken`
            : `${config.service.serviceName}: ALB switch REJECTED - nothing switched, the rollback is manual`,
          diagnosis,
          done,
          refused: [{ action: LISTENER_SWITCH_ACTION, guardrail: 'HumanApproval', reason: expired ? 'approval expired (treated as denied)' : 'rejected by a human' }],
          nextStep: `${cmd.findCodeDeploy} ; ${cmd.switchListener}`,
        }),
      { status: 'escalated', rootCauseGuess: 'bad blue/green deployment; CodeDeploy rollback failed' },
    );
    return { outcome: 'approval-denied', detail: approval.outcome };
  }

  const switched = await workflow.step('switch-listener', async () => {
    const outcome = await deps.act(
      { action: LISTENER_SWITCH_ACTION, scope: serviceScope(config), summary: `ModifyListener ${config.service.listenerArn}: forward to blue ${blue} (approved)` },
      () => ops.switchListenerTo(blue),
    );
    if (outcome.status === 'executed') deps.incident.mitigationStarted(deps.clock.now());
    return outcome;
  });
  if (switched.status !== 'executed' || !(switched.result.length === 1 && switched.result[0] === blue)) {
    const why = switched.status === 'refused' ? `${switched.guardrail}: ${switched.reason}` : switched.status === 'dry-run' ? 'dry-run' : `listener now forwards to ${switched.result.join(', ')}`;
    await pageAndConclude(
      deps,
      'page-listener-switch-failed',
      (at) =>
        rollbackPage({
          config,
          incidentKey: key,
          severity: 'P1',
          at,
          title: `${config.service.serviceName}: approved ALB switch not done (${why})`,
          diagnosis,
          done,
          refused: switched.status === 'refused' ? [{ action: LISTENER_SWITCH_ACTION, guardrail: switched.guardrail, reason: switched.reason }] : [],
          nextStep: cmd.switchListener,
        }),
      { status: 'escalated' },
    );
    return { outcome: switched.status === 'dry-run' ? 'dry-run' : 'refused', detail: why };
  }
  done.push(`ModifyListener: listener forwards to the blue target group ${blue} (approved)`);
  return finishWithAlarmCheck(deps, input, diagnosis, done, `${config.service.serviceName}: traffic switched to the blue target group`, 'bad blue/green deployment; CodeDeploy rollback failed', 'switched-listener', true);
}
