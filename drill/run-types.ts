/**
 * What one scenario run produced: the drill's timeline, the calls, the pages, the intake
 * results and the incident records. Expectations, the printer and the report read only this.
 */
import type { RunbookId, Severity } from '../domain/config';
import type { GuardrailName } from '../domain/guardrails';
import type { IncidentRecord } from '../domain/incident';
import type { Page } from '../domain/paging';
import type { IntakeResult } from '../pipeline/intake';
import type { PreparedScenario } from './load';
import type { TriggerSeries } from './metrics';

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
  verdict?: { guardrail: GuardrailName; pass: boolean; reason: string };
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
  /** Set once the SNS Publish behind it succeeded (a page whose publish failed reached nobody). */
  published?: boolean;
}

/** A successful mutating AWS call with its input (the chaos run finds repeated mutations with it). */
export interface MutationRecord {
  at: number;
  service: string;
  operation: string;
  region: string;
  input: unknown;
}

/** An intake that threw on every Lambda attempt: the event went to the on-failure queue (its alarm pages P2). */
export interface ExhaustedIntake {
  at: number;
  runbook: RunbookId;
  event: string;
  error: string;
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
  /** Successful mutating AWS calls with their inputs, in call order. */
  mutations?: MutationRecord[];
  /** Intake deliveries that exhausted Lambda's retries (each is also a run error). */
  exhaustedIntakes?: ExhaustedIntake[];
  /** Steps the chaos crash hook made crash after their side effects (DrillEnvironment.crashEachStepOnce). */
  crashedSteps?: string[];
  /** Every IAM authorisation the simulated region made, per calling function (test/simulated-region/iam.ts). */
  authorizations?: { at: number; caller?: string; service: string; operation: string; decisions: { action: string; resource: string; allowed: boolean; by?: string }[] }[];
  /** Reasons the run itself failed (not runnable, crashed handler, unknown AWS operation...): each fails the scenario. */
  runErrors: string[];
  /** The metric series of the alarms that fired during the run (the HTML report plots them). */
  triggerSeries?: TriggerSeries[];
  /** Events delivered (timeline, hand-offs and the simulated region's own), routed or not. */
  deliveries?: number;
  /**
   * A database failover that completed: when the simulated region made the promoted replica
   * available, when the incident was mitigated, and the seconds between (issue 18's
   * "failover time after the replica became available").
   */
  failover?: { replicaAvailableAt: number; mitigatedAt: number; secondsAfterReplicaAvailable: number };
  /** Custom metric data published with PutMetricData (the preflight's RunbookReady), every region, in call order. */
  metrics?: { at: number; region: string; namespace: string; metricName: string; dimensions: Record<string, string>; value: number }[];
  /** Simulated epoch ms of the first delivered event. */
  firstEventAt?: number;
  endedAt: number;
  wallMs: number;
}
