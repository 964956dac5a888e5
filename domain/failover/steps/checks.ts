/**
 * Runbook 1's read-only part: steps 1 and 2 and the gates around them. Each judges live
 * readings, records its verdict with the evidence, and either lets the run go on
 * (undefined) or ends it with nothing changed (the outcome).
 */
import type { Verdict } from '../../guardrails';
import {
  GATES,
  approvalVerdict,
  assessPrimary,
  confirmationState,
  controlsVerdicts,
  failoverIntervalVerdict,
  firstRefusal,
  maxConfirmationChecks,
  primaryCheckVerdict,
  replicaVerdicts,
  secondaryReadyVerdict,
  type ConfirmationState,
} from '../gates';
import { approvalPage, standbyDefersPage, stoppedPage } from '../pages';
import type { PrimaryCheck } from '../signals';
import type { FailoverOutcome } from '../workflow';
import { quoteUntrusted } from '../../untrusted-text';
import { record, recordVerdict, recovered, refuse, sendPage, type FailoverRun } from './run';
import { PLANNED_MUTATIONS } from './tunables';

/** What confirming the outage established, for the gates and steps after it. */
export interface PrimaryEvidence {
  /** Confirmed on data-plane evidence (issue 15): the primary's region answers no API. */
  regionDown: boolean;
  /** Epoch ms: the replica's lag is judged as of this moment (lagJudgedBefore). */
  primaryDownSince: number;
}

/**
 * Runbook 1 step 1, "Verify Primary Database Status" (gate 1): the primary is confirmed down
 * over the window, judged on the latest consecutive checks (gates.ts confirmationState) within
 * a bounded number of them.
 */
export async function verifyPrimaryStatus(run: FailoverRun): Promise<{ ended: FailoverOutcome } | { ended?: undefined; evidence: PrimaryEvidence }> {
  const { wf, deps, policy } = run;
  const checks: PrimaryCheck[] = [];
  let confirmation: ConfirmationState = { state: 'continue' };
  const maxChecks = maxConfirmationChecks(policy.confirmChecks);
  for (let i = 1; i <= maxChecks && confirmation.state === 'continue'; i++) {
    if (i > 1) await wf.wait(`confirm-primary-wait-${i}`, policy.confirmIntervalSeconds);
    const prior = [...checks];
    const step = await wf.step(`verify-primary-status-${i}`, async () => {
      const check = await deps.ops.checkPrimary(deps.clock.now());
      const v = primaryCheckVerdict(check, i, maxChecks);
      record(run, { kind: 'signal', summary: v.reason, detail: v.evidence });
      const state = confirmationState([...prior, check], policy.confirmChecks);
      if (state.state !== 'continue') recordVerdict(run, state.verdict);
      return { check, state };
    });
    checks.push(step.check);
    confirmation = step.state;
  }
  const lastCheck = checks[checks.length - 1];
  if (lastCheck) run.diagnosis.push(...assessPrimary(lastCheck).signals);
  if (confirmation.state === 'recovered') return { ended: await recovered(run, 'primary-recovered', confirmation.verdict) };
  if (confirmation.state !== 'confirmed') {
    const verdict = confirmation.state === 'not-confirmed' ? confirmation.verdict : primaryNotDown('PrimaryNotConfirmed: no check completed');
    return { ended: await refuse(run, 'refuse-primary-not-confirmed', verdict) };
  }
  return { evidence: primaryEvidence(run, checks) };
}

/**
 * The replica stopped replaying at about replayStoppedAt, which may be well before the
 * trigger: the lag gate then judges the lag from before that moment.
 */
function primaryEvidence(run: FailoverRun, checks: readonly PrimaryCheck[]): PrimaryEvidence {
  const { input, diagnosis } = run;
  const regionDown = checks.some((c) => assessPrimary(c).via === 'data-plane');
  const primaryDownSince = lagJudgedBefore(checks, input.detectedAt, regionDown);
  if (primaryDownSince < input.detectedAt) {
    diagnosis.push(`replica lag judged as of ${new Date(primaryDownSince).toISOString()} (replay stopped, primary no longer serving), before the trigger at ${new Date(input.detectedAt).toISOString()}`);
  }
  if (regionDown) {
    diagnosis.push(
      `the primary region's APIs do not answer: confirmed from data-plane evidence (Route 53 health check through DNS, replica replay stopped at ${new Date(primaryDownSince).toISOString()}); commits the primary made after that and never shipped cannot be counted`,
    );
  }
  return { regionDown, primaryDownSince };
}

/**
 * The moment before which a ReplicaLag reading was taken "while the primary was up" (the lag
 * gate). The trigger (detection) bounds it; an alarm fires minutes after the failure, and the
 * readings in between already hold post-failure growth. Earlier, when the evidence says so:
 * the replica stopped replaying by `replayStoppedAt` (data plane) and the primary served
 * (DatabaseConnections > 0) until `servingUntil`. Replay stopping while the primary still served
 * (a broken link) is data loss, so the later of the two counts. Without the primary's own
 * readings only a data-plane confirmation (its region answers nothing) uses the replay time alone;
 * the primary's readings showing no session from before replay stopped until now count as such.
 */
