/**
 * Runbook 1 steps 3 to 6: stop the primary-region writers, promote the replica, point a task
 * definition at it and start the secondary service on it, up to the moment the secondary is
 * ready for DNS. Each step re-reads live state before it mutates (a step retried after a
 * crash finds its change made) and throws StopFailover where the failover must stop.
 */
import { PROMOTE_ACTION, failoverScope } from '../gates';
import { PROMOTE_REFUSED_ERRORS, PROMOTION_STATUSES, promoteDecision, promotionProgress, promotionRequested } from '../replica-states';
import { failoverStartingPage } from '../pages';
import { StopFailover } from '../rollback';
import type { ReplicaReading, ServiceReading, TaskDefinitionReading } from '../signals';
import type { PrimaryEvidence } from './checks';
import { guardedStep, mutate, record, sameDnsName, sendPage, type FailoverRun } from './run';
import { HEALTH_CHECKS, POLL_SECONDS, PROMOTION_END_POLL_SECONDS, PROMOTION_REBOOT_STATUS } from './tunables';

type Endpoint = { address: string; port: number };

/** The secondary service's task definition and the database endpoint it was registered for. */
interface SecondaryOn {
  taskDefinition: TaskDefinitionReading;
  endpoint: Endpoint;
}

/** Where the promotion's wait ended: the promoted endpoint, and the secondary if it started during the promotion. */
export interface Promoted {
  endpoint: Endpoint;
  secondaryOn?: SecondaryOn;
}

/** Every gate passed: the incident's start, and (without approval, which paged already) the P1 that the failover runs. */
export async function startFailover(run: FailoverRun): Promise<void> {
  const { deps, input, config, policy, db, diagnosis } = run;
  await run.wf.step('start-failover', async () => {
    const now = deps.clock.now();
    deps.incident.set({ startedAt: now, rootCauseGuess: `primary ${db.primaryInstanceId} down: ${input.trigger}` });
    record(run, { kind: 'decision', summary: `every gate passed: failing over ${db.primaryInstanceId} -> ${db.replicaInstanceId} (${db.replicaRegion})` });
    if (!policy.requireApproval) await sendPage(run, failoverStartingPage({ incidentKey: input.incidentKey, config, at: now, diagnosis, done: [] }));
  });
}

/**
 * Runbook 1 step 3, "Pause Application (Optional)". When configured, the pause is a
 * precondition of the promotion: a primary-region writer we could not stop, next to a
 * promoted replica, is exactly the split brain the gates exist to prevent. A pause that
 * cannot be read or fails (after the step's retries) or is refused stops the failover
 * before promotion: P1, by hand (the rollback page names the pause command first).
 */
export async function pauseApplication(run: FailoverRun, evidence: PrimaryEvidence): Promise<void> {
  const { deps, config, progress } = run;
  if (!run.policy.pausePrimaryService) return;
  progress.paused = await guardedStep(run, 'pause-application', async (): Promise<ServiceReading> => {
    const svc = await deps.ops.readPrimaryService();
    if (svc.describeError !== undefined && evidence.regionDown) {
      // The primary's region answers no API (that is how the outage was confirmed): its
      // service cannot be scaled, and its writers cannot reach the failed database either.
      // Proceed; the pages name the pause to run once the region answers again.
      record(run, { kind: 'decision', summary: `pause NOT possible: ${svc.cluster}/${svc.service} (${svc.region}) unreadable (${svc.describeError}) while the primary region is down; failing over without it` });
      return { ...svc, desiredCount: 0 };
    }
    if (svc.describeError !== undefined) {
      // Thrown (not a decision): the step retries; out of retries it stops the failover.
      throw new Error(`cannot read ${svc.cluster}/${svc.service} (${svc.describeError}) to stop its writers`);
    }
    if (svc.desiredCount === 0) {
      record(run, { kind: 'note', summary: `${svc.cluster}/${svc.service} already at desired 0` });
      return svc;
    }
    await mutate(run, 'pause-application', {
      action: 'pause-primary-service',
      scope: `service:${svc.cluster}/${svc.service}`,
      summary: `scaled ${svc.cluster}/${svc.service} (${svc.region}) from ${svc.desiredCount} to 0 to stop writes`,
    }, () => deps.ops.scalePrimaryService(0));
    return svc;
  });
  if (progress.paused && progress.paused.desiredCount > 0) run.done.push(`scaled ${config.service.serviceName} to 0 (was ${progress.paused.desiredCount})`);
  // Outside the step: replayed invocations rebuild the diagnosis from the step's result.
  if (progress.paused?.describeError !== undefined) run.diagnosis.push(`the primary-region service could not be paused (region down): once ${config.service.region} answers, run ${run.cmds.pausePrimary}`);
}

