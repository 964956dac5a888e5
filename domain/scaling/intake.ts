/**
 * Which events start (or join) a scaling episode, pure.
 *
 * - A CPU alarm (config.alarms.cpu) entering ALARM. Its OK / INSUFFICIENT_DATA events do not
 *   start anything: the running workflow reads the alarm state itself before scaling in.
 * - A 'Scale Requested' hand-off (investigate-5xx on CPU saturation) for the configured service.
 *
 * The dedupe key makes duplicates of one ALARM period (EventBridge redelivery, an alarm
 * storm) one action: alarm name + the time the alarm entered ALARM. A flapping alarm
 * (ALARM, OK, ALARM) gets a new key per ALARM, and joins the running episode instead.
 */
import type { AutopilotConfig } from '../config';
import { alarmBindingVerdict, isConfiguredAlarm } from '../alarm-binding';
import { incidentKey, type IncidentRecord } from '../incident';
import type { AutopilotEvent } from '../../events/types';
import type { ServiceRef } from './pages';
import type { ScaleTrigger } from './workflow';
import { quoteUntrusted } from '../untrusted-text';

export type ScaleIntake =
  | { kind: 'start'; dedupeKey: string; ref: ServiceRef; trigger: ScaleTrigger; gateAlarms: string[]; summary: string }
  | { kind: 'ignore'; reason: string };

export function scaleIntake(event: AutopilotEvent, config: AutopilotConfig): ScaleIntake {
  const ref: ServiceRef = { region: config.service.region, cluster: config.service.clusterName, service: config.service.serviceName };
  if (event.kind === 'alarm') {
    const { alarmName, state } = event.detail;
    if (!isConfiguredAlarm(config.alarms.cpu, alarmName, event.resources)) return { kind: 'ignore', reason: `${alarmName} is not a configured CPU alarm (${config.alarms.cpu.join(', ')})` };
    // A name is a claim: the alarm's own configuration must say it measures our service's CPU.
    const bound = alarmBindingVerdict(event.detail, 'cpu', config);
    if (!bound.pass) return { kind: 'ignore', reason: bound.reason };
    if (state.value !== 'ALARM') {
      return { kind: 'ignore', reason: `${alarmName} is ${state.value}: a running scaling workflow reads the alarm itself before scaling in` };
    }
    return {
      kind: 'start',
      dedupeKey: `scale-ecs#alarm#${alarmName}#${state.timestamp}`,
      ref,
      trigger: { kind: 'cpu-alarm', alarmName, stateChangedAt: state.timestamp, reason: state.reason },
      gateAlarms: config.alarms.cpu,
      summary: `${alarmName} ALARM at ${new Date(state.timestamp).toISOString()}: ${quoteUntrusted(state.reason)}`,
    };
  }
  if (event.kind === 'scale-request') {
    const d = event.detail;
    if (d.cluster !== ref.cluster || d.service !== ref.service) {
      return { kind: 'ignore', reason: `scale request for ${d.cluster}/${d.service}, not the configured service ${ref.cluster}/${ref.service}` };
    }
    return {
      kind: 'start',
      dedupeKey: `scale-ecs#event#${event.id}`,
      ref,
      trigger: { kind: 'scale-requested', requestedBy: d.incidentKey, reason: d.reason, evidence: d.evidence },
      // Scale back in only when both CPU and the 5XX rate that asked for it are quiet.
      gateAlarms: [...config.alarms.cpu, ...config.alarms.fiveXx],
      summary: `Scale Requested by ${quoteUntrusted(d.incidentKey, 120)}: ${quoteUntrusted(d.reason)}`,
    };
  }
  return { kind: 'ignore', reason: `scale-ecs does not handle ${event.kind} events` };
}

/** One incident key per service: the PagerDuty dedup key, repeats update one alert. */
export function scalingIncidentKey(ref: ServiceRef): string {
  return incidentKey('scale-ecs', ref.service);
}

/**
 * Is the incident's scaling episode still running? Then a new trigger joins its workflow.
 * A closed one (resolved, escalated, ignored), or one older than a workflow can live,
 * starts a new episode.
 */
export function episodeIsActive(incident: IncidentRecord, now: number, maxEpisodeSeconds: number): boolean {
  const active = incident.status === 'open' || incident.status === 'mitigated';
  return active && now - incident.detectedAt < maxEpisodeSeconds * 1000;
}

/** Durable execution name of one episode: unique per episode (Lambda keeps names unique per account and region). */
export function episodeExecutionName(ref: ServiceRef, detectedAt: number): string {
  return incidentKey('scale-ecs', ref.service, String(Math.floor(detectedAt / 1000)));
}

/**
 * An ALARM period that began before the last episode ended was already seen by that
 * episode's polls (it scaled, waited for OK, scaled back in): a late or retried delivery
 * of it must not start another episode.
 */
export function coveredByLastEpisode(incident: IncidentRecord, alarmStateChangedAt: number): boolean {
  return incident.resolvedAt !== undefined && alarmStateChangedAt <= incident.resolvedAt;
}