export function lagJudgedBefore(checks: readonly PrimaryCheck[], detectedAt: number, regionDown: boolean): number {
  const stopped = checks.map((c) => c.dataPlane?.replayStoppedAt).filter((t): t is number => t !== undefined);
  if (stopped.length === 0) return detectedAt;
  const replayStoppedAt = Math.min(...stopped);
  const serving = checks.map((c) => c.servingUntil).filter((t): t is number => t !== undefined);
  if (serving.length > 0) return Math.min(detectedAt, Math.max(replayStoppedAt, ...serving));
  // The primary's own readings reach back to before replay stopped and show no serving minute
  // since: no session, nothing committed, so replay stopped where the primary stopped. This is
  // the case of an episode reopened minutes after a refusal (issue 13): the same failure is
  // judged again, and its lag is the one from before that failure, not growth since.
  const readSince = checks.map((c) => c.connectionsFrom).filter((t): t is number => t !== undefined);
  if (readSince.length > 0 && Math.min(...readSince) <= replayStoppedAt) return Math.min(detectedAt, replayStoppedAt);
  return regionDown ? Math.min(detectedAt, replayStoppedAt) : detectedAt;
}

/**
 * A standby stage (deployed outside the primary region) acts only while the primary region
 * answers no API: otherwise the primary-region autopilot owns this failover, and two
 * autopilots with two state tables must not race for one replica. It records and pages P3.
 */
export async function standbyDefers(run: FailoverRun, evidence: PrimaryEvidence): Promise<FailoverOutcome | undefined> {
  const { deps, input, config, diagnosis } = run;
  if (config.deployment.region === config.primaryRegion || evidence.regionDown) return undefined;
  const reason = `StandbyDefers: the primary is down but ${config.primaryRegion} still answers its APIs, so the autopilot there runs this failover; the standby in ${config.deployment.region} acts only when that region is unreachable`;
  await run.wf.step('standby-defers', async () => {
    record(run, { kind: 'decision', summary: reason });
    deps.incident.set({ status: 'resolved', resolvedAt: deps.clock.now() });
    await sendPage(run, standbyDefersPage({ incidentKey: input.incidentKey, config, at: deps.clock.now(), diagnosis, done: ['nothing: the primary-region autopilot owns this failover'], reason }));
  });
  return { result: 'refused', gate: 'StandbyDefers', reason };
}

/** Runbook 1 step 2, "Check Read Replica Health" (gate 2): the replica can take over. */
export async function checkReadReplicaHealth(run: FailoverRun, evidence: PrimaryEvidence): Promise<FailoverOutcome | undefined> {
  const replicaGate = await run.wf.step('check-read-replica-health', async () => {
    const replica = await run.deps.ops.readReplica(evidence.primaryDownSince);
    const verdicts = replicaVerdicts(replica, run.config, evidence.primaryDownSince);
    verdicts.forEach((v) => recordVerdict(run, v));
    return { verdicts };
  });
  run.diagnosis.push(...replicaGate.verdicts.map((v) => `${v.guardrail}: ${v.reason}`));
  const replicaRefusal = firstRefusal(replicaGate.verdicts);
  return replicaRefusal ? refuse(run, 'refuse-replica', replicaRefusal) : undefined;
}

/** Gates 3 and 5: recent failover, kill switch, budget (read fresh from the state table). */
export async function checkGuardrails(run: FailoverRun): Promise<{ ended: FailoverOutcome } | { ended?: undefined; dryRun: boolean }> {
  const { deps, config, policy, db } = run;
  const guardGate = await run.wf.step('check-guardrails', async () => {
    const now = deps.clock.now();
    const state = await deps.readGuardState(now);
    const verdicts = [
      failoverIntervalVerdict(state.failovers, now, policy.minSecondsBetweenFailovers, db.primaryInstanceId),
      ...controlsVerdicts(state.controls, state.globalActions, now, config.guardrails.circuitBreaker, PLANNED_MUTATIONS),
      // Only the refusals: the passing generic verdicts are the ones just recorded above.
      ...(deps.previewMutations ? (await deps.previewMutations(now)).filter((v) => !v.pass) : []),
    ];
    verdicts.forEach((v) => recordVerdict(run, v));
    return { verdicts, dryRun: state.controls.dryRun || config.dryRun };
  });
  const guardRefusal = firstRefusal(guardGate.verdicts);
  if (guardRefusal) return { ended: await refuse(run, 'refuse-guardrail', guardRefusal) };
  return { dryRun: guardGate.dryRun };
}