/**
 * Runbook 1 step 4, "Promote Read Replica", once (replica-states.ts promoteDecision). Under way =
 * no longer a replica, or in a state a promotion passes through (modifying, rebooting, backing-up)
 * AFTER this incident asked for the promotion: the Actuator records the promote-replica action
 * before its call, so a step retried after a crash finds that record. The same states without
 * that request are something else (a modification of its own, a backup): stop now naming the
 * state, as for any other state (storage-full, incompatible-parameters, unreadable...), instead
 * of waiting out the timeout for a promotion nobody started. RDS refusing the call for the
 * instance's state (InvalidDBInstanceState) is a decision, not an error to retry.
 */
export async function promoteReadReplica(run: FailoverRun): Promise<ReplicaReading> {
  const { deps, policy, db, input } = run;
  const promoting = await guardedStep(run, 'promote-read-replica', async () => {
    const live = await deps.ops.readReplica();
    // The ledger is read only when the state is ambiguous: a promotion's state, still a replica.
    const ambiguous = live.describeError === undefined && !!live.sourceIdentifier && live.status !== undefined && PROMOTION_STATUSES.includes(live.status);
    const requested = ambiguous ? promotionRequested((await deps.readGuardState(deps.clock.now())).failovers, input.incidentKey, db.primaryInstanceId) : undefined;
    const decision = promoteDecision(live, requested);
    if (decision.kind === 'under-way') {
      record(run, { kind: 'note', summary: decision.note });
      return live;
    }
    // Unreadable: thrown (not a decision), the step retries; out of retries it stops the failover.
    if (decision.kind === 'unreadable') throw new Error(decision.error);
    if (decision.kind === 'stop') throw new StopFailover('promote-read-replica', decision.reason);
    try {
      return await mutate(run, 'promote-read-replica', {
        action: PROMOTE_ACTION,
        scope: failoverScope(db.primaryInstanceId),
        summary: `promoted ${db.replicaInstanceId} (${db.replicaRegion}) with backup retention ${db.backupRetentionDays} days`,
        cooldownSeconds: policy.minSecondsBetweenFailovers,
      }, () => deps.ops.promoteReplica(db.backupRetentionDays));
    } catch (err) {
      if (!(err instanceof Error) || !PROMOTE_REFUSED_ERRORS.includes(err.name)) throw err;
      const again = await deps.ops.readReplica();
      throw new StopFailover('promote-read-replica', `RDS refused PromoteReadReplica (${err.name}): replica ${again.instanceId} is ${again.describeError ? `unreadable (${again.describeError})` : (again.status ?? 'unknown')}${again.sourceIdentifier ? ' and still a replica' : ''}: not promoted`);
    }
  });
  run.progress.promoted = true;
  run.done.push(`promoted ${db.replicaInstanceId}`);
  return promoting;
}

/**
 * Runbook 1 step 4's wait: until the promoted instance is available and no longer a replica
 * (replica-states.ts promotionProgress: modifying, rebooting, then backing-up when the promotion
 * turned automated backups on). Polls every POLL_SECONDS; once the secondary runs alongside,
 * every PROMOTION_END_POLL_SECONDS (the end of the promotion is what the rest waits for).
 * Bounded by promotionTimeoutSeconds; a failed state, or one no promotion passes through, stops
 * at once naming it.
 *
 * RDS keeps a replica's endpoint through its promotion, so steps 5 and 6 can run WHILE the
 * promotion does (issue 18): they start once the promotion is past its point of no return
 * (RDS reboots the instance before making it available: "rebooting"), and the service stays
 * out of DNS until the promotion has completed and the secondary's health check passes.
 */
