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
import { usesBlueGreen, type RollbackInput } from './decide';
import { runBlueGreen } from './blue-green';
import { runEcsRollback } from './ecs-rollback';
import { describeService, type RollbackDeps, type RollbackResult } from './steps';
import { quoteUntrusted } from '../untrusted-text';

export { POLL_SECONDS, TASKS_SETTLE_SECONDS, serviceScope, type RollbackDeps, type RollbackIncident, type RollbackOutcome, type RollbackResult } from './steps';

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
  return runEcsRollback(deps, input, seen.service, seen.history, seen.now);
}

function ecsTriggerDeployment(input: RollbackInput): string | undefined {
  return input.trigger.kind === 'codedeploy-failure' ? undefined : input.trigger.deploymentId;
}

