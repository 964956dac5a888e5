/**
 * Ports: everything the domain needs from the world, as interfaces. Adapters implement
 * them for AWS (production) and for the simulated region (drills and tests). Nothing in
 * domain/ imports an SDK, reads the clock or the environment: these come in as arguments.
 */
import type { IncidentRecord, TimelineEntry } from './incident';
import type { ActionRecord, Controls, GuardrailName, LockLease, VerdictCode } from './guardrails';
import type { Page } from './paging';
import type { ResourceClaim } from './arbiter';
import type { ReadinessReport } from './preflight';

export interface Clock {
  /** Epoch milliseconds. Simulated in drills. */
  now(): number;
}

/**
 * Guardrail state that spans executions, kept in DynamoDB (dynalite locally).
 * Every method is a single conditional or consistent operation: no read-modify-write races.
 */
export interface GuardrailStore {
  readControls(): Promise<Controls>;
  setControls(controls: Partial<Controls>, now: number): Promise<void>;

  /** Actions against a scope (or 'global' for every runbook) at or after `since`. */
  recentActions(scope: string, since: number): Promise<ActionRecord[]>;
  /** Records under its own scope and under 'global' (the circuit breaker counts those). */
  recordAction(action: ActionRecord): Promise<void>;
  /** Marks an action recorded before its call as failed / not run (breaker keeps counting it). */
  markActionOutcome(action: ActionRecord, outcome: 'failed' | 'not-run'): Promise<void>;
  /**
   * Circuit breaker, atomically across executions: one more action and `mutations` more
   * mutating calls in the window bucket, only when both stay within their limits.
   */
  reserveBreaker(req: { bucket: number; mutations: number; maxActions: number; maxMutations: number; expiresAt: number }): Promise<{ reserved: boolean; actions: number; mutations: number }>;

  /** Conditional write: succeeds when free, expired or already ours. */
  acquireLock(resource: string, owner: string, now: number, ttlSeconds: number): Promise<{ acquired: true; lease: LockLease } | { acquired: false; heldBy: LockLease }>;
  releaseLock(resource: string, owner: string): Promise<void>;

