/**
 * An incident record must fit one DynamoDB item (400 KB, names and values included).
 * A long remediation can log thousands of AWS calls; those are the least valuable entries
 * (each is also in the Lambda logs), so the oldest aws-call entries go first, then the
 * oldest entries of any kind, and the record says what was dropped.
 */
import type { IncidentRecord, TimelineEntry } from '../../domain/incident';

/** Bytes left for the JSON after the key attributes; well under 400 KB for safety. */
export const MAX_RECORD_JSON_BYTES = 350 * 1024;

export interface FittedRecord {
  json: string;
  droppedAwsCalls: number;
  droppedOther: number;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export function fitIncidentRecord(record: IncidentRecord, maxBytes = MAX_RECORD_JSON_BYTES): FittedRecord {
  const full = JSON.stringify(record);
  if (bytes(full) <= maxBytes) return { json: full, droppedAwsCalls: 0, droppedOther: 0 };

  let timeline = [...record.timeline];
  let droppedAwsCalls = 0;
  let droppedOther = 0;
  const render = (): string => {
    const note: TimelineEntry = {
      at: timeline[0]?.at ?? record.detectedAt,
      kind: 'note',
      summary: `timeline truncated to fit the 400 KB state-table item: ${droppedAwsCalls} oldest aws-call entries and ${droppedOther} other oldest entries dropped (all are in the Lambda logs)`,
    };
    return JSON.stringify({ ...record, timeline: [note, ...timeline] });
  };

  // Drop in halving chunks so a huge timeline needs few serialisations.
  const awsCallIndexes = (): number[] => timeline.flatMap((e, i) => (e.kind === 'aws-call' ? [i] : []));
  let json = render();
  while (bytes(json) > maxBytes) {
    const calls = awsCallIndexes();
    if (calls.length > 0) {
      const drop = new Set(calls.slice(0, Math.max(1, Math.ceil(calls.length / 8))));
      timeline = timeline.filter((_, i) => !drop.has(i));
      droppedAwsCalls += drop.size;
    } else if (timeline.length > 0) {
      const n = Math.max(1, Math.ceil(timeline.length / 8));
      timeline = timeline.slice(n);
      droppedOther += n;
    } else {
      break; // Only the header is left: the caller gets the error from DynamoDB.
    }
    json = render();
  }
  return { json, droppedAwsCalls, droppedOther };
}

/**
 * Two writers of one incident (the intake and its workflow, or a duplicate delivery) each
 * hold a copy; the later save must not erase what the other recorded. The union keeps
 * every entry once (identical entries, e.g. re-recorded on a durable replay, collapse),
 * in time order. Scalars come from `mine` (the newer view), except that a resolution is
 * never undone and a timestamp set by either writer is kept.
 */
/**
 * How far an incident has got. On a write conflict the status never moves backwards: a
 * writer holding an older copy (an intake noting a joined trigger) must not reopen what the
 * workflow escalated or mitigated meanwhile.
 */
const STATUS_PROGRESS: Record<IncidentRecord['status'], number> = { ignored: 0, open: 1, escalated: 2, mitigated: 3, resolved: 4 };

export function mergeIncidentRecords(stored: IncidentRecord, mine: IncidentRecord): IncidentRecord {
  const seen = new Set<string>();
  const timeline: TimelineEntry[] = [];
  for (const entry of [...stored.timeline, ...mine.timeline]) {
    const identity = JSON.stringify(entry);
    if (seen.has(identity)) continue;
    seen.add(identity);
    timeline.push(entry);
  }
  timeline.sort((a, b) => a.at - b.at); // stable: same-time entries keep their order
  const union = (a: string[], b: string[]): string[] => [...a, ...b.filter((x) => !a.includes(x))];
  return {
    ...stored,
    ...mine,
    status: STATUS_PROGRESS[mine.status] >= STATUS_PROGRESS[stored.status] ? mine.status : stored.status,
    detectedAt: Math.min(stored.detectedAt, mine.detectedAt),
    startedAt: mine.startedAt ?? stored.startedAt,
    mitigatedAt: mine.mitigatedAt ?? stored.mitigatedAt,
    resolvedAt: mine.resolvedAt ?? stored.resolvedAt,
    rootCauseGuess: mine.rootCauseGuess ?? stored.rootCauseGuess,
    actionsTaken: union(stored.actionsTaken, mine.actionsTaken),
    refusals: union(stored.refusals, mine.refusals),
    timeline,
  };
}
