/**
 * Runbook 2 "Rollback Deployment" as a durable workflow, written against the domain ports.
 *
 *   1. Identify previous task definition  (known-good, not "current minus one")
 *   2. Roll back to it                    (UpdateService --force-new-deployment, via act)
 *      Monitor rollback progress           (durable waits until the rollout completes)
 *   3. Verify rollback                    (running tasks on the revision; the 5XX alarm OK)
 *   Blue/green: stop the CodeDeploy deployment with auto-rollback and watch it; the ALB
 *   listener switch only if that fails and only after a human approves.
 *
 * Everything with a side effect runs inside `workflow.step` (replayed code must not call
 * AWS, record or page twice). Every mutation goes through `act` (the Actuator).
 */
import { liveStateAgreesVerdict, usesBlueGreen, type RollbackInput } from './decide';
import { manualCommands, rollbackPage } from './pages';
import { runBlueGreen } from './blue-green';
import { runEcsRollback } from './ecs-rollback';
import { describeService, pageAndConclude, triggerLine, type RollbackDeps, type RollbackResult } from './steps';
import { quoteUntrusted } from '../untrusted-text';

export { POLL_SECONDS, TASKS_SETTLE_SECONDS, serviceScope, type RollbackDeps, type RollbackOutcome, type RollbackResult } from './steps';

export async function runRollbackDeployment(deps: RollbackDeps, input: RollbackInput): Promise<RollbackResult> {
  const { workflow, ops, recorder } = deps;

  // Step 1: Identify previous task definition (and what the service is doing now).
  const seen = await workflow.step('identify-previous-task-definition', async () => {
    const service = await ops.describeService();
    const blueGreen = usesBlueGreen(input.trigger, service);
    const history = blueGreen ? undefined : await ops.readHistory(service, ecsTriggerDeployment(input));
    const now = deps.clock.now();
    recorder.record({ kind: 'signal', summary: describeService(service), detail: { deployments: service.deployments } });
    for (const e of service.recentEvents.slice(0, 3)) recorder.record({ kind: 'signal', summary: `service event ${new Date(e.at).toISOString()}: ${quoteUntrusted(e.message)}` });
    return { service, history, now, blueGreen };
  });

  if (seen.blueGreen || !seen.history) return runBlueGreen(deps, input, seen.service);

  // Never act on a claim: the event says the deployment failed (or someone asks for a rollback);
  // live state must agree before anything mutates.
  const history = seen.history;
  const agrees = await workflow.step('check-live-state-agrees', async () => {
    const alarms = await deps.ops.readAlarms(deps.config.alarms.fiveXx);
    const v = liveStateAgreesVerdict({ trigger: input.trigger, service: seen.service, history, alarms });
    recorder.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
    return v;
  });
  if (!agrees.pass) {
    await pageAndConclude(
      deps,
      'page-claim-not-confirmed',
      (at) =>
        rollbackPage({
          config: deps.config,
          incidentKey: input.incidentKey,
          severity: 'P2',
          at,
          title: `${deps.config.service.serviceName}: rollback asked for, but live state does not show a bad deployment - decide`,
          diagnosis: [triggerLine(input), describeService(seen.service), agrees.reason],
          refused: [{ action: 'rollback', guardrail: agrees.guardrail, reason: agrees.reason }],
          nextStep: `Check the deployment and the 5XX alarm (${manualCommands(deps.config).listRevisions}); roll back by hand only if it is bad: ${manualCommands(deps.config).rollBack()}`,
        }),
      { status: 'escalated' },
    );
    return { outcome: 'refused', detail: agrees.reason };
  }
  return runEcsRollback(deps, input, seen.service, history, seen.now);
}

function ecsTriggerDeployment(input: RollbackInput): string | undefined {
  return input.trigger.kind === 'codedeploy-failure' ? undefined : input.trigger.deploymentId;
}

