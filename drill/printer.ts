/**
 * What the drill prints: a readable timeline per scenario, a summary table, or (--json)
 * one JSON document for machines.
 */
import { formatOffset, formatSeconds } from './duration';
import { successfulMutations, timeToMitigateSeconds } from './expectations';
import type { DrillEntry, ScenarioRun } from './run-types';

export interface ScenarioOutcome {
  run: ScenarioRun;
  failures: string[];
  /** Markdown draft written for it, if any. */
  reportFile?: string;
}

export function passed(o: ScenarioOutcome): boolean {
  return o.failures.length === 0;
}

const KIND_WIDTH = 9;

export function formatEntry(entry: DrillEntry, startMs: number, showRunbook: boolean): string {
  const when = `${formatOffset(entry.at - startMs).padEnd(8)} ${new Date(entry.at).toISOString()}`;
  const kind = entry.kind.padEnd(KIND_WIDTH);
  const rb = showRunbook && entry.runbook ? `[${entry.runbook}] ` : '';
  const verdict = entry.verdict && !entry.verdict.pass ? '!! ' : '';
  return `${when} ${kind} ${verdict}${rb}${entry.summary}`;
}

export function scenarioHeader(run: ScenarioRun): string {
  const s = run.prepared.scenario;
  return `== ${s.name} (${s.runbooks.join(', ')}) ==\n   ${s.description}`;
}

export function formatTimeline(o: ScenarioOutcome): string {
  const { run } = o;
  // Tag entries with their runbook whenever more than one took part (hand-offs, shared alarms).
  const multi = new Set([...run.prepared.scenario.runbooks, ...run.entries.map((e) => e.runbook).filter(Boolean)]).size > 1;
  const lines = [scenarioHeader(run), ...run.entries.map((e) => formatEntry(e, run.prepared.startMs, multi))];
  if (passed(o)) lines.push(`-> PASS${o.reportFile ? `  (post-incident draft: ${o.reportFile})` : ''}`);
  else lines.push(`-> FAIL`, ...o.failures.map((f) => `   - ${f}`));
  return lines.join('\n');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatSummary(outcomes: ScenarioOutcome[]): string {
  const rows = [['scenario', 'runbooks', 'result', 'mutations', 'pages', 'time to mitigate', 'wall ms']];
  for (const o of outcomes) {
    const ttm = timeToMitigateSeconds(o.run);
    rows.push([
      o.run.prepared.scenario.name,
      o.run.prepared.scenario.runbooks.join(','),
      passed(o) ? 'PASS' : 'FAIL',
      String(successfulMutations(o.run).length),
      String(o.run.pages.length),
      ttm === undefined ? '-' : formatSeconds(ttm),
      String(o.run.wallMs),
    ]);
  }
  const failed = outcomes.filter((o) => !passed(o)).length;
  const verdict = failed === 0 ? `all ${outcomes.length} scenario(s) passed` : `${failed} of ${outcomes.length} scenario(s) FAILED`;
  return `${table(rows)}\n\n${verdict}`;
}

export interface JsonTimelineEntry {
  t: string;
  tOffsetSeconds: number;
  kind: string;
  summary: string;
  runbook?: string;
  service?: string;
  operation?: string;
  region?: string;
  attempt?: number;
  error?: string;
  severity?: string;
  verdict?: { guardrail: string; pass: boolean; reason: string };
  lateBySeconds?: number;
}

export interface JsonScenario {
  name: string;
  file: string;
  runbooks: string[];
  passed: boolean;
  failures: string[];
  mutations: number;
  pages: number;
  timeToMitigateSeconds?: number;
  wallMs: number;
  timeline: JsonTimelineEntry[];
}

export function toJson(outcomes: ScenarioOutcome[]): JsonScenario[] {
  return outcomes.map((o) => {
    const { run } = o;
    const start = run.prepared.startMs;
    return {
      name: run.prepared.scenario.name,
      file: run.prepared.file,
      runbooks: run.prepared.scenario.runbooks,
      passed: passed(o),
      failures: o.failures,
      mutations: successfulMutations(run).length,
      pages: run.pages.length,
      timeToMitigateSeconds: timeToMitigateSeconds(run),
      wallMs: run.wallMs,
      timeline: run.entries.map((e) => {
        const j: JsonTimelineEntry = { t: new Date(e.at).toISOString(), tOffsetSeconds: Math.round((e.at - start) / 1000), kind: e.kind, summary: e.summary };
        if (e.runbook) j.runbook = e.runbook;
        if (e.service) j.service = e.service;
        if (e.operation) j.operation = e.operation;
        if (e.region) j.region = e.region;
        if (e.attempt !== undefined) j.attempt = e.attempt;
        if (e.error) j.error = e.error;
        if (e.severity) j.severity = e.severity;
        if (e.verdict) j.verdict = e.verdict;
        if (e.lateBySeconds !== undefined) j.lateBySeconds = e.lateBySeconds;
        return j;
      }),
    };
  });
}
