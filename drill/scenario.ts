/**
 * A drill scenario: one incident replayed against the simulated region.
 *
 * The file format is documented in drill/README.md (the runbook authors' reference);
 * validation (drill/validate.ts) turns a raw JSON/YAML document into this shape or into
 * errors that name the offending path (`timeline[3].at: ...`).
 */
import type { RunbookMode } from '../domain/modes';
import type { IncidentStatus } from '../domain/incident';
import type { AutopilotConfig, RunbookId, Severity } from '../domain/config';

/** Seconds (number) or a duration string: '90s', '+90s', '5m', '+1m30s', '2h'. Relative to the scenario start. */
export type DurationSpec = number | string;

/** An EventBridge event, inline or taken from events/samples with a deep-merged patch. */
export type EventSpec = Record<string, unknown> | { sample: string; patch?: Record<string, unknown> };

interface StepBase {
  at: DurationSpec;
  /** Shown in the timeline next to the entry. */
  note?: string;
}

export interface EventStep extends StepBase {
  type: 'event';
  event: EventSpec;
  /** Keep the event's `id` as written (to replay exact EventBridge duplicates). Default: a unique id per delivery. */
  keepId?: boolean;
  /** Keep the event's `time` as written (to replay stale events). Default: the simulated time of delivery. */
  keepTime?: boolean;
  /** Storms: deliver this many copies in total (default 1) ... */
  repeat?: number;
  /** ... one every `every` (default 0: all at `at`). */
  every?: DurationSpec;
  /** Deliver to these runbooks' intakes instead of asking routeEvent (for events the rules would not route). */
  deliverTo?: RunbookId[];
  /** The bus the event is put on (default: 'default', where AWS's events arrive; 'private': requests and hand-offs). */
  bus?: 'default' | 'private';
  /**
   * This event is a request the operator-request function relayed for this verified principal
   * (its detail's requestedBy): the drill writes the function's relay marker, then delivers the
   * event on the private bus as EventBridge would (with `repeat`/`keepId`: its duplicates).
   */
  relayedBy?: string;
}

export interface WorldStep extends StepBase {
  type: 'world';
  /** A change in the simulator's own format (test/simulated-region scheduled changes), applied at `at`. */
  change: Record<string, unknown>;
}

export interface ApprovalStep extends StepBase {
  type: 'approve' | 'reject';
  /** Name of the waitForApproval the workflow waits in (e.g. 'approve-failover'). '*' answers any. */
  callback: string;
  by?: string;
  note?: string;
  /**
   * Answer through the operator-request function as this principal (an STS ARN), with a
   * proof signed by the simulated STS, as `autopilot approve` does. Without it the drill
   * answers the gate directly (the callback a trusted operator would send).
   */
  as?: string;
}

/** A person asks through `autopilot request` (the operator-request function), signed as `as`. */
export interface RequestStep extends StepBase {
  type: 'request';
  /** The caller's principal ARN as STS would report it. */
  as: string;
  /** 'Restore Requested' | 'S3 Restore Requested' | 'Rollback Requested'. */
  detailType: string;
  /** The request without requestedBy (set by the function from the verified identity). */
  detail: Record<string, unknown>;
}

export interface ControlsStep extends StepBase {
  type: 'controls';
  /** An operator flips the kill switch / dry-run in the state table mid-incident. */
  controls: { killSwitch?: boolean; dryRun?: boolean; setBy?: string; reason?: string };
}

/**
 * The stage's schedule rule fires: EventBridge delivers its "Scheduled Event" (source aws.events,
 * events/samples/scheduled-preflight.json, `resources` the stage's rule) to the scheduled
 * readiness check (PREFLIGHT_FUNCTION), run under its own role like every function.
 */
export interface ScheduleStep extends StepBase {
  type: 'schedule';
}

export type TimelineStep = EventStep | WorldStep | ApprovalStep | ControlsStep | RequestStep | ScheduleStep;

export interface CallMatcher {
  /** Service as the SDK names the client without "Client": 'RDS', 'ECS', 'Route53', 'CloudWatch'... */
  service: string;
  /** Operation as the SDK names it without "Command": 'PromoteReadReplica'. Omitted: any operation of the service. */
  operation?: string;
  region?: string;
}

export interface MustCall extends CallMatcher {
  /** Exactly this many successful calls. Omitted: at least one. */
  times?: number;
}

