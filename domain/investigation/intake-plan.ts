/**
 * Runbook 4, "Investigate High 5XX Error Rate": the intake's decision, pure. The ALARM + the
 * runbook's signals (Investigation Steps 1-5) + the incident's record + the restarts already
 * made for this ALARM -> one plan: classify (Common Causes and Solutions), then hand off
 * (traffic spike -> runbook 3, bad deployment -> runbook 2), restart on a memory leak (the one
 * mutation, through the Actuator), or page. An OK resolves the open incident's page.
 */
import { TUNABLES } from '../config';
import type { ActionRecord } from '../guardrails';
import type { IncidentRecord } from '../incident';
import type { ActOutcome, ActRequest } from '../ports';
import type { DecisionContext, IntakePlan, PlannedEntry, PlannedPage, PlannedRecord } from '../intake-plan';
import type { Page } from '../paging';
import type { EventOf } from '../../events/types';
import { serviceLockResource } from '../scaling/capacity';
import { classify, DEFAULT_THRESHOLDS } from './classify';
import { formatEvidence, respond, RESTART_ACTION, restartAlreadyMade, restartScope, signalSummary, type InvestigationResponse } from './respond';
import type { FiveXxSignals } from './signals';

const RUNBOOK = 'investigate-5xx' as const;

/** UpdateService answers with the new deployment at once: a restart's deployment is created within this of its record. */
const RESTART_DEPLOYMENT_WINDOW_MS = TUNABLES.investigation.restartDeploymentWindowSeconds * 1000;

export interface InvestigationAdmitted {
  alarm: EventOf<'alarm'>;
  key: string;
}

export interface InvestigationFacts {
  /** The incident's record, as stored. */
  loaded: IncidentRecord | undefined;
  /** ALARM only: the signals of Investigation Steps 1-5 (bounded reads). */
  signals?: FiveXxSignals;
  /** ALARM only, when the signals point at a memory leak: restarts recorded since the ALARM began. */
  restartsSinceAlarm?: ActionRecord[];
}

/** The intake's own mutations, carried out by runbooks/investigate-5xx/intake.ts. */
export type InvestigationAct =
  | { kind: 'hand-off'; response: Extract<InvestigationResponse, { kind: 'hand-off-scale' | 'hand-off-rollback' }>; reason: string }
  | {
      kind: 'restart';
      response: Extract<InvestigationResponse, { kind: 'restart' }>;
      request: ActRequest;
      /** A first attempt of this ALARM's event already made it (Lambda's retry after a later failure): not again. */
      alreadyMade?: { deploymentId: string; taskDefinition: string; at: number; summary: string };
      reason: string;
    };

/** An open investigation older than this is a new incident when the alarm fires again. */
function isClosed(rec: IncidentRecord, now: number): boolean {
  return rec.status === 'resolved' || rec.status === 'ignored' || now - rec.detectedAt > TUNABLES.investigation.maxIncidentSeconds * 1000;
}

function withoutAt(page: Page): PlannedPage {
  const { at: _at, ...rest } = page;
  void _at;
  return rest;
}

/** The signals point at a memory leak: the decision then needs the restarts already made for this ALARM. */
export function restartHistoryNeeded(signals: FiveXxSignals): boolean {
  return classify(signals, DEFAULT_THRESHOLDS).cause === 'memory-leak';
}

export function investigationPlan({ alarm, key }: InvestigationAdmitted, facts: InvestigationFacts, ctx: DecisionContext): IntakePlan<InvestigationAct> {
  return alarm.detail.state.value === 'OK' ? resolvePlan(alarm, key, facts.loaded, ctx) : investigatePlan(alarm, key, facts, ctx);
}

