/**
 * The incident record: runbook step 9 ("Document Incident") kept as data.
 *
 * Every handler appends to one record per incident: what it saw, every guardrail
 * verdict, every decision, every AWS call, every page. The drill prints it, the state
 * table stores it, and the post-incident draft is rendered from it.
 */
import type { RunbookId, Severity } from './config';
import type { Verdict } from './guardrails';
import type { RunbookMode } from './modes';

export type TimelineKind =
  | 'event' // an event arrived (or was rejected / ignored)
  | 'signal' // a diagnosis reading (metric, status) with its value
  | 'guardrail' // a guardrail verdict, pass or refuse
  | 'decision' // what the runbook decided and why
  | 'aws-call' // an AWS SDK call (observed at the client, one per attempt)
  | 'action' // a mutating action carried out (or skipped in dry-run)
  | 'wait' // a durable wait started/ended
  | 'approval' // a human gate: requested, APPROVED, REJECTED, EXPIRED
  | 'page' // a page sent (trigger or resolve)
  | 'error' // something failed; what remains manual is in the detail
  | 'note';

export interface TimelineEntry {
  /** Epoch milliseconds (simulated in drills). */
  at: number;
  kind: TimelineKind;
  /** One line a human reads. */
  summary: string;
  runbook?: RunbookId;
  /** For aws-call: the SDK's names, e.g. service 'RDS', operation 'PromoteReadReplica'. */
  service?: string;
  operation?: string;
  /** For aws-call: attempt number and the error name when it failed (ThrottlingException...). */
  attempt?: number;
  error?: string;
  verdict?: Verdict;
  severity?: Severity;
  detail?: Record<string, unknown>;
  /** The runbook's mode when the entry was recorded (domain/modes.ts). */
  mode?: RunbookMode;
}

export type IncidentStatus = 'open' | 'mitigated' | 'resolved' | 'escalated' | 'ignored';

export interface IncidentRecord {
  /** Stable key: the correlation id in logs, the PagerDuty dedup key, the durable execution name. */
  key: string;
  runbook: RunbookId;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  detectedAt: number;
  startedAt?: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  rootCauseGuess?: string;
  actionsTaken: string[];
  refusals: string[];
  timeline: TimelineEntry[];
  /** Resource locks this incident's remediation holds (released when it ends; they expire anyway). */
  heldLocks?: string[];
  /**
   * The durable execution that runs this episode, when its name cannot be derived again from the
   * record (a failover episode reopened in the bucket of the finished one): a later trigger joins it.
   */
  executionName?: string;
}

/** What a new incident record is opened with. */
export interface IncidentInit {
  key: string;
  runbook: RunbookId;
  title: string;
  severity: Severity;
  detectedAt: number;
  /** The durable execution of this episode, stored when a later trigger could not derive it again. */
  executionName?: string;
}

export function openIncident(args: IncidentInit): IncidentRecord {
  return { ...args, status: 'open', actionsTaken: [], refusals: [], timeline: [] };
}

/** Downtime as the runbook asks for it: detection until mitigation (or resolution). */
export function downtimeSeconds(rec: IncidentRecord): number | undefined {
  const end = rec.mitigatedAt ?? rec.resolvedAt;
  return end === undefined ? undefined : Math.max(0, Math.round((end - rec.detectedAt) / 1000));
}

/**
 * Incident keys are deterministic so that duplicates of one incident collapse onto one
 * key: PagerDuty dedup_key (max 255 chars), durable execution name (max 64 chars,
 * [a-zA-Z0-9-_]), DynamoDB key.
 */
export function incidentKey(runbook: RunbookId, resource: string, bucket?: string): string {
  const raw = [runbook, resource, bucket].filter(Boolean).join('-');
  const safe = raw.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-+/g, '-');
  if (safe.length <= 64) return safe;
  return `${safe.slice(0, 55)}-${fnv1a(raw)}`;
}

/** Small stable hash (FNV-1a, 32 bit, hex) so long keys stay unique after truncation. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