export interface PageMatcher {
  severity?: Severity;
  action?: 'trigger' | 'resolve';
  titleIncludes?: string;
  /** Text that must appear anywhere in the published message (title, diagnosis, refused, next step). */
  messageIncludes?: string;
  /** The page names this guardrail among what it refused (page.refused[].guardrail). */
  refusedBy?: string;
  /** Exactly this many matching pages. Omitted: at least one. */
  times?: number;
}

/** A custom metric datum published (PutMetricData), e.g. the preflight's RunbookReady. */
export interface MetricMatcher {
  /** MetricName ('RunbookReady'). */
  name: string;
  /** Default: any namespace. */
  namespace?: string;
  /** Each named dimension has this value ({ "Runbook": "database-failover" }). */
  dimensions?: Record<string, string>;
  /** The datum's value. Omitted: any. */
  value?: number;
  /** Exactly this many matching data. Omitted: at least one. */
  times?: number;
}

export interface Expectations {
  mustCall?: MustCall[];
  mustNotCall?: CallMatcher[];
  pages?: PageMatcher[];
  noPages?: boolean;
  /** Successful mutating AWS calls (adapters/aws/clients isMutatingCall) across the scenario. */
  maxMutations?: number;
  /** Every incident the scenario opened ends in this status; or per runbook. */
  incidentStatus?: IncidentStatus | Partial<Record<RunbookId, IncidentStatus>>;
  /** Each guardrail named here refused at least once ('KillSwitch', 'Cooldown', 'ActionBudget', ...). */
  guardrailRefusals?: string[];
  /** No guardrail refused anything. */
  noGuardrailRefusals?: boolean;
  /** Substrings that must each appear in some timeline entry's summary. */
  timelineIncludes?: string[];
  /** Substrings that must appear in no timeline entry's summary. */
  timelineExcludes?: string[];
  /** Exactly this many deliveries were rejected by intake (bad input, foreign account, too old). */
  rejectedEvents?: number;
  /** Durable workflow starts: 'started' (new executions) and 'joined' (deduplicated onto a running/completed one). */
  workflows?: { started?: number; joined?: number };
  /** Simulated time from the first event to the first mitigated incident, at most this long. */
  mitigatedWithin?: DurationSpec;
  /** Every page says "would" and lists no action as done (shadow / dry-run: domain/modes.ts isWorded); at least one page. */
  everyPageSaysWould?: boolean;
  /** Every page carries this runbook mode (domain/modes.ts). */
  pageMode?: RunbookMode;
  /** Custom metric data published (CloudWatch PutMetricData), in any region. */
  metrics?: MetricMatcher[];
}

/** Deep-partial, for config overrides. */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface Scenario {
  /** Kebab-case; the report is drill-reports/<name>.md. By convention the file is drill/scenarios/<name>.json. */
  name: string;
  /** The incident it replays, in a sentence or two. */
  description: string;
  /** The runbook(s) it exercises (for the summary; delivery is decided by routing). */
  runbooks: RunbookId[];
  /** Simulated wall-clock time at T+0 (ISO). Default 2026-01-15T03:00:00.000Z. */
  startAt?: string;
  /** Deep-merged onto defaultConfig (arrays replace). */
  config?: DeepPartial<AutopilotConfig>;
  /** Written to the state table before T+0. */
  controls?: { killSwitch?: boolean; dryRun?: boolean; setBy?: string; reason?: string };
  /**
   * Guardrail history written to the state table before T+0: earlier actions (an earlier
   * failover, a spent budget; `at` is relative to T+0, e.g. "-2h") and held locks.
   */
  history?: {
    actions?: { scope: string; action: string; at: DurationSpec; incidentKey: string; summary?: string }[];
    locks?: { resource: string; owner: string; at?: DurationSpec; ttlSeconds?: number }[];
  };
  /** Deep-merged onto the simulator's baselineWorld() (arrays replace). */
  world?: Record<string, unknown>;
  /** Replaces the baseline entirely (a full WorldSpec). Not together with `world`. */
  fullWorld?: Record<string, unknown>;
  /** Fault injections, in the simulator's format (test/simulated-region), installed before T+0. */
  faults?: Record<string, unknown>[];
  /**
   * Events the simulated region itself emits (alarm state changes, ECS deployment and RDS
   * events) are routed and delivered like EventBridge would ('deliver', the default), or
   * only shown ('ignore').
   */
  awsEvents?: 'deliver' | 'ignore';
  timeline: TimelineStep[];
  expectations: Expectations;
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid scenario\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}
