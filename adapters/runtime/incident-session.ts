/**
 * One incident's record while a handler works on it: entries are appended in memory,
 * logged as they happen (structured, correlation id = incident key) and flushed to the
 * state table. In drills the same entries feed the printed timeline.
 */
import type { IncidentRecord, TimelineEntry } from '../../domain/incident';
import type { Clock, GuardrailStore, IncidentLedger, Recorder } from '../../domain/ports';
import { redactDeep } from '../../domain/redact';
import type { RunbookMode } from '../../domain/modes';

export type EntrySink = (incidentKey: string, entry: TimelineEntry) => void;

export class IncidentSession implements Recorder {
  constructor(
    readonly incident: IncidentRecord,
    private readonly clock: Clock,
    private readonly store: GuardrailStore,
    private readonly sinks: EntrySink[] = [],
  ) {}

  get key(): string {
    return this.incident.key;
  }

  /** The clock this incident records with (simulated in drills). */
  now(): number {
    return this.clock.now();
  }
  /** The runbook's mode for this invocation (domain/modes.ts): stamped on every timeline entry. */
  mode?: RunbookMode;
  /**
   * Why this session's record is no longer stored: a later episode replaced it (an execution of a
   * finished episode running on). Entries still reach the log and the sinks; flush saves nothing.
   */
  detachedBecause?: string;

  recordEntry(raw: TimelineEntry): void {
    // Stored as it will be read back: no secret, no environment value (domain/redact.ts).
    const redacted = redactDeep(raw);
    const entry = this.mode !== undefined && redacted.mode === undefined ? { ...redacted, mode: this.mode } : redacted;
    this.incident.timeline.push(entry);
    for (const sink of this.sinks) sink(this.incident.key, entry);
  }

  record(entry: Omit<TimelineEntry, 'at'> & { at?: number }): void {
    this.recordEntry({ ...entry, at: entry.at ?? this.clock.now() });
  }

  /** The one implementation of the IncidentLedger port (domain/ports.ts): every workflow sets the outcome fields through it. */
  ledger(): IncidentLedger {
    const incident = this.incident;
    return {
      set(fields) {
        if (fields.status !== undefined) incident.status = fields.status;
        if (fields.startedAt !== undefined) incident.startedAt = fields.startedAt;
        if (fields.mitigatedAt !== undefined) incident.mitigatedAt = fields.mitigatedAt;
        if (fields.resolvedAt !== undefined) incident.resolvedAt = fields.resolvedAt;
        if (fields.rootCauseGuess !== undefined) incident.rootCauseGuess = fields.rootCauseGuess;
      },
      setIfUnset(fields) {
        if (fields.startedAt !== undefined) incident.startedAt ??= fields.startedAt;
        if (fields.mitigatedAt !== undefined) incident.mitigatedAt ??= fields.mitigatedAt;
        if (fields.resolvedAt !== undefined) incident.resolvedAt ??= fields.resolvedAt;
        if (fields.rootCauseGuess !== undefined) incident.rootCauseGuess ??= fields.rootCauseGuess;
      },
      addRefusal(summary) {
        incident.refusals.push(summary);
      },
      current: () => incident,
    };
  }

  async flush(): Promise<void> {
    if (this.detachedBecause !== undefined) return;
    await this.store.saveIncident(this.incident);
  }
}