function investigatePlan(alarm: EventOf<'alarm'>, key: string, facts: InvestigationFacts, { config, now }: DecisionContext): IntakePlan<InvestigationAct> {
  const { alarmName, state } = alarm.detail;
  if (!facts.signals) throw new Error('investigate-5xx intake: an ALARM is decided only with its signals read');
  const signals = facts.signals;
  const init = { key, runbook: RUNBOOK, title: `High 5XX rate on ${config.service.serviceName} (${alarmName})`, severity: 'P2' as const, detectedAt: now };
  const record: PlannedRecord = facts.loaded && !isClosed(facts.loaded, now) ? { kind: 'continue', init, loaded: facts.loaded } : { kind: 'new-episode', init };
  const entries: PlannedEntry[] = [{ kind: 'event', runbook: RUNBOOK, summary: `${alarmName} ALARM at ${new Date(state.timestamp).toISOString()}: ${state.reason}`, detail: { eventId: alarm.id } }];
  // Investigation Steps 1-5: error rate, logs, database, resources, dependencies.
  for (const line of signalSummary(signals)) entries.push({ kind: 'signal', runbook: RUNBOOK, summary: line });
  entries.push({ kind: 'note', runbook: RUNBOOK, summary: `signals gathered in ${signals.callsMade} AWS calls` });
  // Common Causes and Solutions: classify, with evidence and precedence.
  const classification = classify(signals, DEFAULT_THRESHOLDS);
  entries.push({
    kind: 'decision',
    runbook: RUNBOOK,
    summary: `classified as ${classification.cause}${classification.alsoMatched.length ? ` (also matched: ${classification.alsoMatched.map((f) => f.cause).join(', ')})` : ''}`,
    detail: { evidence: classification.evidence, errorsBeganAt: new Date(classification.errorsBeganAt).toISOString(), unreadable: classification.unreadable },
  });
  const startedAt = record.kind === 'continue' ? (record.loaded?.startedAt ?? now) : now;
  const changes = { record, entries, patch: { startedAt, rootCauseGuess: `${classification.cause}: ${classification.evidence.map(formatEvidence).join('; ')}` } };
  const reason = `${classification.cause}: ${classification.evidence[0] ? formatEvidence(classification.evidence[0]) : 'no evidence'}`;

  const response = respond({ classification, signals, config, incidentKey: key, now });
  switch (response.kind) {
    case 'hand-off-scale':
    case 'hand-off-rollback':
      return { kind: 'act', ...changes, act: { kind: 'hand-off', response, reason } };
    case 'page':
      return { kind: 'page', ...changes, page: withoutAt(response.page), reason };
    case 'restart':
      return restartPlan(response, alarm, key, facts, config, changes, reason);
  }
}

/** Memory Leak: a forced new deployment (fresh tasks), through the Actuator, once per ALARM. */
function restartPlan(
  response: Extract<InvestigationResponse, { kind: 'restart' }>,
  alarm: EventOf<'alarm'>,
  key: string,
  facts: InvestigationFacts,
  config: DecisionContext['config'],
  changes: Pick<Extract<IntakePlan<InvestigationAct>, { kind: 'act' }>, 'record' | 'entries' | 'patch'>,
  reason: string,
): IntakePlan<InvestigationAct> {
  const svc = config.service;
  const signals = facts.signals;
  // A blue/green service rejects a forced new deployment: "Use AWS CodeDeploy to trigger a new deployment"
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html). Refuse with a page.
  if (signals?.service?.deploymentController === 'CODE_DEPLOY') {
    const page: Page = { ...response.page, severity: 'P2', title: `5XX on ${svc.serviceName}: memory leak, restart refused (CodeDeployControlledService)` };
    page.refused = [{ action: response.summary, guardrail: 'CodeDeployControlledService', reason: `${svc.clusterName}/${svc.serviceName} is deployed by CodeDeploy: ECS refuses UpdateService --force-new-deployment; redeploy the current revision with aws deploy create-deployment --application-name ${config.codeDeploy.applicationName} --deployment-group-name ${config.codeDeploy.deploymentGroupName}` }];
    return { kind: 'page', ...changes, page: withoutAt(page), reason };
  }
  const stateChangedAt = alarm.detail.state.timestamp;
  const earlier = restartAlreadyMade(facts.restartsSinceAlarm ?? [], key, stateChangedAt);
  // The restart's own deployment: the PRIMARY one ECS created right after the restart was recorded
  // (recorded before its call). A deployment someone made later is not ours to mark as our own change.
  const forced = earlier ? signals?.service?.deployments.find((d) => d.status === 'PRIMARY' && d.createdAt >= earlier.at && d.createdAt <= earlier.at + RESTART_DEPLOYMENT_WINDOW_MS) : undefined;
  const request: ActRequest = {
    action: RESTART_ACTION,
    // Its own scope: a restart is paced by restartCooldownSeconds, independently of scaling changes ...
    scope: restartScope(svc.clusterName, svc.serviceName),
    // ... but it locks the service like every runbook that changes it: never during a rollback, a scale-out or a restore switch.
    lockResource: serviceLockResource(svc.clusterName, svc.serviceName),
    summary: response.summary,
    cooldownSeconds: config.guardrails.scaling.restartCooldownSeconds,
    budget: { max: 1, windowSeconds: config.guardrails.scaling.restartCooldownSeconds },
  };
  const alreadyMade = earlier && forced ? { deploymentId: forced.id, taskDefinition: forced.taskDefinition, at: earlier.at, summary: earlier.summary ?? RESTART_ACTION } : undefined;
  return { kind: 'act', ...changes, act: alreadyMade ? { kind: 'restart', response, request, alreadyMade, reason } : { kind: 'restart', response, request, reason } };
}

