/**
 * What one scenario run produced: the drill's timeline, the calls, the pages, the intake
 * results and the incident records. Expectations, the printer and the report read only this.
 */
import type { RunbookId, Severity } from '../domain/config';
import type { IncidentRecord } from '../domain/incident';
import type { Page } from '../domain/paging';
import type { IntakeResult } from '../handlers/shared/runtime';
import type { PreparedScenario } from './load';

export type DrillEntryKind =
  | 'event' // an event delivered (or not routed)
  | 'intake' // what an intake handler returned
  | 'signal'
  | 'guardrail'
  | 'decision'
  | 'aws-call'
  | 'action'
  | 'wait'
  | 'approval'
  | 'page'
  | 'workflow' // durable execution started / joined / completed
  | 'world' // a scheduled change, a fault, an operator switch
  | 'error'
  | 'note';

export interface DrillEntry {
  /** Simulated epoch ms. */
  at: number;
  kind: DrillEntryKind;
  summary: string;
  runbook?: RunbookId;
  incidentKey?: string;
  service?: string;
  operation?: string;
  region?: string;
  attempt?: number;
  error?: string;
  mutating?: boolean;
  severity?: Severity;
  verdict?: { guardrail: string; pass: boolean; reason: string };
  /** Delivered after its scenario time because a workflow had moved the clock past it. */
  lateBySeconds?: number;
}

export interface CallRecord {
  at: number;
  service: string;
  operation: string;
  region: string;
  attempt: number;
  error?: string;
  mutating: boolean;
}

export interface PageRecord {
  at: number;
  page: Page;
}

export interface IntakeRecord {
  at: number;
  runbook: RunbookId;
  result: IntakeResult;
}

export interface ScenarioRun {
  prepared: PreparedScenario;
  entries: DrillEntry[];
  calls: CallRecord[];
  pages: PageRecord[];
  /** SNS Publish bodies, as published (for messageIncludes). */
  snsMessages: { at: number; topicArn: string; subject?: string; message: string }[];
  intakes: IntakeRecord[];
  incidents: IncidentRecord[];
  workflows: { started: number; joined: number };
  /** Reasons the run itself failed (not runnable, crashed handler, unknown AWS operation...): each fails the scenario. */
  runErrors: string[];
  /** Simulated epoch ms of the first delivered event. */
  firstEventAt?: number;
  endedAt: number;
  wallMs: number;
}
