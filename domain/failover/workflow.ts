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
import { TUNABLES, type AutopilotConfig } from '../config';
import type { ActionRecord, Controls, GuardrailName, Verdict } from '../guardrails';
import { downtimeSeconds, type IncidentRecord, type TimelineEntry } from '../incident';
import type { Page } from '../paging';
import type { Act, ActRequest, Clock, Pager, Recorder, Workflow } from '../ports';
import {
  FAILED_DB_STATUSES,
  GATES,
  PROMOTE_ACTION,
  PROMOTION_UNDER_WAY_STATUSES,
  approvalVerdict,
  assessPrimary,
  confirmationState,
  maxConfirmationChecks,
  controlsVerdicts,
  failoverIntervalVerdict,
  failoverScope,
  firstRefusal,
  primaryCheckVerdict,
  replicaVerdicts,
  secondaryReadyVerdict,
  type ConfirmationState,
} from './gates';
import type { DatabaseFailoverOperations } from './operations';
import { approvalPage, failoverCompletedPages, failoverStartingPage, gateRefusedPage, manualCommands, primaryNotConfirmedPage, recoveredPage, standbyDefersPage, stoppedPage } from './pages';
import { StopFailover, errorText, rollback } from './rollback';
import type { DnsChange, FailoverRecords, PrimaryCheck, ServiceReading, TaskDefinitionReading } from './signals';
import { quoteUntrusted } from '../untrusted-text';

/** Poll interval of the durable waits (promotion, service rollout, DNS, health). */
export const POLL_SECONDS = TUNABLES.failover.pollSeconds;
/** Poll interval for the end of a promotion once the secondary runs alongside it. */
export const PROMOTION_END_POLL_SECONDS = TUNABLES.failover.promotionEndPollSeconds;
/** The status RDS passes through once a promotion is committed ("RDS reboots the DB instance before making it available"). */
export const PROMOTION_REBOOT_STATUS = 'rebooting';
/** GetChange poll interval (Route53 changes are INSYNC within ~60 s). */
export const DNS_POLL_SECONDS = TUNABLES.failover.dnsPollSeconds;
/** Route53 changes are INSYNC within ~60 s; give up after this. */
export const DNS_SYNC_TIMEOUT_SECONDS = TUNABLES.failover.dnsSyncTimeoutSeconds;
/** Health checks after DNS: the record's TTL and client caches need a moment. */
export const HEALTH_CHECKS = TUNABLES.failover.healthChecks;
/** Mutations of a complete failover (pause, promote, register, update service, DNS): the budget must hold them all. */
export const PLANNED_MUTATIONS = 5;

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

/** The incident record's fields the workflow owns (runbook step 9). */
export interface IncidentLedger {
  update(patch: Partial<Pick<IncidentRecord, 'status' | 'startedAt' | 'mitigatedAt' | 'resolvedAt' | 'rootCauseGuess'>>): void;
  /** A gate's refusal (refusals of `act` are recorded by the Actuator wiring). */
  addRefusal(summary: string): void;
  current(): IncidentRecord;
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
  incident: IncidentLedger;
  approvalCommands(callbackId: string): { approve: string; reject: string };
}

export type FailoverOutcome =
  | { result: 'failed-over'; taskDefinitionArn: string; endpoint: string; downtimeSeconds?: number }
  | { result: 'recovered' }
  | { result: 'refused'; gate: GuardrailName; reason: string }
  | { result: 'dry-run' }
  | { result: 'stopped'; stoppedAt: string; reason: string; rolledBack: string[] };

type Entry = Omit<TimelineEntry, 'at'> & { at?: number };


