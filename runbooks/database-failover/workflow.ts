/**
 * Runbook 1, "Database Failover": the durable workflow, run in the workflow shell
 * (pipeline/workflow-shell.ts), deployed by handlers/database-failover-workflow.ts.
 * Workflow: domain/failover/workflow (confirmation gates, then the runbook's steps).
 */
import type { DurableContext } from '@aws/durable-execution-sdk-js';
import { failoverScope, PROMOTE_ACTION } from '../../domain/failover/gates';
import { runDatabaseFailover, type FailoverDeps, type FailoverInput, type FailoverOutcome } from '../../domain/failover/workflow';
import { awsFailoverOperations, type FailoverOperationsOptions } from '../../adapters/aws/failover';
import { approvalCommands } from '../../adapters/durable';
import { manualCommands } from '../../domain/failover/pages';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { openWorkflowShell } from '../../pipeline/workflow-shell';
import { failoverExecutionName, primaryTitle } from './shared';

const RUNBOOK = 'database-failover' as const;

export interface FailoverWorkflowOptions {
  /** Health check transport; default 'simulated' when the clock is the drill's (it can be advanced), else 'http'. */
  health?: FailoverOperationsOptions['health'];
}

export async function databaseFailoverWorkflow(input: FailoverInput, ctx: DurableContext, rt: Runtime, options: FailoverWorkflowOptions = {}): Promise<FailoverOutcome> {
  const { config } = rt;
  // The DurableExecutionName the intake started this execution under (same function of the
  // same input): the lock owner, so two executions of one incident never share a lock.
  const owner = input.executionName ?? failoverExecutionName(input.incidentKey, input.detectedAt);
  const shell = await openWorkflowShell(rt, ctx, { runbook: RUNBOOK, incidentKey: input.incidentKey, title: primaryTitle(rt), severity: 'P1', detectedAt: input.detectedAt }, () => owner);
  const { session, workflow: wf } = shell;
  // The simulated region has no HTTP: health is then read from the control plane (service, task definition, database).
  const health = options.health ?? (rt.simulated ? 'simulated' : 'http');
  const deps: FailoverDeps = {
    config,
    ops: awsFailoverOperations(rt.aws, config, rt.clock, { health }),
    // Every lock an act takes (db:<primary>, the primary and secondary services, the task
    // family, the DNS record) is held through the whole remediation, released at its end.
    act: shell.holdingAct(),
    recorder: session,
    // Through the shell: while the latest readiness check says NOT READY, every page says why.
    pager: shell.pager,
    clock: rt.clock,
    async readGuardState(now) {
      const f = config.guardrails.failover;
      const [controls, failovers, globalActions, mode] = await Promise.all([
        rt.store.readControls(),
        rt.store.recentActions(failoverScope(config.database.primaryInstanceId), now - f.minSecondsBetweenFailovers * 1000),
        rt.store.recentActions('global', now - config.guardrails.circuitBreaker.windowSeconds * 1000),
        rt.modeOf?.(RUNBOOK),
      ]);
      // Shadow (domain/modes.ts) decides like dry-run: every gate evaluated and paged, nothing promoted.
      return { controls: mode?.mode === 'shadow' ? { ...controls, dryRun: true } : controls, failovers, globalActions };
    },
    async previewMutations() {
      const f = config.guardrails.failover;
      const svc = config.service;
      const [promote, pause] = await Promise.all([
        rt.actuator.preview({ proposed: { action: PROMOTE_ACTION, scope: failoverScope(config.database.primaryInstanceId), summary: 'promotion (preview)', incidentKey: input.incidentKey }, policy: { cooldownSeconds: f.minSecondsBetweenFailovers }, owner }),
        f.pausePrimaryService
          ? rt.actuator.preview({ proposed: { action: 'pause-primary-service', scope: `service:${svc.clusterName}/${svc.serviceName}`, summary: 'pause (preview)', incidentKey: input.incidentKey }, policy: {}, owner })
          : Promise.resolve([]),
      ]);
      return [...promote, ...pause];
    },
    incident: session.ledger(),
    approvalCommands: (callbackId) => approvalCommands(callbackId, config.primaryRegion),
  };
  const cmds = manualCommands(config);
  const failure = {
    severity: 'P1' as const,
    resource: config.database.primaryInstanceId,
    nextStep: `Continue runbook 1 by hand from where the timeline stops: ${cmds.verifyPrimary} ; ${cmds.checkReplica}`,
  };
  const outcome = await shell.pageIfStopped(failure, async () => {
    try {
      return await runDatabaseFailover(wf, deps, input);
    } finally {
      // Every exit (failed over, refused, recovered, stopped and rolled back, failed) gives the locks back.
      await shell.releaseLocks();
    }
  });
  await session.flush();
  return outcome;
}