export async function waitForPromotion(run: FailoverRun, promoting: ReplicaReading): Promise<Promoted> {
  const { wf, deps, config, policy, db } = run;
  let secondaryOn: SecondaryOn | undefined;
  let promotedEndpoint: Endpoint | undefined;
  let waited = 0;
  for (let i = 1; !promotedEndpoint; i++) {
    const r = await guardedStep(run, `wait-promotion-check-${i}`, async () => {
      const live = await deps.ops.readReplica();
      const progress = promotionProgress(live);
      record(run, { kind: 'signal', summary: `promotion: ${progress.kind === 'in-progress' ? progress.phase : `${live.instanceId} is ${live.status ?? live.describeError ?? 'unknown'}${live.sourceIdentifier ? ' (still a replica)' : ''}`}` });
      if (progress.kind === 'stop') throw new StopFailover('wait-promotion', progress.reason);
      return { endpoint: progress.kind === 'completed' ? progress.endpoint : undefined, rebooting: progress.kind === 'in-progress' && live.status === PROMOTION_REBOOT_STATUS };
    });
    if (r.endpoint) {
      promotedEndpoint = r.endpoint;
      break;
    }
    if (!secondaryOn && r.rebooting && promoting.endpoint) secondaryOn = await startSecondary(run, promoting.endpoint, '');
    const poll = secondaryOn ? PROMOTION_END_POLL_SECONDS : POLL_SECONDS;
    if (waited + poll >= policy.promotionTimeoutSeconds) break;
    await wf.wait(`wait-promotion-${i}`, poll);
    waited += poll;
  }
  if (!promotedEndpoint) throw new StopFailover('wait-promotion', `${db.replicaInstanceId} not available within ${policy.promotionTimeoutSeconds}s`);
  const endpoint = promotedEndpoint;
  run.done.push(`${db.replicaInstanceId} available at ${endpoint.address}:${endpoint.port}`);
  await wf.step('promotion-completed', async () => {
    record(run, { kind: 'note', summary: `promotion completed: ${db.replicaInstanceId} available${secondaryOn ? `; ${config.secondaryService.serviceName} already started during the promotion` : ''}`, detail: { observedAt: deps.clock.now() } });
  });
  return { endpoint, secondaryOn };
}

/**
 * Runbook 1 steps 5 and 6 on the promoted endpoint. A promotion seen only before or after its
 * reboot falls back to the runbook's order (after the promotion); a secondary started during
 * the promotion is registered again if the promoted endpoint is not the one it got.
 */
export async function startSecondaryOnPromoted(run: FailoverRun, promoted: Promoted): Promise<TaskDefinitionReading> {
  const { endpoint, secondaryOn } = promoted;
  if (!secondaryOn) return (await startSecondary(run, endpoint, '')).taskDefinition;
  if (sameDnsName(secondaryOn.endpoint.address, endpoint.address)) return secondaryOn.taskDefinition;
  record(run, { kind: 'note', summary: `the promoted endpoint ${endpoint.address} differs from the replica's ${secondaryOn.endpoint.address}: registering again` });
  return (await startSecondary(run, endpoint, '-after-promotion')).taskDefinition;
}

async function startSecondary(run: FailoverRun, endpoint: Endpoint, phase: string): Promise<SecondaryOn> {
  const taskDefinition = await updateApplicationConfiguration(run, endpoint, phase);
  await startApplicationInSecondaryRegion(run, taskDefinition, phase);
  return { taskDefinition, endpoint };
}

/** Runbook 1 step 5, "Update Application Configuration": a task definition whose DATABASE_URL points at `endpoint`. */
async function updateApplicationConfiguration(run: FailoverRun, endpoint: Endpoint, phase: string): Promise<TaskDefinitionReading> {
  const { deps, config } = run;
  const taskDefinition = await guardedStep(run, `register-task-definition${phase}`, async () => {
    const existing = await deps.ops.findFailoverTaskDefinition(endpoint);
    if (existing) {
      record(run, { kind: 'note', summary: `task definition ${existing.taskDefinitionArn} already points at ${endpoint.address}` });
      return existing;
    }
    const registered = await mutate(run, 'register-task-definition', {
      action: 'register-task-definition',
      scope: `taskdef:${config.secondaryService.region}/${config.secondaryService.taskFamily}`,
      summary: `registered ${config.secondaryService.taskFamily} in ${config.secondaryService.region} with DATABASE_URL -> ${endpoint.address}`,
    }, () => deps.ops.registerFailoverTaskDefinition(endpoint, run.input.incidentKey));
    const written = registered.databaseUrlWritten;
    if (written) {
      // A reference: the timeline names what was written, never its value.
      const kind = written.kind === 'secretsmanager' ? 'Secrets Manager secret' : 'SSM parameter';
      record(run, { kind: 'note', summary: `DATABASE_URL now from ${kind} ${written.arn} (${written.created ? 'written' : 'found, written earlier'} for this incident), host ${registered.databaseHost ?? '(unknown)'}` });
    } else {
      record(run, { kind: 'note', summary: `DATABASE_URL now ${registered.databaseUrlRedacted ?? (registered.databaseUrlFrom ? `from ${registered.databaseUrlFrom}` : undefined) ?? registered.databaseHost ?? '(unknown)'}` });
    }
    return registered;
  });
  run.done.push(`registered ${taskDefinition.taskDefinitionArn}`);
  if (taskDefinition.databaseUrlWritten) run.done.push(`DATABASE_URL of ${taskDefinition.taskDefinitionArn} read from ${taskDefinition.databaseUrlWritten.arn} (new for this incident)`);
  return taskDefinition;
}

