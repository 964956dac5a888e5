/**
 * Runbook 5, "Restore from Backup": the durable workflow, run in the workflow shell
 * (pipeline/workflow-shell.ts), deployed by handlers/restore-from-backup-workflow.ts.
 * Workflow: domain/restore/workflow.ts and s3-workflow.ts.
 */
import type { DurableContext } from '@aws/durable-execution-sdk-js';
import { runRestore, type RestoreOutcome } from '../../domain/restore/workflow';
import { runS3Restore, type S3RestoreSummary } from '../../domain/restore/s3-workflow';
import { approvalCommands } from '../../adapters/durable';
import { AwsRestoreOperations } from '../../adapters/aws/restore';
import type { IncidentSession } from '../../adapters/runtime/incident-session';
import type { Act, Workflow } from '../../domain/ports';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { openWorkflowShell, type WorkflowShell } from '../../pipeline/workflow-shell';
import type { RestoreWorkflowInput } from './intake';

const RUNBOOK = 'restore-from-backup' as const;

export async function runRestoreWorkflow(input: RestoreWorkflowInput, ctx: DurableContext, rt: Runtime): Promise<RestoreOutcome | S3RestoreSummary> {
  // Lock owner: the incident (the intake names the execution after it).
  const shell = await openWorkflowShell(
    rt,
    ctx,
    {
      runbook: RUNBOOK,
      incidentKey: input.request.incidentKey,
      title: input.kind === 'db' ? `Restore ${input.request.dbInstanceId}` : `S3 restore of s3://${input.request.bucket}/${input.request.prefix}`,
      severity: 'P2',
      detectedAt: rt.clock.now(),
    },
    (session) => session.key,
  );
  const { session, workflow: wf, page } = shell;
  // Loop guard: the switch's deployment is ours, so its ECS events never start a rollback (same key as rollback-deployment reads).
  const ops = new AwsRestoreOperations(rt.aws, rt.config, (deploymentId) => rt.store.markOwnChange(deploymentId, session.key, rt.clock.now()));
  // Locks are held through the remediation (the switch's rollout) and given back at the end.
  const act = shell.holdingAct();
  const failure = {
    severity: 'P2' as const,
    resource: input.kind === 'db' ? input.request.dbInstanceId : `arn:aws:s3:::${input.request.bucket}`,
    nextStep: 'Continue runbook 5 by hand from where the timeline stops (aws rds describe-db-instances / describe-db-snapshots, aws ecs describe-services).',
  };
  return shell.pageIfStopped(failure, async () => {
    try {
      return await runRestoreSteps(input, wf, ops, act, page, session, rt);
    } finally {
      await shell.releaseLocks();
    }
  });
}

async function runRestoreSteps(
  input: RestoreWorkflowInput,
  wf: Workflow,
  ops: AwsRestoreOperations,
  act: Act,
  page: WorkflowShell['page'],
  session: IncidentSession,
  rt: Runtime,
): Promise<RestoreOutcome | S3RestoreSummary> {
  const incident = session.ledger();
  if (input.kind === 's3') {
    const limits = rt.config.guardrails.restore;
    const summary = await runS3Restore(input.request, {
      wf,
      ops,
      act,
      rec: session,
      page,
      maxObjects: limits.s3MaxObjectsPerRun,
      now: async () => rt.clock.now(),
      windowDays: limits.s3RestoreWindowDays,
      approvalTimeoutSeconds: limits.approvalTimeoutSeconds,
      approvalCommands: (callbackId) => approvalCommands(callbackId, rt.config.primaryRegion, input.request.incidentKey),
      // Per bucket per UTC day, across every execution.
      reserveObjects: async (b, want) => {
        const day = new Date(rt.clock.now()).toISOString().slice(0, 10);
        const max = limits.s3MaxObjectsPerBucketPerDay;
        const taken = await rt.store.takeQuota(`s3-restore-objects#${b}#${day}`, want, max, rt.clock.now(), 2 * 86400);
        return { granted: taken.granted, usedToday: taken.usedBefore, max };
      },
    });
    await wf.step('close-incident', async () => {
      const finished = !summary.resumeFrom && !summary.refused;
      incident.set({ status: input.request.dryRun ? (summary.refused ? 'escalated' : 'resolved') : finished ? 'mitigated' : 'escalated' });
      if (!input.request.dryRun && finished) incident.set({ mitigatedAt: rt.clock.now() });
    });
    return summary;
  }

  await wf.step('start-incident', async () => {
    incident.setIfUnset({ startedAt: rt.clock.now() });
  });
  const outcome = await runRestore(input.request, {
    wf,
    ops,
    act,
    rec: session,
    page,
    now: async () => rt.clock.now(),
    approvalCommands: (callbackId) => approvalCommands(callbackId, rt.config.primaryRegion, input.request.incidentKey),
    config: rt.config,
  });
  await wf.step('close-incident', async () => {
    if (outcome.outcome === 'switched') {
      incident.set({ status: 'mitigated', mitigatedAt: rt.clock.now(), rootCauseGuess: input.request.reason });
    } else {
      incident.set({ status: 'escalated' });
    }
  });
  return outcome;
}
