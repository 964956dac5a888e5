/**
 * What a runbook's intake decides, as data: event + live facts + guardrail state -> one plan.
 * Every runbook's decision (domain/<runbook>/intake-plan.ts) is a pure function returning an
 * IntakePlan; the shared pipeline (pipeline/intake.ts) reads the facts before it and carries
 * the plan out after it, the same way for every runbook. Pure: no SDK, no clock, no env.
 */
import type { AutopilotConfig } from './config';
import type { AutopilotEvent } from '../events/types';
import type { IncidentInit, IncidentRecord, TimelineEntry } from './incident';
import type { Page } from './paging';

/** What a decision may read besides its facts: the event, the config, the time it runs at. */
export interface DecisionContext {
  event: AutopilotEvent;
  config: AutopilotConfig;
  now: number;
}

export type { IncidentInit };

/** A timeline entry as a plan states it: the pipeline stamps the time when it records it. */
export type PlannedEntry = Omit<TimelineEntry, 'at'>;

/** The record fields a plan sets (the decision computes their final values from the loaded record). */
export type IncidentPatch = Partial<Pick<IncidentRecord, 'status' | 'startedAt' | 'mitigatedAt' | 'resolvedAt' | 'rootCauseGuess'>>;

/** The incident record a plan writes to. */
export type PlannedRecord =
  /** The record as the facts loaded it, appended to; a new one from `init` when there was none. */
  | { kind: 'continue'; init: IncidentInit; loaded: IncidentRecord | undefined }
  /** A new episode under the same key (one PagerDuty alert per resource): a fresh record from `init`. */
  | { kind: 'new-episode'; init: IncidentInit };

/** How a plan changes the incident record: entries in order, then the fields, then refusals. */
export interface RecordChanges {
  record: PlannedRecord;
  entries: PlannedEntry[];
  patch?: IncidentPatch;
  refusals?: string[];
}

export type PlannedPage = Omit<Page, 'at'>;

/**
 * One plan per event. `ignore` writes nothing. `page` writes the record and pages. `start` starts
 * (or joins, by execution name) the runbook's durable workflow. `act` is a runbook's own
 * mutation at the intake (the 5XX investigation's restart and hand-offs), carried out by that
 * runbook through the Actuator.
 */
export type IntakePlan<Act = never> =
  | { kind: 'ignore'; reason: string; incidentKey?: string }
  | ({ kind: 'page'; page: PlannedPage; reason?: string } & RecordChanges)
  | ({
      kind: 'start';
      workflow: { executionName: string; input: unknown };
      /**
       * The facts say a workflow of this incident is running: it owns the record, so this event
       * is recorded in the log and the timeline sinks, not saved over the workflow's writes.
       */
      joining: boolean;
      /** Said when the start itself fails, before the rethrow (Lambda's retry may fail the same way). */
      startFailurePage?: PlannedPage;
    } & RecordChanges)
  | ({ kind: 'act'; act: Act } & RecordChanges);

export function ignorePlan(reason: string, incidentKey?: string): IntakePlan<never> {
  return incidentKey ? { kind: 'ignore', reason, incidentKey } : { kind: 'ignore', reason };
}

/** The incident a plan writes to, when it writes one. */
export function planIncidentKey(plan: IntakePlan<unknown>): string | undefined {
  return plan.kind === 'ignore' ? plan.incidentKey : plan.record.init.key;
}
