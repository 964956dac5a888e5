/**
 * What every path of the rollback workflow shares: the ports it runs on, the outcome it
 * reports, and the steps it is built from (page and set the incident's outcome in one step,
 * poll with durable waits, the window guardrail, the final alarm check).
 */
import { TUNABLES, type AutopilotConfig } from '../config';
import type { ActionRecord, GuardrailName, Verdict } from '../guardrails';
import type { IncidentStatus } from '../incident';
import type { Page } from '../paging';
import type { Act, Clock, IncidentLedger, Pager, Recorder, Workflow } from '../ports';
import { alarmsHealthy, rollbackWindowVerdict, type RollbackInput } from './decide';
import type { AlarmReading, RollbackOperations, ServiceState } from './operations';
import { POST_ROLLBACK_STEPS, rollbackPage } from './pages';
import { familyRevision } from './revisions';
import { quoteUntrusted } from '../untrusted-text';

/** Seconds between two looks at a rollout, a CodeDeploy deployment or an alarm. */
export const POLL_SECONDS = TUNABLES.rollback.pollSeconds;
/** After the rollout completes, how long running tasks may take to all be on the revision. */
export const TASKS_SETTLE_SECONDS = TUNABLES.rollback.tasksSettleSeconds;

export interface RollbackDeps {
  config: AutopilotConfig;
  workflow: Workflow;
  ops: RollbackOperations;
  act: Act;
  pager: Pager;
  clock: Clock;
  recorder: Recorder;
  /** The incident's outcome fields, set from inside steps. */
  incident: IncidentLedger;
  /**
   * Extend the locks this remediation holds (same owner re-acquires): called inside the poll
   * steps and before the approval wait, so a long rollout + approval + verification does not
   * outlive the lock's TTL. Nothing to do before the first mutation.
   */
  renewLocks(): Promise<void>;
  /** Loop guard: a deployment the autopilot created never triggers a rollback itself. */
  markOwnChange(ref: string): Promise<void>;
  /** Actions recorded against `scope` at or after `since` (the guardrail store). */
  recentActions(scope: string, since: number): Promise<ActionRecord[]>;
  /** The approve / reject commands for a callback id (adapters/durable approvalCommands). */
  approvalCommands(callbackId: string): { approve: string; reject: string };
}

export type RollbackOutcome =
  | 'rolled-back' // on the known-good revision (or blue), alarm OK
  | 'unhealthy' // rolled back, but the alarm did not return to OK / tasks not on the revision
  | 'rollback-failed' // the rollback rollout failed or timed out
  | 'refused' // a guardrail refused; paged
  | 'dry-run'
  | 'no-known-good' // nothing to roll back to; paged
  | 'not-rollback-safe'
  | 'switched-listener'
  | 'approval-denied';

export interface RollbackResult {
  outcome: RollbackOutcome;
  detail: string;
}

export function serviceScope(config: AutopilotConfig): string {
  return `service:${config.service.clusterName}/${config.service.serviceName}`;
}

export function describeService(s: ServiceState): string {
  const deps = s.deployments.map((d) => `${d.status} ${d.id} ${familyRevision(d.taskDefinitionArn)} ${d.rolloutState ?? '-'} ${d.runningCount}/${d.desiredCount}`);
  return `${s.clusterName}/${s.serviceName} (${s.deploymentController}): running ${s.runningCount}/${s.desiredCount}; ${deps.join('; ')}`;
}

export function triggerLine(input: RollbackInput): string {
  const t = input.trigger;
  switch (t.kind) {
    case 'ecs-deployment-failed':
      return `ECS reported SERVICE_DEPLOYMENT_FAILED for ${t.deploymentId}: ${quoteUntrusted(t.reason)}`;
    case 'codedeploy-failure':
      return `CodeDeploy reported FAILURE for ${t.deploymentId}`;
    case 'rollback-requested':
      return `rollback requested by ${quoteUntrusted(t.requestedBy, 120)}: ${quoteUntrusted(t.reason)}`;
  }
}

// ---- paging helpers ------------------------------------------------------------------------

export interface Conclusion {
  status: IncidentStatus;
  mitigated?: boolean;
  resolved?: boolean;
  rootCauseGuess?: string;
}

/** One step: send the page, record it, and set the incident's outcome. */
export async function pageAndConclude(deps: RollbackDeps, stepName: string, build: (now: number) => Page, conclusion?: Conclusion): Promise<void> {
  await deps.workflow.step(stepName, async () => {
    const now = deps.clock.now();
    const page = build(now);
    await deps.pager.send(page);
    deps.recorder.record({ kind: 'page', severity: page.severity, summary: `${page.action === 'resolve' ? 'resolved' : 'paged'} ${page.severity}: ${page.title}` });
    if (conclusion) {
      deps.incident.set({
        status: conclusion.status,
        ...(conclusion.resolved ? { resolvedAt: now } : {}),
        ...(conclusion.rootCauseGuess ? { rootCauseGuess: conclusion.rootCauseGuess } : {}),
      });
      // The first time the service was back is when it was mitigated, not a later page's.
      if (conclusion.mitigated) deps.incident.setIfUnset({ mitigatedAt: now });
    }
    return true;
  });
}