/** Runbook 1 step 6, "Start Application in Secondary Region": the secondary service at its desired count on `taskDefinition`. */
async function startApplicationInSecondaryRegion(run: FailoverRun, taskDefinition: TaskDefinitionReading, phase: string): Promise<void> {
  const { deps, config } = run;
  const target = config.secondaryService.desiredCount;
  await guardedStep(run, `start-secondary-service${phase}`, async () => {
    const svc = await deps.ops.readSecondaryService();
    if (svc.taskDefinition === taskDefinition.taskDefinitionArn && svc.desiredCount === target) {
      record(run, { kind: 'note', summary: `${svc.cluster}/${svc.service} already runs ${svc.taskDefinition} at ${target}` });
      return svc;
    }
    return mutate(run, 'start-secondary-service', {
      action: 'start-secondary-service',
      scope: `service:${config.secondaryService.clusterName}/${config.secondaryService.serviceName}`,
      summary: `updated ${config.secondaryService.serviceName} (${config.secondaryService.region}) to ${target} tasks of ${taskDefinition.taskDefinitionArn}`,
    }, () => deps.ops.updateSecondaryService(taskDefinition.taskDefinitionArn, target));
  });
  run.progress.secondaryStarted = true;
  run.done.push(`started ${config.secondaryService.serviceName} at ${target} tasks`);
}

/** Runbook 1 step 6's wait: the secondary's rollout COMPLETED with every task running on `taskDefinition`. */
export async function waitForSecondaryStable(run: FailoverRun, taskDefinition: TaskDefinitionReading): Promise<void> {
  const { wf, deps, config, policy } = run;
  const target = config.secondaryService.desiredCount;
  let stable = false;
  const stablePolls = Math.max(1, Math.ceil(policy.serviceStableTimeoutSeconds / POLL_SECONDS));
  for (let i = 1; i <= stablePolls && !stable; i++) {
    if (i > 1) await wf.wait(`wait-service-stable-${i}`, POLL_SECONDS);
    const r = await guardedStep(run, `wait-service-stable-check-${i}`, async () => {
      const svc = await deps.ops.readSecondaryService();
      const ok = svc.rolloutState === 'COMPLETED' && svc.runningCount === target && svc.desiredCount === target && svc.taskDefinition === taskDefinition.taskDefinitionArn;
      record(run, { kind: 'signal', summary: `${svc.service}: rollout ${svc.rolloutState ?? 'unknown'}, running ${svc.runningCount}/${svc.desiredCount}` });
      return { ok, failed: svc.rolloutState === 'FAILED' };
    });
    if (r.failed) throw new StopFailover('wait-service-stable', `${config.secondaryService.serviceName} rollout FAILED`);
    stable = r.ok;
  }
  if (!stable) throw new StopFailover('wait-service-stable', `${config.secondaryService.serviceName} not stable within ${policy.serviceStableTimeoutSeconds}s`);
  run.done.push(`${config.secondaryService.serviceName} stable`);
}

/** Out of DNS until the secondary answers healthy on the promoted database. */
export async function verifySecondaryBeforeDns(run: FailoverRun): Promise<void> {
  const { wf, deps, config } = run;
  let secondaryHealthy = false;
  for (let i = 1; i <= HEALTH_CHECKS && !secondaryHealthy; i++) {
    if (i > 1) await wf.wait(`verify-secondary-before-dns-wait-${i}`, POLL_SECONDS);
    secondaryHealthy = await guardedStep(run, `verify-secondary-before-dns-${i}`, async () => {
      const h = await deps.ops.checkSecondaryHealth();
      record(run, { kind: 'signal', summary: `secondary health before DNS ${h.url}: ${h.healthy ? 'healthy' : 'UNHEALTHY'} (${h.detail})`, detail: { statusCode: h.statusCode ?? null } });
      return h.healthy;
    });
  }
  if (!secondaryHealthy) throw new StopFailover('verify-secondary-before-dns', `${config.secondaryService.serviceName} not healthy after ${HEALTH_CHECKS} checks: DNS NOT switched`);
}