  /** First caller for `key` gets true; later callers (duplicates) false. Expires after ttl. */
  claimOnce(key: string, now: number, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim back: the work it guarded failed, so the retry of the same event must run. */
  releaseClaim(key: string): Promise<void>;

  /** Loop guard: changes the autopilot made itself (deployment ids, ...), so their events never start a remediation. */
  markOwnChange(ref: string, incidentKey: string, now: number): Promise<void>;
  isOwnChange(ref: string): Promise<boolean>;

  /** The arbiter's record of what is in progress on a resource (domain/arbiter.ts); written only under its lock. */
  readClaims(resource: string): Promise<ResourceClaim[]>;
  writeClaims(resource: string, claims: readonly ResourceClaim[], now: number): Promise<void>;

  saveIncident(record: IncidentRecord): Promise<void>;
  /**
   * A new episode under the key (one PagerDuty alert per resource): its record replaces the
   * finished episode's instead of being merged into it (saveIncident merges concurrent writers
   * of one episode, keeping the further status and the earlier detection).
   */
  replaceIncident(record: IncidentRecord): Promise<void>;
  loadIncident(key: string): Promise<IncidentRecord | undefined>;

  /** The scheduled readiness check's latest verdicts (written by the preflight function, read by each workflow at its start). */
  writeReadiness(report: ReadinessReport): Promise<void>;
  readReadiness(): Promise<ReadinessReport | undefined>;

  /** Optional round-trip savers (DynamoDB: BatchGetItem; a read started alongside a claim). */
  ownChanges?(refs: readonly string[]): Promise<Set<string>>;
  prefetchIncident?(key: string): void;
  dropPrefetch?(key: string): void;
  /**
   * A counter with a ceiling, atomic across executions (a conditional update): takes up to
   * `want` units of `key`'s `max`, returns how many were granted and how many were used
   * before. Expires after `ttlSeconds`. (The S3 restore's objects per bucket per day.)
   */
  takeQuota(key: string, want: number, max: number, now: number, ttlSeconds: number): Promise<{ granted: number; usedBefore: number }>;
}

export interface Pager {
  send(page: Page): Promise<void>;
}

/** Append-only view of the incident timeline; also logs each entry (structured). */
export interface Recorder {
  record(entry: Omit<TimelineEntry, 'at'> & { at?: number }): void;
}

/** The incident record's outcome fields: what a workflow concluded about the incident, and when. */
export type IncidentOutcome = Required<Pick<IncidentRecord, 'status' | 'startedAt' | 'mitigatedAt' | 'resolvedAt' | 'rootCauseGuess'>>;

/**
 * How a workflow sets the incident's outcome fields. One port for every runbook, so each
 * field is written one way whichever runbook writes it, and whether a write overwrites or
 * keeps the first value is said by the method called, not by a per-runbook adapter.
 * Called inside steps (a step's checkpoint is when the record is saved).
 */
export interface IncidentLedger {
  /** Overwrites each field given (undefined = not given): the latest value is the record's. */
  set(fields: Partial<IncidentOutcome>): void;
  /**
   * Sets each field given only where the record has none yet: the first value wins, so a
   * re-run step or a later round does not move the start of a mitigation or its first success.
   */
  setIfUnset(fields: Partial<Omit<IncidentOutcome, 'status'>>): void;
  /** Appends a refusal the domain decided itself (the Actuator wiring appends those of `act`). */
  addRefusal(summary: string): void;
  /** The record as it is now (detection time, actions taken), to report from. */
  current(): Readonly<IncidentRecord>;
}

export type ApprovalOutcome =
  | { outcome: 'APPROVED'; by?: string; note?: string }
  | { outcome: 'REJECTED'; by?: string; note?: string }
  | { outcome: 'EXPIRED' };

/**
 * A runbook that waits is written against this port. In Lambda it is a durable
 * execution (adapters/durable.ts): each `step` is checkpointed and never re-run once it
 * completed, `wait` costs nothing, `waitForApproval` is a callback. Code outside steps is
 * replayed on every invocation, so anything with a side effect (AWS call, recording,
 * paging, reading the clock) goes inside a step.
 */
export interface Workflow {
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  wait(name: string, seconds: number): Promise<void>;
  /** `submit` receives the callback id and sends the page carrying the approve/reject commands. */
  waitForApproval(name: string, timeoutSeconds: number, submit: (callbackId: string) => Promise<void>): Promise<ApprovalOutcome>;
}

/**
 * How a workflow asks for a mutation: the handler wires this to Actuator.execute, so the
 * guardrails run (and are recorded) before `mutate` is ever called.
 */
export type ActOutcome<T> =
  | { status: 'executed'; result: T }
  | { status: 'dry-run' }
  /** `code`: the refusing verdict's, when it has one (domain/guardrails.ts VerdictCode). */
  | {
      status: 'refused';
      guardrail: GuardrailName;
      reason: string;
      code?: VerdictCode;
      /** When the refusing hold lifts by itself, epoch ms (domain/guardrails.ts holdLiftsAt): a caller may wait for it. */
      liftsAt?: number;
    };

export interface ActRequest {
  action: string;
  scope: string;
  summary: string;
  /** Runbook-specific verdicts computed by the domain (bounds, gates). */
  extraVerdicts?: import('./guardrails').Verdict[];
  /** Resource to lock when it differs from `scope` (e.g. a restart counted apart but locking the service). */
  lockResource?: string;
  /** Mutating calls `mutate` makes (default 1): the circuit breaker counts these. */
  mutations?: number;
  cooldownSeconds?: number;
  budget?: { max: number; windowSeconds: number };
  /** Action kinds that count toward this one's cooldown and budget (default: the same kind; guardrails.ts ActionPolicy). */
  countsActions?: string[];
}

export type Act = <T>(request: ActRequest, mutate: () => Promise<T>) => Promise<ActOutcome<T>>;
