/**
 * Runbook 4 step 2, "Check Application Logs": turn the error lines read (bounded) into
 * counts a classifier can compare, pure.
 */
import { LOG_PATTERNS, type LogSignal } from './signals';

/** The two symptoms runbook 4 names for "Database Connection Pool Exhausted". */
const POOL_PATTERNS = ['sqlalchemy.exc.TimeoutError', 'QueuePool limit'];

/** Numbers, ids and hex stripped so repeats of one error count as one line. */
export function normaliseLogLine(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b\d+(\.\d+)?(?=(ms|s)?\b)/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

export function summariseLogs(messages: string[], meta: { from: number; to: number; bytes: number; truncated: boolean }): LogSignal {
  const patternCounts: Record<string, number> = {};
  for (const p of LOG_PATTERNS) patternCounts[p] = messages.filter((m) => m.includes(p)).length;
  const lines = new Map<string, number>();
  for (const m of messages) {
    const key = normaliseLogLine(m);
    lines.set(key, (lines.get(key) ?? 0) + 1);
  }
  const topLines = [...lines.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([line, count]) => ({ line, count }));
  return {
    from: meta.from,
    to: meta.to,
    eventsScanned: messages.length,
    bytesScanned: meta.bytes,
    truncated: meta.truncated,
    patternCounts,
    poolErrorLines: messages.filter((m) => POOL_PATTERNS.some((p) => m.includes(p))).length,
    topLines,
  };
}
