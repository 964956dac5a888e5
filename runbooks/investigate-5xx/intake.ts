/**
 * Runbook 4, "Investigate High 5XX Error Rate": the intake, run by the shared pipeline
 * (pipeline/intake.ts); no durable workflow. Admit: a configured 5XX alarm whose own
 * configuration measures our load balancer, an ALARM claimed per state change.
 *
 * ALARM: gather the runbook's signals (adapters/aws/investigation, bounded calls) ->
 * classify (domain/investigation/classify, pure, with evidence) -> act on the cause
 * (domain/investigation/respond): hand-offs are events, the one mutation (a forced
 * redeploy on a memory leak) goes through the Actuator, everything else pages.
 * OK: resolve the incident's page.
 */
import { TUNABLES } from '../../domain/config';
import { alarmBindingVerdict, isConfiguredAlarm } from '../../domain/alarm-binding';
import { incidentKey, openIncident, type IncidentRecord } from '../../domain/incident';
import { classify, DEFAULT_THRESHOLDS, type Classification } from '../../domain/investigation/classify';
import type { FiveXxSignals } from '../../domain/investigation/signals';
import { serviceLockResource } from '../../domain/scaling/capacity';
import { formatEvidence, investigationFailedPage, respond, RESTART_ACTION, restartAlreadyMade, restartScope, signalSummary, type InvestigationResponse } from '../../domain/investigation/respond';
import type { ActOutcome } from '../../domain/ports';
import type { Page } from '../../domain/paging';
import type { EventOf } from '../../events/types';
import { AwsInvestigationOperations, type RestartResult } from '../../adapters/aws/investigation';
import type { IncidentSession } from '../../adapters/runtime/incident-session';
import { makeAct, makePage } from '../../adapters/runtime/wiring';
import { runIntake, type Admission, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';

/** An open investigation older than this is a new incident when the alarm fires again. */
const MAX_INCIDENT_SECONDS = TUNABLES.investigation.maxIncidentSeconds;

function isClosed(rec: IncidentRecord, now: number): boolean {
  return rec.status === 'resolved' || rec.status === 'ignored' || now - rec.detectedAt > MAX_INCIDENT_SECONDS * 1000;
}

interface Admitted {
  alarm: EventOf<'alarm'>;
  key: string;
}

export const investigate5xxIntakeDefinition: RunbookIntake<Admitted> = {
  runbook: 'investigate-5xx',
  admit(ev, rt) {
    const ignore = (reason: string, incidentKey?: string): Admission<Admitted> => ({ kind: 'ignore', result: { status: 'ignored', reason, ...(incidentKey ? { incidentKey } : {}) } });
    if (ev.kind !== 'alarm') return ignore(`investigate-5xx does not handle ${ev.kind} events`);
    const { alarmName, state } = ev.detail;
    if (!isConfiguredAlarm(rt.config.alarms.fiveXx, alarmName, ev.resources)) return ignore(`${alarmName} is not a configured 5XX alarm (${rt.config.alarms.fiveXx.join(', ')})`);
    // A name is a claim: the alarm's own configuration must say it measures our load balancer's 5XX.
    const bound = alarmBindingVerdict(ev.detail, 'fiveXx', rt.config);
    if (!bound.pass) return ignore(bound.reason);
    const key = incidentKey('investigate-5xx', alarmName);
    // OK resolves the open incident (idempotent: a resolved one is left alone); no claim needed.
    if (state.value === 'OK') return { kind: 'admit', admitted: { alarm: ev, key } };
    if (state.value !== 'ALARM') return ignore(`${alarmName} is ${state.value}: nothing to investigate`, key);
    return {
      kind: 'admit',
      admitted: { alarm: ev, key },
      claim: { key: `investigate-5xx#${alarmName}#${state.timestamp}`, incidentKey: key, duplicate: { status: 'ignored', incidentKey: key, reason: `duplicate of the ALARM of ${new Date(state.timestamp).toISOString()}, already investigated` } },
    };
  },
  handle: ({ alarm, key }, _event, rt) => (alarm.detail.state.value === 'OK' ? resolveIncident(rt, alarm, key, rt.clock.now()) : investigate(rt, alarm, key, rt.clock.now())),
  // The alarm does not fire again while it stays in ALARM: a failed investigation is said now.
  failurePage: ({ alarm, key }, _event, rt, error) =>
    alarm.detail.state.value === 'OK'
      ? undefined
      : investigationFailedPage({ config: rt.config, incidentKey: key, alarm: { name: alarm.detail.alarmName, stateChangedAt: alarm.detail.state.timestamp, reason: alarm.detail.state.reason }, error, now: rt.clock.now() }),
};

export function investigate5xxIntake(event: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(investigate5xxIntakeDefinition, event, rt);
}

/** One investigation of one ALARM: what its steps share. */
interface Investigation {
  rt: Runtime;
  session: IncidentSession;
  alarm: EventOf<'alarm'>;
  key: string;
  now: number;
  ops: AwsInvestigationOperations;
  page: ReturnType<typeof makePage>;
}

async function investigate(rt: Runtime, ev: EventOf<'alarm'>, key: string, now: number): Promise<IntakeResult> {
  const { alarmName, state } = ev.detail;
  const init = { key, runbook: 'investigate-5xx' as const, title: `High 5XX rate on ${rt.config.service.serviceName} (${alarmName})`, severity: 'P2' as const, detectedAt: now };
  let session = await rt.openSession(init);
  if (isClosed(session.incident, now)) session = rt.sessionOf(openIncident(init), session.mode);
  session.incident.startedAt ??= now;
  session.record({ kind: 'event', runbook: 'investigate-5xx', summary: `${alarmName} ALARM at ${new Date(state.timestamp).toISOString()}: ${state.reason}`, detail: { eventId: ev.id } });
  const run: Investigation = { rt, session, alarm: ev, key, now, ops: new AwsInvestigationOperations(rt.aws, rt.config), page: makePage(rt.pager, rt.clock, session) };

  const signals = await investigationSteps(run);
  const classification = commonCauses(run, signals);
  const response = respond({ classification, signals, config: rt.config, incidentKey: key, now });
  let status: IntakeResult['status'] = 'paged';
  switch (response.kind) {
    case 'hand-off-scale':
    case 'hand-off-rollback':
      status = await handOff(run, response);
      break;
    case 'restart':
      status = await restartForMemoryLeak(run, response, signals);
      break;
    case 'page':
      await run.page(withoutAt(response.page));
      break;
  }
  await session.flush();
  return { status, incidentKey: key, reason: `${classification.cause}: ${classification.evidence[0] ? formatEvidence(classification.evidence[0]) : 'no evidence'}` };
}

/** Investigation Steps 1-5: error rate, logs, database, resources, dependencies (bounded reads). */
async function investigationSteps({ ops, alarm, now, session }: Investigation): Promise<FiveXxSignals> {
  const { alarmName, state } = alarm.detail;
  const signals = await ops.gatherSignals({ name: alarmName, stateChangedAt: state.timestamp, reason: state.reason }, now);
  for (const line of signalSummary(signals)) session.record({ kind: 'signal', runbook: 'investigate-5xx', summary: line });
  session.record({ kind: 'note', runbook: 'investigate-5xx', summary: `signals gathered in ${signals.callsMade} AWS calls` });
  return signals;
}

/** Common Causes and Solutions: classify, with evidence and precedence. */
function commonCauses({ session }: Investigation, signals: FiveXxSignals): Classification {
  const classification = classify(signals, DEFAULT_THRESHOLDS);
  session.incident.rootCauseGuess = `${classification.cause}: ${classification.evidence.map(formatEvidence).join('; ')}`;
  session.record({
    kind: 'decision',
    runbook: 'investigate-5xx',
    summary: `classified as ${classification.cause}${classification.alsoMatched.length ? ` (also matched: ${classification.alsoMatched.map((f) => f.cause).join(', ')})` : ''}`,
    detail: { evidence: classification.evidence, errorsBeganAt: new Date(classification.errorsBeganAt).toISOString(), unreadable: classification.unreadable },
  });
  return classification;
}

/** Traffic spike -> runbook 3, bad deployment -> runbook 2: an event on the bus, and a page saying so. */
async function handOff({ rt, session, page }: Investigation, response: Extract<InvestigationResponse, { kind: 'hand-off-scale' | 'hand-off-rollback' }>): Promise<IntakeResult['status']> {
  try {
    await rt.emit(response.detailType, { ...response.detail });
  } catch (err) {
    // Paged now rather than thrown: a retry would gather and classify again and page twice; the page says what to do by hand.
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    session.record({ kind: 'error', runbook: 'investigate-5xx', summary: `hand-off ${response.detailType} failed: ${why}` });
    await page(withoutAt({ ...response.page, severity: 'P2', title: `${response.page.title} - but the hand-off failed`, done: [], refused: [{ action: `emit ${response.detailType}`, guardrail: 'HandOffFailed', reason: why }] }));
    return 'paged';
  }
  session.record({ kind: 'decision', runbook: 'investigate-5xx', summary: `handed off: ${response.detailType} (${response.detail.reason})` });
  await page(withoutAt(response.page));
  return 'acted';
}

/** Memory Leak: a forced new deployment (fresh tasks), through the Actuator, once per ALARM. */
async function restartForMemoryLeak(run: Investigation, response: Extract<InvestigationResponse, { kind: 'restart' }>, signals: FiveXxSignals): Promise<IntakeResult['status']> {
  const { rt, session, key, page } = run;
  const svc = rt.config.service;
  // A blue/green service rejects a forced new deployment: "Use AWS CodeDeploy to trigger a new deployment"
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html). Refuse with a page.
  if (signals.service?.deploymentController === 'CODE_DEPLOY') {
    const p: Page = { ...response.page, severity: 'P2', title: `5XX on ${svc.serviceName}: memory leak, restart refused (CodeDeployControlledService)` };
    p.refused = [{ action: response.summary, guardrail: 'CodeDeployControlledService', reason: `${svc.clusterName}/${svc.serviceName} is deployed by CodeDeploy: ECS refuses UpdateService --force-new-deployment; redeploy the current revision with aws deploy create-deployment --application-name ${rt.config.codeDeploy.applicationName} --deployment-group-name ${rt.config.codeDeploy.deploymentGroupName}` }];
    await page(withoutAt(p));
    return 'paged';
  }
  const outcome = await restartOnce(run, response, signals);
  const p: Page = { ...response.page };
  let status: IntakeResult['status'] = 'paged';
  if (outcome.status === 'executed') {
    await rt.store.markOwnChange(outcome.result.deploymentId, key, rt.clock.now());
    session.record({ kind: 'note', runbook: 'investigate-5xx', summary: `deployment ${outcome.result.deploymentId} marked as our own change (loop guard: it never starts a rollback)` });
    p.done = [`forced a new deployment ${outcome.result.deploymentId} (${outcome.result.taskDefinition}): fresh tasks release the leaked memory for now`];
    session.incident.mitigatedAt ??= rt.clock.now();
    session.incident.status = 'mitigated';
    status = 'acted';
  } else if (outcome.status === 'dry-run') {
    // Nothing ran: the page must not say the tasks were restarted (issue 16).
    p.title = `5XX on ${svc.serviceName}: memory leak, would restart the tasks; nothing was changed`;
    p.done = [`nothing was changed; would have: ${response.summary}`];
    status = 'dry-run';
  } else {
    p.severity = 'P2';
    p.title = `5XX on ${svc.serviceName}: memory leak, restart refused (${outcome.guardrail})`;
    p.refused = [{ action: response.summary, guardrail: outcome.guardrail, reason: outcome.reason }];
  }
  await page(withoutAt(p));
  return status;
}

