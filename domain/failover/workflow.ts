/**
 * Runbook 1, Database Failover, as a durable workflow over the domain ports.
 *
 * Gates first (each verdict recorded with its evidence), then the runbook's steps, each a
 * checkpointed `workflow.step` that re-reads live state before it mutates, so a step that
 * is retried after a crash finds its change already made. Waits are durable
 * (`workflow.wait`): no polling loop lives inside one invocation. Mutations go only
 * through `act` (the Actuator: kill switch, circuit breaker, cooldown, lock, record).
 *
 * Code outside `step` is replayed on every invocation; it only branches on step results.
 */
import type { AutopilotConfig } from '../config';
import type { ActionRecord, Controls, GuardrailName, Verdict } from '../guardrails';
import type { Act, Clock, IncidentLedger, Pager, Recorder, Workflow } from '../ports';
import type { DatabaseFailoverOperations } from './operations';
import { StopFailover, errorText, rollback } from './rollback';
import { approveFailover, checkGuardrails, checkReadReplicaHealth, checkSecondaryRegion, recheckBeforePromotion, reportDryRun, standbyDefers, verifyPrimaryStatus } from './steps/checks';
import { documentIncident, updateDns, verifyApplication, type CompletedFailover } from './steps/cutover';
import { pauseApplication, promoteReadReplica, startFailover, startSecondaryOnPromoted, verifySecondaryBeforeDns, waitForPromotion, waitForSecondaryStable } from './steps/promotion';
import { failoverRun } from './steps/run';

export { lagJudgedBefore } from './steps/checks';
export { DNS_POLL_SECONDS, DNS_SYNC_TIMEOUT_SECONDS, HEALTH_CHECKS, PLANNED_MUTATIONS, POLL_SECONDS, PROMOTION_END_POLL_SECONDS, PROMOTION_REBOOT_STATUS } from './steps/tunables';

export interface FailoverInput {
  incidentKey: string;
  primaryInstanceId: string;
  /** When the first trigger was seen (epoch ms). */
  detectedAt: number;
  /** The trigger, one line (event id or alarm name). */
  trigger: string;
  /** The DurableExecutionName the intake started it under (a reopened episode has its own); the lock owner. */
  executionName?: string;
}

export interface FailoverGuardState {
  controls: Controls;
  /** Action records on failoverScope(primary) within minSecondsBetweenFailovers. */
  failovers: ActionRecord[];
  /** Mutating actions of every runbook within the circuit breaker window. */
  globalActions: ActionRecord[];
}

export interface FailoverDeps {
  config: AutopilotConfig;
  ops: DatabaseFailoverOperations;
  /** Actuator.execute (adapters/runtime/wiring makeAct): records executed actions and refusals on the incident. */
  act: Act;
  recorder: Recorder;
  pager: Pager;
  clock: Clock;
  readGuardState(now: number): Promise<FailoverGuardState>;
  /**
   * The Actuator's verdicts for the mutations ahead (promotion, the primary service's pause), read
   * without acting: every guardrail the workflow will meet is judged before its first mutation.
   */
  previewMutations?(now: number): Promise<Verdict[]>;
  /** The incident record's fields the workflow owns (runbook step 9), set from inside steps. */
  incident: IncidentLedger;
  approvalCommands(callbackId: string): { approve: string; reject: string };
}

export type FailoverOutcome =
  | { result: 'failed-over'; taskDefinitionArn: string; endpoint: string; downtimeSeconds?: number }
  | { result: 'recovered' }
  | { result: 'refused'; gate: GuardrailName; reason: string }
  | { result: 'dry-run' }
  | { result: 'stopped'; stoppedAt: string; reason: string; rolledBack: string[] };

/**
 * Runbook 1 in its order. The gates (steps 1 and 2, then the guardrails) change nothing and
 * end the run on the first refusal; steps 3 to 8 stop into the rollback procedure; step 9
 * documents a completed failover, outside the rollback's reach. The steps are in steps/:
 * checks.ts (the read-only part), promotion.ts (3 to 6), cutover.ts (7 to 9).
 */
export async function runDatabaseFailover(wf: Workflow, deps: FailoverDeps, input: FailoverInput): Promise<FailoverOutcome> {
  const run = failoverRun(wf, deps, input);

  const primary = await verifyPrimaryStatus(run); // step 1
  if (primary.ended) return primary.ended;
  const { evidence } = primary;
  const deferred = await standbyDefers(run, evidence);
  if (deferred) return deferred;
  const replicaRefused = await checkReadReplicaHealth(run, evidence); // step 2
  if (replicaRefused) return replicaRefused;
  const guardrails = await checkGuardrails(run);
  if (guardrails.ended) return guardrails.ended;
  const secondaryRefused = await checkSecondaryRegion(run);
  if (secondaryRefused) return secondaryRefused;
  if (guardrails.dryRun) return reportDryRun(run);
  if (run.policy.requireApproval) {
    const notApproved = (await approveFailover(run)) ?? (await recheckBeforePromotion(run, evidence));
    if (notApproved) return notApproved;
  }

  await startFailover(run);
  let completed: CompletedFailover;
  try {
    await pauseApplication(run, evidence); // step 3
    const promoting = await promoteReadReplica(run); // step 4
    const promoted = await waitForPromotion(run, promoting); // steps 5 and 6 may start during it
    const taskDefinition = await startSecondaryOnPromoted(run, promoted); // steps 5 and 6
    await waitForSecondaryStable(run, taskDefinition);
    await verifySecondaryBeforeDns(run);
    await updateDns(run); // step 7
    await verifyApplication(run); // step 8
    completed = { taskDefinitionArn: taskDefinition.taskDefinitionArn, endpoint: promoted.endpoint.address };
  } catch (err) {
    const stop = err instanceof StopFailover ? err : new StopFailover('unknown step', errorText(err));
    return rollback(wf, deps, input, { stop, progress: run.progress, done: run.done, diagnosis: run.diagnosis });
  }
  return documentIncident(run, completed); // step 9
}