/** Poll `read` every POLL_SECONDS (durable waits) until `done` or `timeoutSeconds`. */
export async function pollUntil<T>(
  deps: RollbackDeps,
  name: string,
  timeoutSeconds: number,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  describe: (value: T) => string,
): Promise<{ value: T; timedOut: boolean; elapsedSeconds: number; at: number }> {
  const startedAt = await deps.workflow.step(`${name}:start`, async () => deps.clock.now());
  let last = '';
  for (let i = 0; ; i++) {
    const previous = last;
    const r = await deps.workflow.step(`${name}-${i}`, async () => {
      await deps.renewLocks();
      const value = await read();
      const line = describe(value);
      if (line !== previous) deps.recorder.record({ kind: 'signal', summary: line });
      return { value, at: deps.clock.now(), line };
    });
    last = r.line;
    const elapsedSeconds = Math.floor((r.at - startedAt) / 1000);
    if (done(r.value)) return { value: r.value, timedOut: false, elapsedSeconds, at: r.at };
    if (elapsedSeconds >= timeoutSeconds) return { value: r.value, timedOut: true, elapsedSeconds, at: r.at };
    await deps.workflow.wait(`${name}-wait-${i}`, POLL_SECONDS);
  }
}

export function alarmLine(alarms: readonly AlarmReading[]): string {
  if (alarms.length === 0) return 'no alarm matches config.alarms.fiveXx: health cannot be verified';
  return alarms.map((a) => `alarm ${a.name} is ${a.state}${a.reason ? ` (${quoteUntrusted(a.reason)})` : ''}`).join('; ');
}

/** Step 3b: the triggering alarm must return to OK within the window ("rolled back" is not "healthy"). */
export async function verifyAlarm(deps: RollbackDeps, name: string) {
  const { config } = deps;
  return pollUntil(
    deps,
    name,
    config.guardrails.rollback.alarmOkTimeoutSeconds,
    () => deps.ops.readAlarms(config.alarms.fiveXx),
    alarmsHealthy,
    alarmLine,
  );
}

/** The window guardrail, read fresh from the store right before acting. */
export async function windowVerdict(deps: RollbackDeps, incidentKey: string): Promise<Verdict> {
  const now = deps.clock.now();
  const windowSeconds = deps.config.guardrails.rollback.windowSeconds;
  const scope = serviceScope(deps.config);
  const actions = await deps.recentActions(scope, now - windowSeconds * 1000);
  return rollbackWindowVerdict(actions, scope, incidentKey, now, windowSeconds);
}

/** The last check of every path: the alarm must be OK; P2 with what happened, else P1 with what was seen. */
export async function finishWithAlarmCheck(
  deps: RollbackDeps,
  input: RollbackInput,
  diagnosis: string[],
  done: string[],
  what: string,
  rootCause: string,
  success: RollbackOutcome,
  p1Open: boolean,
): Promise<RollbackResult> {
  const { config } = deps;
  const alarm = await verifyAlarm(deps, 'verify-alarm-ok');
  if (!alarmsHealthy(alarm.value)) {
    await pageAndConclude(
      deps,
      'page-rolled-back-but-unhealthy',
      (at) =>
        rollbackPage({
          config,
          incidentKey: input.incidentKey,
          severity: 'P1',
          at,
          title: `${what}, but the 5XX alarm is not OK after ${alarm.elapsedSeconds}s`,
          diagnosis: [...diagnosis, alarmLine(alarm.value)],
          done,
          nextStep: `The revision was not the (only) cause: run the 5XX investigation (runbook 4). Check: ${config.service.healthCheckUrl}`,
        }),
      { status: 'escalated', rootCauseGuess: rootCause },
    );
    return { outcome: 'unhealthy', detail: alarmLine(alarm.value) };
  }
  done.push(`${alarmLine(alarm.value)} ${alarm.elapsedSeconds}s after the rollback settled`);
  if (p1Open) {
    // The P1 this incident raised (approval request) is over: resolve it before the P2 summary.
    await pageAndConclude(deps, 'resolve-p1', (at) =>
      rollbackPage({ config, incidentKey: input.incidentKey, severity: 'P1', action: 'resolve', at, title: `${what}; alarm OK`, diagnosis: [], done, nextStep: 'none' }),
    );
  }
  await pageAndConclude(
    deps,
    'page-rolled-back',
    (at) =>
      rollbackPage({
        config,
        incidentKey: input.incidentKey,
        severity: 'P2',
        at,
        title: `${what}; 5XX alarm OK`,
        diagnosis,
        done,
        nextStep: POST_ROLLBACK_STEPS,
      }),
    { status: 'mitigated', mitigated: true, rootCauseGuess: rootCause },
  );
  return { outcome: success, detail: done.join('; ') };
}

/** An act that did not run: a guardrail refused it, or dry-run is on. */
export type ActNotTaken = { status: 'dry-run' } | { status: 'refused'; guardrail: GuardrailName; reason: string };

/**
 * The automatic action did not run: page P1 with what it would have done (dry-run) or the
 * guardrail that refused it, the manual command, and conclude the incident as escalated.
 */
export async function pageActionNotTaken(
  deps: RollbackDeps,
  stepName: string,
  outcome: ActNotTaken,
  p: { incidentKey: string; wouldDo: string; actionName: string; diagnosis: string[]; nextStep: string; rootCauseGuess?: string },
): Promise<void> {
  const service = deps.config.service.serviceName;
  await pageAndConclude(
    deps,
    stepName,
    (at) =>
      rollbackPage({
        config: deps.config,
        incidentKey: p.incidentKey,
        severity: 'P1',
        at,
        title:
          outcome.status === 'dry-run'
            ? `${service}: DRY-RUN - would ${p.wouldDo}`
            : `${service}: automatic ${p.actionName} refused (${outcome.guardrail}) - roll back by hand`,
        diagnosis: p.diagnosis,
        refused: outcome.status === 'refused' ? [{ action: 'rollback', guardrail: outcome.guardrail, reason: outcome.reason }] : [],
        nextStep: p.nextStep,
      }),
    { status: 'escalated', ...(p.rootCauseGuess ? { rootCauseGuess: p.rootCauseGuess } : {}) },
  );
}