/** Gate 4: the secondary region can run the service. */
export async function checkSecondaryRegion(run: FailoverRun): Promise<FailoverOutcome | undefined> {
  const secondaryGate = await run.wf.step('check-secondary-region', async () => {
    const secondary = await run.deps.ops.readSecondary();
    const verdict = secondaryReadyVerdict(secondary, run.config);
    recordVerdict(run, verdict);
    return { secondary, verdict };
  });
  run.diagnosis.push(`${secondaryGate.verdict.guardrail}: ${secondaryGate.verdict.reason}`);
  return secondaryGate.verdict.pass ? undefined : refuse(run, 'refuse-secondary', secondaryGate.verdict);
}

/** Dry-run: every gate passed and nothing is done; P1 carries runbook 1 steps 3-8 by hand. */
export async function reportDryRun(run: FailoverRun): Promise<FailoverOutcome> {
  const { deps, input, config, db, cmds, diagnosis } = run;
  await run.wf.step('dry-run-report', async () => {
    record(run, { kind: 'action', summary: `DRY-RUN: every gate passed; would promote ${db.replicaInstanceId}, start ${config.secondaryService.serviceName} and switch ${config.dns.recordName}` });
    deps.incident.set({ status: 'escalated' });
    await sendPage(
      run,
      stoppedPage({
        incidentKey: input.incidentKey,
        config,
        at: deps.clock.now(),
        diagnosis,
        done: ['nothing (dry-run): every gate passed'],
        stoppedAt: 'dry-run',
        reason: 'dry-run is on: the failover was NOT performed',
        remainingManual: [`Fail over by hand (runbook 1 steps 3-8):`, cmds.pausePrimary, cmds.promote, cmds.startSecondary, cmds.switchDnsToSecondary, cmds.verify],
      }),
    );
  });
  return { result: 'dry-run' };
}

/** Gate 6: human approval (optional), paged with the approve/reject commands. */
export async function approveFailover(run: FailoverRun): Promise<FailoverOutcome | undefined> {
  const { deps, input, config, policy, diagnosis } = run;
  const outcome = await run.wf.waitForApproval('approve-failover', policy.approvalTimeoutSeconds, async (callbackId) => {
    const commands = deps.approvalCommands(callbackId);
    const expiresAt = deps.clock.now() + policy.approvalTimeoutSeconds * 1000;
    record(run, { kind: 'approval', summary: `approval requested (expires ${new Date(expiresAt).toISOString()})`, detail: { callbackId } });
    await sendPage(
      run,
      approvalPage({
        incidentKey: input.incidentKey,
        config,
        at: deps.clock.now(),
        diagnosis,
        done: ['every automatic gate passed; nothing changed yet'],
        approval: { callbackId, approveCommand: commands.approve, rejectCommand: commands.reject, expiresAt },
      }),
    );
  });
  const verdict = await run.wf.step('record-approval', async () => {
    const v = approvalVerdict(outcome, policy.approvalTimeoutSeconds);
    record(run, { kind: 'approval', summary: `approval ${outcome.outcome}${'by' in outcome && outcome.by ? ` by ${quoteUntrusted(outcome.by, 120)}` : ''}` });
    recordVerdict(run, v);
    return v;
  });
  return verdict.pass ? undefined : refuse(run, 'refuse-approval', verdict);
}

/** Time has passed since the approval was asked for: the readings behind the gates are stale. Re-check before acting. */
export async function recheckBeforePromotion(run: FailoverRun, evidence: PrimaryEvidence): Promise<FailoverOutcome | undefined> {
  const { deps, config } = run;
  const recheck = await run.wf.step('recheck-before-promotion', async () => {
    const check = await deps.ops.checkPrimary(deps.clock.now());
    const assessment = assessPrimary(check);
    record(run, { kind: 'signal', summary: `recheck: primary ${assessment.condition} - ${assessment.signals.join('; ')}` });
    const again = await deps.ops.readReplica(evidence.primaryDownSince);
    const verdicts = replicaVerdicts(again, config, evidence.primaryDownSince);
    verdicts.forEach((v) => recordVerdict(run, v));
    return { condition: assessment.condition, signals: assessment.signals, verdicts };
  });
  if (recheck.condition === 'healthy') {
    return recovered(run, 'primary-recovered-after-approval', primaryNotDown(`PrimaryRecovered: healthy on the re-check after approval (${recheck.signals.join('; ')})`));
  }
  if (recheck.condition !== 'down') {
    return refuse(run, 'refuse-recheck-primary', primaryNotDown(`PrimaryNotConfirmed: re-check after approval found the primary ${recheck.condition} (${recheck.signals.join('; ')})`));
  }
  const recheckRefusal = firstRefusal(recheck.verdicts);
  return recheckRefusal ? refuse(run, 'refuse-recheck-replica', recheckRefusal) : undefined;
}

function primaryNotDown(reason: string): Verdict {
  return { guardrail: GATES.primaryConfirmedDown, pass: false, reason };
}