/** What the restart's outcome says on the page (dry-run: nothing ran, the page must not say the tasks were restarted). */
export function restartOutcomePage(response: Extract<InvestigationResponse, { kind: 'restart' }>, outcome: ActOutcome<{ deploymentId: string; taskDefinition: string }>, serviceName: string): PlannedPage {
  const page: Page = { ...response.page };
  if (outcome.status === 'executed') {
    page.done = [`forced a new deployment ${outcome.result.deploymentId} (${outcome.result.taskDefinition}): fresh tasks release the leaked memory for now`];
  } else if (outcome.status === 'dry-run') {
    page.title = `5XX on ${serviceName}: memory leak, would restart the tasks; nothing was changed`;
    page.done = [`nothing was changed; would have: ${response.summary}`];
  } else {
    page.severity = 'P2';
    page.title = `5XX on ${serviceName}: memory leak, restart refused (${outcome.guardrail})`;
    page.refused = [{ action: response.summary, guardrail: outcome.guardrail, reason: outcome.reason }];
  }
  return withoutAt(page);
}

/** The hand-off's page when the event could not be sent: what to do by hand. */
export function handOffFailedPage(response: Extract<InvestigationResponse, { kind: 'hand-off-scale' | 'hand-off-rollback' }>, why: string): PlannedPage {
  return withoutAt({ ...response.page, severity: 'P2', title: `${response.page.title} - but the hand-off failed`, done: [], refused: [{ action: `emit ${response.detailType}`, guardrail: 'HandOffFailed', reason: why }] });
}

function resolvePlan(alarm: EventOf<'alarm'>, key: string, loaded: IncidentRecord | undefined, { config, now }: DecisionContext): IntakePlan<InvestigationAct> {
  const { alarmName, state } = alarm.detail;
  if (!loaded || loaded.status === 'resolved' || loaded.status === 'ignored') return { kind: 'ignore', incidentKey: key, reason: `${alarmName} OK and no open incident` };
  return {
    kind: 'page',
    record: { kind: 'continue', init: { key, runbook: RUNBOOK, title: loaded.title, severity: loaded.severity, detectedAt: loaded.detectedAt }, loaded },
    entries: [{ kind: 'event', runbook: RUNBOOK, summary: `${alarmName} OK at ${new Date(state.timestamp).toISOString()}: ${state.reason}` }],
    patch: { status: 'resolved', resolvedAt: now, mitigatedAt: loaded.mitigatedAt ?? now },
    page: {
      incidentKey: key,
      action: 'resolve',
      severity: loaded.severity,
      runbook: RUNBOOK,
      title: `5XX rate on ${config.service.serviceName} back to normal (${alarmName} OK)`,
      resource: `${config.service.loadBalancerDimension} -> service/${config.service.clusterName}/${config.service.serviceName}`,
      diagnosis: [`${alarmName} OK: ${state.reason}`, ...(loaded.rootCauseGuess ? [`cause: ${loaded.rootCauseGuess}`] : [])],
      done: loaded.actionsTaken,
      refused: [],
      nextStep: 'Write the post-incident note (runbook "Post-Incident Procedures").',
    },
    reason: 'alarm OK: incident resolved',
  };
}