/** The restart, unless a first attempt of this ALARM's event already made it (re-read before acting). */
async function restartOnce({ rt, session, key, now, alarm, ops }: Investigation, response: Extract<InvestigationResponse, { kind: 'restart' }>, signals: FiveXxSignals): Promise<ActOutcome<RestartResult>> {
  const svc = rt.config.service;
  const stateChangedAt = alarm.detail.state.timestamp;
  const scope = restartScope(svc.clusterName, svc.serviceName);
  const earlier = restartAlreadyMade(await rt.store.recentActions(scope, stateChangedAt), key, stateChangedAt);
  const forced = earlier ? signals.service?.deployments.find((d) => d.status === 'PRIMARY' && d.createdAt >= stateChangedAt) : undefined;
  if (earlier && forced) {
    session.record({ kind: 'note', runbook: 'investigate-5xx', summary: `already done: ${earlier.summary ?? RESTART_ACTION} at ${new Date(earlier.at).toISOString()} for this ALARM (deployment ${forced.id}); not restarting again` });
    return { status: 'executed', result: { deploymentId: forced.id, taskDefinition: forced.taskDefinition, alreadyDone: true } };
  }
  // Owner: the incident key (a non-durable intake has no execution name). The lock is not held
  // after the call: nothing here runs later to give it back, it would block a rollback for lockTtlSeconds.
  return makeAct(rt.actuator, session, { owner: key })(
    {
      action: RESTART_ACTION,
      // Its own scope: a restart is paced by restartCooldownSeconds, independently of scaling changes ...
      scope,
      // ... but it locks the service like every runbook that changes it: never during a rollback, a scale-out or a restore switch.
      lockResource: serviceLockResource(svc.clusterName, svc.serviceName),
      summary: response.summary,
      cooldownSeconds: rt.config.guardrails.scaling.restartCooldownSeconds,
      budget: { max: 1, windowSeconds: rt.config.guardrails.scaling.restartCooldownSeconds },
    },
    () => ops.forceNewDeployment(now),
  );
}