export async function runDatabaseFailover(wf: Workflow, deps: FailoverDeps, input: FailoverInput): Promise<FailoverOutcome> {
  const { config, ops, recorder, clock } = deps;
  const f = config.guardrails.failover;
  const db = config.database;
  const cmds = manualCommands(config);
  const record = (e: Entry): void => recorder.record({ runbook: 'database-failover', ...e });
  const recordVerdict = (v: Verdict): void => record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
  const send = async (page: Page): Promise<void> => {
    await deps.pager.send(page);
    record({ kind: 'page', summary: `${page.severity} ${page.action}: ${page.title}`, severity: page.severity });
  };
  const diagnosis: string[] = [`trigger: ${input.trigger}`];

  /** Gate refusal: nothing was changed; P1 names the gate and its evidence. */
  const refuse = async (name: string, gate: Verdict): Promise<FailoverOutcome> => {
    await wf.step(name, async () => {
      record({ kind: 'decision', summary: `failover NOT started: gate ${gate.guardrail} refused - ${gate.reason}` });
      deps.incident.addRefusal(`${gate.guardrail}: ${gate.reason}`);
      deps.incident.update({ status: 'escalated' });
      const args = { incidentKey: input.incidentKey, config, at: clock.now(), diagnosis, done: ['nothing: no mutation was made'], gate };
      await send(gate.guardrail === GATES.primaryConfirmedDown ? primaryNotConfirmedPage(args) : gateRefusedPage(args));
    });
    return { result: 'refused', gate: gate.guardrail, reason: gate.reason };
  };

  const recovered = async (name: string, verdict: Verdict): Promise<FailoverOutcome> => {
    await wf.step(name, async () => {
      record({ kind: 'decision', summary: `no failover: ${verdict.reason}` });
      deps.incident.update({ status: 'resolved', resolvedAt: clock.now() });
      await send(recoveredPage({ incidentKey: input.incidentKey, config, at: clock.now(), diagnosis, done: ['nothing: the primary recovered during confirmation'] }));
    });
    return { result: 'recovered' };
  };

  // ---- Gate 1 (runbook step 1): the primary is confirmed down over the window ----------
  const checks: PrimaryCheck[] = [];
  let confirmation: ConfirmationState = { state: 'continue' };
  // Judged on the latest consecutive checks (gates.ts confirmationState), within a bounded window.
  const maxChecks = maxConfirmationChecks(f.confirmChecks);
  for (let i = 1; i <= maxChecks && confirmation.state === 'continue'; i++) {
    if (i > 1) await wf.wait(`confirm-primary-wait-${i}`, f.confirmIntervalSeconds);
    const prior = [...checks];
    const step = await wf.step(`verify-primary-status-${i}`, async () => {
      const check = await ops.checkPrimary(clock.now());
      const v = primaryCheckVerdict(check, i, maxChecks);
      record({ kind: 'signal', summary: v.reason, detail: v.evidence });
      const state = confirmationState([...prior, check], f.confirmChecks);
      if (state.state !== 'continue') recordVerdict(state.verdict);
      return { check, state };
    });
    checks.push(step.check);
    confirmation = step.state;
  }
  const lastCheck = checks[checks.length - 1];
  if (lastCheck) diagnosis.push(...assessPrimary(lastCheck).signals);
  if (confirmation.state === 'recovered') return recovered('primary-recovered', confirmation.verdict);
  if (confirmation.state !== 'confirmed') {
    const verdict = confirmation.state === 'not-confirmed' ? confirmation.verdict : { guardrail: GATES.primaryConfirmedDown, pass: false, reason: 'PrimaryNotConfirmed: no check completed' };
    return refuse('refuse-primary-not-confirmed', verdict);
  }

  // Confirmed on data-plane evidence (issue 15): the primary's region answers no API. The
  // replica stopped replaying at about replayStoppedAt, which may be well before the trigger:
  // the lag gate then judges the lag from before that moment.
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

  // A standby stage (deployed outside the primary region) acts only while the primary region
  // answers no API: otherwise the primary-region autopilot owns this failover, and two
  // autopilots with two state tables must not race for one replica. It records and pages P3.
  if (config.deployment.region !== config.primaryRegion && !regionDown) {
    const reason = `StandbyDefers: the primary is down but ${config.primaryRegion} still answers its APIs, so the autopilot there runs this failover; the standby in ${config.deployment.region} acts only when that region is unreachable`;
    await wf.step('standby-defers', async () => {
      record({ kind: 'decision', summary: reason });
      deps.incident.update({ status: 'resolved', resolvedAt: clock.now() });
      await send(standbyDefersPage({ incidentKey: input.incidentKey, config, at: clock.now(), diagnosis, done: ['nothing: the primary-region autopilot owns this failover'], reason }));
    });
    return { result: 'refused', gate: 'StandbyDefers', reason };
  }

  // ---- Gate 2 (runbook step 2): the replica can take over --------------------------------
  const replicaGate = await wf.step('check-read-replica-health', async () => {
    const replica = await ops.readReplica(primaryDownSince);
    const verdicts = replicaVerdicts(replica, config, primaryDownSince);
    verdicts.forEach(recordVerdict);
    return { verdicts };
  });
  diagnosis.push(...replicaGate.verdicts.map((v) => `${v.guardrail}: ${v.reason}`));
  const replicaRefusal = firstRefusal(replicaGate.verdicts);
  if (replicaRefusal) return refuse('refuse-replica', replicaRefusal);

  // ---- Gates 3 and 5: recent failover, kill switch, budget (read fresh from the state table)
  const guardGate = await wf.step('check-guardrails', async () => {
    const now = clock.now();
    const state = await deps.readGuardState(now);
    const verdicts = [
      failoverIntervalVerdict(state.failovers, now, f.minSecondsBetweenFailovers, db.primaryInstanceId),
      ...controlsVerdicts(state.controls, state.globalActions, now, config.guardrails.circuitBreaker, PLANNED_MUTATIONS),
      // Only the refusals: the passing generic verdicts are the ones just recorded above.
      ...(deps.previewMutations ? (await deps.previewMutations(now)).filter((v) => !v.pass) : []),
    ];
    verdicts.forEach(recordVerdict);
    return { verdicts, dryRun: state.controls.dryRun || config.dryRun };
  });
  const guardRefusal = firstRefusal(guardGate.verdicts);
  if (guardRefusal) return refuse('refuse-guardrail', guardRefusal);

  // ---- Gate 4: the secondary region can run the service ----------------------------------
  const secondaryGate = await wf.step('check-secondary-region', async () => {
    const secondary = await ops.readSecondary();
    const verdict = secondaryReadyVerdict(secondary, config);
    recordVerdict(verdict);
    return { secondary, verdict };
  });
  diagnosis.push(`${secondaryGate.verdict.guardrail}: ${secondaryGate.verdict.reason}`);
  if (!secondaryGate.verdict.pass) return refuse('refuse-secondary', secondaryGate.verdict);

  if (guardGate.dryRun) {
    await wf.step('dry-run-report', async () => {
      record({ kind: 'action', summary: `DRY-RUN: every gate passed; would promote ${db.replicaInstanceId}, start ${config.secondaryService.serviceName} and switch ${config.dns.recordName}` });
      deps.incident.update({ status: 'escalated' });
      await send(
        stoppedPage({
          incidentKey: input.incidentKey,
          config,
          at: clock.now(),
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

  // ---- Gate 6: human approval (optional) ------------------------------------------------
  if (f.requireApproval) {
    const outcome = await wf.waitForApproval('approve-failover', f.approvalTimeoutSeconds, async (callbackId) => {
      const commands = deps.approvalCommands(callbackId);
      const expiresAt = clock.now() + f.approvalTimeoutSeconds * 1000;
      record({ kind: 'approval', summary: `approval requested (expires ${new Date(expiresAt).toISOString()})`, detail: { callbackId } });
      await send(
        approvalPage({
          incidentKey: input.incidentKey,
          config,
          at: clock.now(),
          diagnosis,
          done: ['every automatic gate passed; nothing changed yet'],
          approval: { callbackId, approveCommand: commands.approve, rejectCommand: commands.reject, expiresAt },
        }),
      );
    });
    const verdict = await wf.step('record-approval', async () => {
      const v = approvalVerdict(outcome, f.approvalTimeoutSeconds);
      record({ kind: 'approval', summary: `approval ${outcome.outcome}${'by' in outcome && outcome.by ? ` by ${quoteUntrusted(outcome.by, 120)}` : ''}` });
      recordVerdict(v);
      return v;
    });
    if (!verdict.pass) return refuse('refuse-approval', verdict);

    // Time has passed: the readings behind the gates are stale. Re-check before acting.
    const recheck = await wf.step('recheck-before-promotion', async () => {
      const check = await ops.checkPrimary(clock.now());
      const assessment = assessPrimary(check);
      record({ kind: 'signal', summary: `recheck: primary ${assessment.condition} - ${assessment.signals.join('; ')}` });
      const again = await ops.readReplica(primaryDownSince);
      const verdicts = replicaVerdicts(again, config, primaryDownSince);
      verdicts.forEach(recordVerdict);
      return { condition: assessment.condition, signals: assessment.signals, verdicts };
    });
    if (recheck.condition === 'healthy') {
      return recovered('primary-recovered-after-approval', { guardrail: GATES.primaryConfirmedDown, pass: false, reason: `PrimaryRecovered: healthy on the re-check after approval (${recheck.signals.join('; ')})` });
    }
    if (recheck.condition !== 'down') {
      return refuse('refuse-recheck-primary', { guardrail: GATES.primaryConfirmedDown, pass: false, reason: `PrimaryNotConfirmed: re-check after approval found the primary ${recheck.condition} (${recheck.signals.join('; ')})` });
    }
    const recheckRefusal = firstRefusal(recheck.verdicts);
    if (recheckRefusal) return refuse('refuse-recheck-replica', recheckRefusal);
  }

  // ---- Steps ------------------------------------------------------------------------
  const done: string[] = [];
  const progress = { paused: undefined as ServiceReading | undefined, promoted: false, secondaryStarted: false, dnsPrevious: undefined as FailoverRecords | undefined, dnsChanged: false };

  await wf.step('start-failover', async () => {
    const now = clock.now();
    deps.incident.update({ startedAt: now, rootCauseGuess: `primary ${db.primaryInstanceId} down: ${input.trigger}` });
    record({ kind: 'decision', summary: `every gate passed: failing over ${db.primaryInstanceId} -> ${db.replicaInstanceId} (${db.replicaRegion})` });
    if (!f.requireApproval) await send(failoverStartingPage({ incidentKey: input.incidentKey, config, at: now, diagnosis, done: [] }));
  });

  /** Runs an act inside the current step; a refusal stops the failover where it is. */
  const mutate = async <T>(stepName: string, req: ActRequest, fn: () => Promise<T>): Promise<T> => {
    const outcome = await deps.act(req, fn);
    if (outcome.status === 'refused') {
      throw new StopFailover(stepName, `${outcome.guardrail} refused ${req.action}: ${outcome.reason}`, { guardrail: outcome.guardrail, pass: false, reason: outcome.reason });
    }
    if (outcome.status === 'dry-run') throw new StopFailover(stepName, `dry-run was switched on: ${req.action} not performed`);
    return outcome.result;
  };
  /** A step that may stop the failover: StopFailover is a result, not an error to retry. */
  const guardedStep = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    let r;
    try {
      r = await wf.step(name, async () => {
        try {
          return { ok: true as const, value: await fn() };
        } catch (err) {
          if (err instanceof StopFailover) {
            record({ kind: 'error', summary: `stopped at ${err.stoppedAt}: ${err.reason}` });
            return { ok: false as const, stoppedAt: err.stoppedAt, reason: err.reason, refusal: err.refusal };
          }
          throw err;
        }
      });
    } catch (err) {
      // The step kept failing through its retries (an AWS error, not a decision).
      throw new StopFailover(name, `step failed after its retries: ${errorText(err)}`);
    }
    if (!r.ok) throw new StopFailover(r.stoppedAt, r.reason, r.refusal);
    return r.value;
  };

  let completed: { taskDefinitionArn: string; endpoint: string } = { taskDefinitionArn: '', endpoint: '' };
  try {
    // Runbook step 3: pause application (optional). When configured, the pause is a
    // precondition of the promotion: a primary-region writer we could not stop, next to a
    // promoted replica, is exactly the split brain the gates exist to prevent. A pause that
    // cannot be read or fails (after the step's retries) or is refused stops the failover
    // before promotion: P1, by hand (the rollback page names the pause command first).
    if (f.pausePrimaryService) {
      progress.paused = await guardedStep('pause-application', async () => {
        const svc = await ops.readPrimaryService();
        if (svc.describeError !== undefined && regionDown) {
          // The primary's region answers no API (that is how the outage was confirmed): its
          // service cannot be scaled, and its writers cannot reach the failed database either.
          // Proceed; the pages name the pause to run once the region answers again.
          record({ kind: 'decision', summary: `pause NOT possible: ${svc.cluster}/${svc.service} (${svc.region}) unreadable (${svc.describeError}) while the primary region is down; failing over without it` });
          return { ...svc, desiredCount: 0 };
        }
        if (svc.describeError !== undefined) {
          // Thrown (not a decision): the step retries; out of retries it stops the failover.
          throw new Error(`cannot read ${svc.cluster}/${svc.service} (${svc.describeError}) to stop its writers`);
        }
        if (svc.desiredCount === 0) {
          record({ kind: 'note', summary: `${svc.cluster}/${svc.service} already at desired 0` });
          return svc;
        }
        await mutate('pause-application', {
          action: 'pause-primary-service',
          scope: `service:${svc.cluster}/${svc.service}`,
          summary: `scaled ${svc.cluster}/${svc.service} (${svc.region}) from ${svc.desiredCount} to 0 to stop writes`,
        }, () => ops.scalePrimaryService(0));
        return svc;
      });
      if (progress.paused && progress.paused.desiredCount > 0) done.push(`scaled ${config.service.serviceName} to 0 (was ${progress.paused.desiredCount})`);
      // Outside the step: replayed invocations rebuild the diagnosis from the step's result.
      if (progress.paused?.describeError !== undefined) diagnosis.push(`the primary-region service could not be paused (region down): once ${config.service.region} answers, run ${cmds.pausePrimary}`);
    }

    // Runbook step 4: promote the read replica, once. Under way = no longer replicating, or
    // in a state a promotion passes through (a step retried after a crash finds it there).
    // Any other state (storage-full, incompatible-parameters, rebooting, unreadable...) is
    // not our promotion: stop now with the status instead of waiting out the timeout.
    const promoting = await guardedStep('promote-read-replica', async () => {
      const live = await ops.readReplica();
      if (!live.sourceIdentifier || (live.status !== undefined && PROMOTION_UNDER_WAY_STATUSES.includes(live.status))) {
        record({ kind: 'note', summary: `replica ${live.instanceId} is ${live.status ?? 'unknown'}${live.sourceIdentifier ? '' : ', no longer a replica'}: promotion already under way, not promoting again` });
        return live;
      }
      if (live.status !== 'available') {
        throw new StopFailover('promote-read-replica', `replica ${live.instanceId} is ${live.describeError ? `unreadable (${live.describeError})` : (live.status ?? 'unknown')} and still a replica: not promoting it`);
      }
      return mutate('promote-read-replica', {
        action: PROMOTE_ACTION,
        scope: failoverScope(db.primaryInstanceId),
        summary: `promoted ${db.replicaInstanceId} (${db.replicaRegion}) with backup retention ${db.backupRetentionDays} days`,
        cooldownSeconds: f.minSecondsBetweenFailovers,
      }, () => ops.promoteReplica(db.backupRetentionDays));
    });
    progress.promoted = true;
    done.push(`promoted ${db.replicaInstanceId}`);

    // Runbook steps 5 and 6: a task definition whose DATABASE_URL points at the promoted
    // instance, then the secondary service on it. RDS keeps a replica's endpoint through its
    // promotion, so both can run WHILE the promotion does (issue 18): they start once the
    // promotion is past its point of no return (RDS reboots the instance before making it
    // available: "rebooting"), and the service stays out of DNS until the promotion has
    // completed and the secondary's health check passes. A promotion seen only before or
    // after its reboot falls back to the runbook's order (after the promotion).
    let secondaryOn: { taskDefinition: TaskDefinitionReading; endpoint: { address: string; port: number } } | undefined;
    const target = config.secondaryService.desiredCount;
    const startSecondary = async (endpoint: { address: string; port: number }, phase: string): Promise<{ taskDefinition: TaskDefinitionReading; endpoint: { address: string; port: number } }> => {
      const taskDefinition: TaskDefinitionReading = await guardedStep(`register-task-definition${phase}`, async () => {
        const existing = await ops.findFailoverTaskDefinition(endpoint);
        if (existing) {
          record({ kind: 'note', summary: `task definition ${existing.taskDefinitionArn} already points at ${endpoint.address}` });
          return existing;
        }
        const registered = await mutate('register-task-definition', {
          action: 'register-task-definition',
          scope: `taskdef:${config.secondaryService.region}/${config.secondaryService.taskFamily}`,
          summary: `registered ${config.secondaryService.taskFamily} in ${config.secondaryService.region} with DATABASE_URL -> ${endpoint.address}`,
        }, () => ops.registerFailoverTaskDefinition(endpoint));
        record({ kind: 'note', summary: `DATABASE_URL now ${registered.databaseUrlRedacted ?? registered.databaseHost ?? '(unknown)'}` });
        return registered;
      });
      done.push(`registered ${taskDefinition.taskDefinitionArn}`);
      await guardedStep(`start-secondary-service${phase}`, async () => {
        const svc = await ops.readSecondaryService();
        if (svc.taskDefinition === taskDefinition.taskDefinitionArn && svc.desiredCount === target) {
          record({ kind: 'note', summary: `${svc.cluster}/${svc.service} already runs ${svc.taskDefinition} at ${target}` });
          return svc;
        }
        return mutate('start-secondary-service', {
          action: 'start-secondary-service',
          scope: `service:${config.secondaryService.clusterName}/${config.secondaryService.serviceName}`,
          summary: `updated ${config.secondaryService.serviceName} (${config.secondaryService.region}) to ${target} tasks of ${taskDefinition.taskDefinitionArn}`,
        }, () => ops.updateSecondaryService(taskDefinition.taskDefinitionArn, target));
      });
      progress.secondaryStarted = true;
      done.push(`started ${config.secondaryService.serviceName} at ${target} tasks`);
      return { taskDefinition, endpoint };
    };

    // Wait until the promoted instance is available and no longer a replica. Polls every
    // POLL_SECONDS; once the secondary runs alongside, every PROMOTION_END_POLL_SECONDS (the
    // end of the promotion is what the rest waits for). Bounded by promotionTimeoutSeconds.
    let promotedEndpoint: { address: string; port: number } | undefined;
    let waited = 0;
    for (let i = 1; !promotedEndpoint; i++) {
      const r = await guardedStep(`wait-promotion-check-${i}`, async () => {
        const live = await ops.readReplica();
        const ready = live.status === 'available' && !live.sourceIdentifier && !!live.endpoint;
        record({ kind: 'signal', summary: `promotion: ${live.instanceId} is ${live.status ?? live.describeError ?? 'unknown'}${live.sourceIdentifier ? ' (still a replica)' : ''}` });
        if (live.status !== undefined && FAILED_DB_STATUSES.includes(live.status)) {
          throw new StopFailover('wait-promotion', `${live.instanceId} went to ${live.status} during the promotion`);
        }
        return { endpoint: ready ? live.endpoint : undefined, rebooting: live.status === PROMOTION_REBOOT_STATUS };
      });
      if (r.endpoint) {
        promotedEndpoint = r.endpoint;
        break;
      }
      if (!secondaryOn && r.rebooting && promoting.endpoint) secondaryOn = await startSecondary(promoting.endpoint, '');
      const poll = secondaryOn ? PROMOTION_END_POLL_SECONDS : POLL_SECONDS;
      if (waited + poll >= f.promotionTimeoutSeconds) break;
      await wf.wait(`wait-promotion-${i}`, poll);
      waited += poll;
    }
    if (!promotedEndpoint) throw new StopFailover('wait-promotion', `${db.replicaInstanceId} not available within ${f.promotionTimeoutSeconds}s`);
    const endpoint = promotedEndpoint;
    done.push(`${db.replicaInstanceId} available at ${endpoint.address}:${endpoint.port}`);
    await wf.step('promotion-completed', async () => {
      record({ kind: 'note', summary: `promotion completed: ${db.replicaInstanceId} available${secondaryOn ? `; ${config.secondaryService.serviceName} already started during the promotion` : ''}`, detail: { observedAt: clock.now() } });
    });

    if (secondaryOn && !sameDnsName(secondaryOn.endpoint.address, endpoint.address)) {
      record({ kind: 'note', summary: `the promoted endpoint ${endpoint.address} differs from the replica's ${secondaryOn.endpoint.address}: registering again` });
      secondaryOn = await startSecondary(endpoint, '-after-promotion');
    } else if (!secondaryOn) {
      secondaryOn = await startSecondary(endpoint, '');
    }
    const taskDefinition = secondaryOn.taskDefinition;

    let stable = false;
    const stablePolls = Math.max(1, Math.ceil(f.serviceStableTimeoutSeconds / POLL_SECONDS));
    for (let i = 1; i <= stablePolls && !stable; i++) {
      if (i > 1) await wf.wait(`wait-service-stable-${i}`, POLL_SECONDS);
      const r = await guardedStep(`wait-service-stable-check-${i}`, async () => {
        const svc = await ops.readSecondaryService();
        const ok = svc.rolloutState === 'COMPLETED' && svc.runningCount === target && svc.desiredCount === target && svc.taskDefinition === taskDefinition.taskDefinitionArn;
        record({ kind: 'signal', summary: `${svc.service}: rollout ${svc.rolloutState ?? 'unknown'}, running ${svc.runningCount}/${svc.desiredCount}` });
        return { ok, failed: svc.rolloutState === 'FAILED' };
      });
      if (r.failed) throw new StopFailover('wait-service-stable', `${config.secondaryService.serviceName} rollout FAILED`);
      stable = r.ok;
    }
    if (!stable) throw new StopFailover('wait-service-stable', `${config.secondaryService.serviceName} not stable within ${f.serviceStableTimeoutSeconds}s`);
    done.push(`${config.secondaryService.serviceName} stable`);

    // Out of DNS until the secondary answers healthy on the promoted database.
    let secondaryHealthy = false;
    for (let i = 1; i <= HEALTH_CHECKS && !secondaryHealthy; i++) {
      if (i > 1) await wf.wait(`verify-secondary-before-dns-wait-${i}`, POLL_SECONDS);
      secondaryHealthy = await guardedStep(`verify-secondary-before-dns-${i}`, async () => {
        const h = await ops.checkSecondaryHealth();
        record({ kind: 'signal', summary: `secondary health before DNS ${h.url}: ${h.healthy ? 'healthy' : 'UNHEALTHY'} (${h.detail})`, detail: { statusCode: h.statusCode ?? null } });
        return h.healthy;
      });
    }
    if (!secondaryHealthy) throw new StopFailover('verify-secondary-before-dns', `${config.secondaryService.serviceName} not healthy after ${HEALTH_CHECKS} checks: DNS NOT switched`);

    // Runbook step 7: UPSERT the failover record to the secondary ALB, wait for INSYNC.
    /**
     * Route 53's control plane failed (the read or the UPSERT): the failover records' health
     * checks move the name on Route 53's data plane by themselves once the primary stack is
     * unhealthy. When DNS already answers the secondary, that is the switch (the records still
     * name us-east-1 PRIMARY: they must be UPSERTed once the control plane is back, or Route 53
     * fails back on its own when the old primary turns healthy). Otherwise the error stands.
     */
    const dnsDataPlaneFallback = async (err: unknown): Promise<{ previous: FailoverRecords | undefined; changeId: undefined; dataPlane: true }> => {
      const answers = await ops.serviceNameAnswersSecondary();
      if (answers !== true) throw err;
      record({ kind: 'decision', summary: `Route 53 control plane failed (${errorText(err)}); ${config.dns.recordName} already answers ${config.secondaryService.albDnsName} on Route 53's data plane (failover records' health checks): switched without the UPSERT` });
      return { previous: undefined, changeId: undefined, dataPlane: true };
    };
    const dns = await guardedStep('update-dns', async () => {
      let previous: FailoverRecords;
      try {
        previous = await ops.readFailoverRecords();
      } catch (err) {
        return dnsDataPlaneFallback(err);
      }
      const already = previous.secondarySet?.failover === 'PRIMARY' && sameDnsName(previous.secondarySet.aliasDnsName, config.secondaryService.albDnsName);
      if (already) {
        record({ kind: 'note', summary: `${config.dns.recordName} (${config.dns.secondarySetIdentifier}) already PRIMARY -> ${config.secondaryService.albDnsName}` });
        return { previous, changeId: undefined as string | undefined };
      }
      let change: DnsChange;
      try {
        change = await mutate('update-dns', {
          action: 'switch-dns',
          scope: `dns:${config.dns.hostedZoneId}/${config.dns.recordName}`,
          summary: `UPSERT ${config.dns.recordName} SetIdentifier ${config.dns.secondarySetIdentifier} Failover PRIMARY -> ${config.secondaryService.albDnsName} (${config.dns.primarySetIdentifier} becomes SECONDARY)`,
        }, () => ops.upsertFailoverRecord(previous));
      } catch (err) {
        if (err instanceof StopFailover) throw err;
        return dnsDataPlaneFallback(err);
      }
      return { previous, changeId: change.status !== 'INSYNC' ? change.changeId : undefined };
    });
    if (dns.previous) progress.dnsPrevious = dns.previous;
    progress.dnsChanged = true;
    if ('dataPlane' in dns) {
      const pin = `Route 53's control plane was down: ${config.dns.recordName} answers ${config.secondaryService.albDnsName} through the failover records' health checks only. Once Route 53 answers, pin it: ${cmds.switchDnsToSecondary}`;
      diagnosis.push(pin);
      done.push(`${config.dns.recordName} answers the secondary on Route 53's data plane (UPSERT pending: ${cmds.switchDnsToSecondary})`);
    }
    if (dns.changeId) {
      let insync = false;
      const dnsPolls = Math.ceil(DNS_SYNC_TIMEOUT_SECONDS / DNS_POLL_SECONDS);
      const changeId = dns.changeId;
      for (let i = 1; i <= dnsPolls && !insync; i++) {
        if (i > 1) await wf.wait(`wait-dns-insync-${i}`, DNS_POLL_SECONDS);
        insync = await guardedStep(`wait-dns-insync-check-${i}`, async () => {
          const status = await ops.dnsChangeStatus(changeId);
          record({ kind: 'signal', summary: `Route53 change ${changeId}: ${status}` });
          return status === 'INSYNC';
        });
      }
      if (!insync) throw new StopFailover('wait-dns-insync', `Route53 change ${changeId} not INSYNC within ${DNS_SYNC_TIMEOUT_SECONDS}s`);
    }
    done.push(`${config.dns.recordName} -> ${config.secondaryService.albDnsName}`);

    // Runbook step 8: verify the application through its health endpoint.
    let healthy = false;
    for (let i = 1; i <= HEALTH_CHECKS && !healthy; i++) {
      if (i > 1) await wf.wait(`verify-application-wait-${i}`, POLL_SECONDS);
      healthy = await guardedStep(`verify-application-${i}`, async () => {
        const h = await ops.checkHealth(config.service.healthCheckUrl);
        record({ kind: 'signal', summary: `health ${h.url}: ${h.healthy ? 'healthy' : 'UNHEALTHY'} (${h.detail})`, detail: { statusCode: h.statusCode ?? null } });
        return h.healthy;
      });
    }
    if (!healthy) throw new StopFailover('verify-application', `${config.service.healthCheckUrl} not healthy after ${HEALTH_CHECKS} checks`);
    done.push(`${config.service.healthCheckUrl} healthy`);

    completed = { taskDefinitionArn: taskDefinition.taskDefinitionArn, endpoint: endpoint.address };
  } catch (err) {
    const stop = err instanceof StopFailover ? err : new StopFailover('unknown step', errorText(err));
    return rollback(wf, deps, input, { stop, progress, done, diagnosis });
  }

  // Runbook step 9: document the incident. Outside the rollback's reach: the failover is done.
  const result = completed;
  return wf.step('document-incident', async () => {
    const now = clock.now();
    deps.incident.update({ status: 'mitigated', mitigatedAt: now });
    const rec = deps.incident.current();
    const downtime = downtimeSeconds(rec);
    record({
      kind: 'note',
      summary: `failover complete: detected ${iso(rec.detectedAt)}, started ${iso(rec.startedAt)}, completed ${iso(now)}, downtime ${downtime ?? '?'}s`,
      detail: { detectedAt: rec.detectedAt, startedAt: rec.startedAt ?? null, completedAt: now, downtimeSeconds: downtime ?? null, actions: rec.actionsTaken },
    });
    for (const page of failoverCompletedPages({ incidentKey: input.incidentKey, config, at: now, diagnosis, done, downtimeSeconds: downtime })) await send(page);
    const outcome: FailoverOutcome = { result: 'failed-over', ...result, ...(downtime !== undefined ? { downtimeSeconds: downtime } : {}) };
    return outcome;
  });
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

function sameDnsName(a: string | undefined, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/\.$/, '');
  return a !== undefined && norm(a) === norm(b);
}

function iso(ms: number | undefined): string {
  return ms === undefined ? '?' : new Date(ms).toISOString();
}
