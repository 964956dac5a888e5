/**
 * Runbook 4, "Investigate High 5XX Error Rate": the intake, run by the shared pipeline
 * (pipeline/intake.ts); no durable workflow. Admit: a configured 5XX alarm whose own
 * configuration measures our load balancer, an ALARM claimed per state change.
 *
 * Facts: the incident's record; for an ALARM the runbook's signals (adapters/aws/investigation,
 * bounded calls) and, on a memory leak, the restarts already made for it. Decide
 * (domain/investigation/intake-plan, pure): classify, then hand off, restart or page; an OK
 * resolves the incident's page. Act (here): hand-offs are events, the one mutation (a forced
 * redeploy on a memory leak) goes through the Actuator.
 */
import { alarmBindingVerdict, isConfiguredAlarm } from '../../domain/alarm-binding';
import { incidentKey } from '../../domain/incident';
import { handOffFailedPage, investigationPlan, restartHistoryNeeded, restartOutcomePage, type InvestigationAct, type InvestigationAdmitted, type InvestigationFacts } from '../../domain/investigation/intake-plan';
import { investigationFailedPage, restartScope } from '../../domain/investigation/respond';
import type { ActOutcome } from '../../domain/ports';
import { AwsInvestigationOperations, type RestartResult } from '../../adapters/aws/investigation';
import type { IncidentSession } from '../../adapters/runtime/incident-session';
import { makeAct, makePage } from '../../adapters/runtime/wiring';
import { runIntake, type Admission, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';

export const investigate5xxIntakeDefinition: RunbookIntake<InvestigationAdmitted, InvestigationFacts, InvestigationAct> = {
  runbook: 'investigate-5xx',
  admit(ev, rt) {
    const ignore = (reason: string, incidentKey?: string): Admission<InvestigationAdmitted> => ({ kind: 'ignore', result: { status: 'ignored', reason, ...(incidentKey ? { incidentKey } : {}) } });
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
  readFacts: readInvestigationFacts,
  decide: investigationPlan,
  act: (act, session, rt) => (act.kind === 'hand-off' ? handOff(act, session, rt) : restartForMemoryLeak(act, session, rt)),
  // The alarm does not fire again while it stays in ALARM: a failed investigation is said now.
  failurePage: ({ alarm, key }, _event, rt, error) =>
    alarm.detail.state.value === 'OK'
      ? undefined
      : investigationFailedPage({ config: rt.config, incidentKey: key, alarm: { name: alarm.detail.alarmName, stateChangedAt: alarm.detail.state.timestamp, reason: alarm.detail.state.reason }, error, now: rt.clock.now() }),
};

export function investigate5xxIntake(event: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(investigate5xxIntakeDefinition, event, rt);
}

/** Investigation Steps 1-5 (error rate, logs, database, resources, dependencies), bounded reads. */
async function readInvestigationFacts({ alarm, key }: InvestigationAdmitted, _event: unknown, rt: Runtime): Promise<InvestigationFacts> {
  const loaded = await rt.store.loadIncident(key);
  const { alarmName, state } = alarm.detail;
  if (state.value === 'OK') return { loaded };
  const signals = await new AwsInvestigationOperations(rt.aws, rt.config).gatherSignals({ name: alarmName, stateChangedAt: state.timestamp, reason: state.reason }, rt.clock.now());
  if (!restartHistoryNeeded(signals)) return { loaded, signals };
  const svc = rt.config.service;
  return { loaded, signals, restartsSinceAlarm: await rt.store.recentActions(restartScope(svc.clusterName, svc.serviceName), state.timestamp) };
}

/** Traffic spike -> runbook 3, bad deployment -> runbook 2: an event on the bus, and a page saying so. */
async function handOff({ response, reason }: Extract<InvestigationAct, { kind: 'hand-off' }>, session: IncidentSession, rt: Runtime): Promise<IntakeResult> {
  const page = makePage(rt.pager, rt.clock, session);
  try {
    await rt.emit(response.detailType, { ...response.detail });
  } catch (err) {
    // Paged now rather than thrown: a retry would gather and classify again and page twice; the page says what to do by hand.
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    session.record({ kind: 'error', runbook: 'investigate-5xx', summary: `hand-off ${response.detailType} failed: ${why}` });
    await page(handOffFailedPage(response, why));
    return { status: 'paged', incidentKey: session.key, reason };
  }
  session.record({ kind: 'decision', runbook: 'investigate-5xx', summary: `handed off: ${response.detailType} (${response.detail.reason})` });
  const { at: _at, ...handOffPage } = response.page;
  void _at;
  await page(handOffPage);
  return { status: 'acted', incidentKey: session.key, reason };
}

/** Memory Leak: a forced new deployment (fresh tasks), through the Actuator, once per ALARM. */
async function restartForMemoryLeak(act: Extract<InvestigationAct, { kind: 'restart' }>, session: IncidentSession, rt: Runtime): Promise<IntakeResult> {
  const outcome = await restartOnce(act, session, rt);
  let status: IntakeResult['status'] = 'paged';
  if (outcome.status === 'executed') {
    await rt.store.markOwnChange(outcome.result.deploymentId, session.key, rt.clock.now());
    session.record({ kind: 'note', runbook: 'investigate-5xx', summary: `deployment ${outcome.result.deploymentId} marked as our own change (loop guard: it never starts a rollback)` });
    session.ledger().setIfUnset({ mitigatedAt: rt.clock.now() });
    session.ledger().set({ status: 'mitigated' });
    status = 'acted';
  } else if (outcome.status === 'dry-run') {
    status = 'dry-run';
  }
  await makePage(rt.pager, rt.clock, session)(restartOutcomePage(act.response, outcome, rt.config.service.serviceName));
  return { status, incidentKey: session.key, reason: act.reason };
}

/** The restart, unless a first attempt of this ALARM's event already made it (the facts re-read before acting). */
async function restartOnce({ request, alreadyMade }: Extract<InvestigationAct, { kind: 'restart' }>, session: IncidentSession, rt: Runtime): Promise<ActOutcome<RestartResult>> {
  if (alreadyMade) {
    session.record({ kind: 'note', runbook: 'investigate-5xx', summary: `already done: ${alreadyMade.summary} at ${new Date(alreadyMade.at).toISOString()} for this ALARM (deployment ${alreadyMade.deploymentId}); not restarting again` });
    return { status: 'executed', result: { deploymentId: alreadyMade.deploymentId, taskDefinition: alreadyMade.taskDefinition, alreadyDone: true } };
  }
  // Owner: the incident key (a non-durable intake has no execution name). The lock is not held
  // after the call: nothing here runs later to give it back, it would block a rollback for lockTtlSeconds.
  const ops = new AwsInvestigationOperations(rt.aws, rt.config);
  const now = rt.clock.now();
  return makeAct(rt.actuator, session, { owner: session.key })(request, () => ops.forceNewDeployment(now));
}