async function resolveIncident(rt: Runtime, ev: EventOf<'alarm'>, key: string, now: number): Promise<IntakeResult> {
  const existing = await rt.store.loadIncident(key);
  if (!existing || existing.status === 'resolved' || existing.status === 'ignored') {
    return { status: 'ignored', incidentKey: key, reason: `${ev.detail.alarmName} OK and no open incident` };
  }
  const session = rt.sessionOf(existing);
  session.record({ kind: 'event', runbook: 'investigate-5xx', summary: `${ev.detail.alarmName} OK at ${new Date(ev.detail.state.timestamp).toISOString()}: ${ev.detail.state.reason}` });
  const page = makePage(rt.pager, rt.clock, session);
  await page({
    incidentKey: key,
    action: 'resolve',
    severity: existing.severity,
    runbook: 'investigate-5xx',
    title: `5XX rate on ${rt.config.service.serviceName} back to normal (${ev.detail.alarmName} OK)`,
    resource: `${rt.config.service.loadBalancerDimension} -> service/${rt.config.service.clusterName}/${rt.config.service.serviceName}`,
    diagnosis: [`${ev.detail.alarmName} OK: ${ev.detail.state.reason}`, ...(existing.rootCauseGuess ? [`cause: ${existing.rootCauseGuess}`] : [])],
    done: existing.actionsTaken,
    refused: [],
    nextStep: 'Write the post-incident note (runbook "Post-Incident Procedures").',
  });
  session.incident.status = 'resolved';
  session.incident.resolvedAt = now;
  session.incident.mitigatedAt ??= now;
  await session.flush();
  return { status: 'paged', incidentKey: key, reason: 'alarm OK: incident resolved' };
}

function withoutAt(page: Page): Omit<Page, 'at'> {
  const { at: _at, ...rest } = page;
  void _at;
  return rest;
}
