/**
 * Runbook 3, "Scale ECS Tasks": the durable workflow, run in the workflow shell
 * (pipeline/workflow-shell.ts), deployed by handlers/scale-ecs-workflow.ts.
 * Workflow: domain/scaling/workflow (scale out now, back in after stabilisation).
 */
import { StepError, type DurableContext } from '@aws/durable-execution-sdk-js';
import { episodeExecutionName } from '../../domain/scaling/intake';
import { checkCapacityCommand, scalingPage } from '../../domain/scaling/pages';
import { runScaleEcs, type ScaleEcsDeps, type ScaleEcsInput, type ScaleEcsResult } from '../../domain/scaling/workflow';
import { AwsScalingOperations } from '../../adapters/aws/scaling';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { openWorkflowShell } from '../../pipeline/workflow-shell';
import { MAX_MONITOR_ROUNDS } from './shared';

/** The configured service's target group, when the workflow scales that service. */
function targetGroupOf(rt: Runtime, input: ScaleEcsInput): string | undefined {
  const svc = rt.config.service;
  return input.ref.cluster === svc.clusterName && input.ref.service === svc.serviceName ? svc.targetGroupArn : undefined;
}

export async function scaleEcsWorkflow(input: ScaleEcsInput, ctx: DurableContext, rt: Runtime): Promise<ScaleEcsResult> {
  // Lock owner: this episode's execution (the intake names it from the record's detectedAt), so
  // another execution on the same incident key does not re-enter the lock.
  const shell = await openWorkflowShell(
    rt,
    ctx,
    { runbook: 'scale-ecs', incidentKey: input.incidentKey, title: `High load on ${input.ref.cluster}/${input.ref.service}`, severity: 'P3', detectedAt: input.detectedAt ?? rt.clock.now() },
    (session) => episodeExecutionName(input.ref, session.incident.detectedAt),
  );
  const { session, workflow } = shell;
  const deps: ScaleEcsDeps = {
    workflow,
    recorder: { record: (entry) => session.record({ runbook: 'scale-ecs', ...entry }) },
    incident: session.ledger(),
    ops: new AwsScalingOperations(rt.aws, input.ref, targetGroupOf(rt, input)),
    // The service lock is held from a change until the workflow has verified it (releaseLocks).
    act: shell.holdingAct(),
    releaseLocks: () => shell.giveBackLocks(),
    pager: shell.pager,
    clock: rt.clock,
    policy: rt.config.guardrails.scaling,
    holderWaitSeconds: rt.config.guardrails.lockTtlSeconds,
    maxMonitorRounds: MAX_MONITOR_ROUNDS,
  };
  try {
    const result = await runScaleEcs(deps, input);
    await session.flush();
    return result;
  } catch (err) {
    // Only a step that failed after its retries (an AWS error) is paged here; the SDK's own
    // unrecoverable errors propagate untouched.
    if (!(err instanceof StepError)) throw err;
    const message = err.message;
    // Read before the page's own step replaces it: the page names the step that stopped.
    const stoppedIn = shell.currentStep;
    await workflow.step('page-workflow-failed', async () => {
      await shell.pager.send(
        scalingPage({
          incidentKey: input.incidentKey,
          ref: input.ref,
          at: rt.clock.now(),
          severity: 'P2',
          title: `Scaling ${input.ref.service} failed: ${message.slice(0, 120)}`,
          seen: [`trigger: ${input.trigger.reason}`, `stopped in step "${stoppedIn}"`],
          done: session.incident.actionsTaken,
          nextStep: `Check capacity and finish by hand (runbook 3): ${checkCapacityCommand(input.ref)}`,
        }),
      );
      session.record({ kind: 'error', runbook: 'scale-ecs', summary: `scaling workflow failed in step "${stoppedIn}": ${message}` });
      deps.incident.set({ status: 'escalated' });
      // Stopped mid-change: the service is handed to a human, so it must not stay locked until the lease expires.
      await shell.giveBackLocks().catch((e: unknown) =>
        session.record({ kind: 'error', runbook: 'scale-ecs', summary: `could not give back the service lock (${e instanceof Error ? e.message : String(e)}); it expires after lockTtlSeconds` }),
      );
      return true;
    });
    await session.flush();
    return { outcome: 'failed', finalDesired: -1 };
  }
}
