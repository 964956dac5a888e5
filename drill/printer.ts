/**
 * What the drill prints: by default a brief per scenario (description, decisions, refusals,
 * actions, pages, a one-line outcome), with --verbose the full timeline (AWS calls
 * included, runs of alike lines collapsed), then a summary table; or (--json) one JSON
 * document for machines.
 */
import type { RunbookId } from '../domain/config';
import type { GuardrailName } from '../domain/guardrails';
import { alikeKey, collapseRuns, describeRun } from './collapse';
import { formatOffset, formatSeconds } from './duration';
import { successfulMutations, timeToMitigateSeconds } from './expectations';
import type { DrillEntry, PageRecord, ScenarioRun } from './run-types';

export interface ScenarioOutcome {
  run: ScenarioRun;
  failures: string[];
  /** Markdown draft written for it, if any. */
  reportFile?: string;
  /** Its page of the HTML incident report, if written. */
  htmlFile?: string;
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

/** The runbook an entry belongs to: its own, else its incident's (the Actuator's entries carry only the incident key). */
export function runbookOfEntry(entry: DrillEntry, run: ScenarioRun): RunbookId | undefined {
  if (entry.runbook) return entry.runbook;
  const byIncident = entry.incidentKey ? run.incidents.find((i) => i.key === entry.incidentKey)?.runbook : undefined;
  if (byIncident) return byIncident;
  const only = run.prepared.scenario.runbooks;
  return only.length === 1 && entry.incidentKey ? only[0] : undefined;
}

function entrySpan(items: DrillEntry[], startMs: number): string | undefined {
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return undefined;
  return first.at === last.at ? `at ${formatOffset(first.at - startMs)}` : `${formatOffset(first.at - startMs)} to ${formatOffset(last.at - startMs)}`;
}

/** The full timeline (--verbose): every entry, AWS calls included, with runs of alike lines collapsed. */
export function formatTimeline(o: ScenarioOutcome, opts: { header?: boolean } = {}): string {
  const { run } = o;
  // Tag entries with their runbook whenever more than one took part (hand-offs, shared alarms).
  const multi = new Set([...run.prepared.scenario.runbooks, ...run.entries.map((e) => e.runbook).filter(Boolean)]).size > 1;
  const lines = opts.header === false ? [] : [scenarioHeader(run)];
  const body = (e: DrillEntry): string => `${e.kind} ${e.runbook ?? ''} ${e.summary}`;
  for (const r of collapseRuns(run.entries, (e) => alikeKey(body(e)), body)) {
    lines.push(...r.block.map((e) => formatEntry(e, run.prepared.startMs, multi)));
    if (r.more > 0) lines.push(`                                   ${describeRun(r, entrySpan(r.repeats, run.prepared.startMs))}`);
  }
  if (opts.header !== false) lines.push(...verdictLines(o));
  return lines.join('\n');
}

function verdictLines(o: ScenarioOutcome): string[] {
  if (passed(o)) return [`-> PASS  ${outcomeOf(o)}`];
  return [`-> FAIL  ${outcomeOf(o)}`, ...o.failures.map((f) => `   - ${f}`)];
}

// ---------------------------------------------------------------- brief (the default)

/** One brief item (and one brief line) never grows past these: the story stays on screen. */
const ITEM_CHARS = 110;
const LINE_CHARS = 260;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

interface BriefItem {
  at: number;
  text: string;
  /** A refusal's guardrail. */
  guardrail?: GuardrailName;
}

function pageText(p: PageRecord): string {
  return `${p.page.severity} ${p.page.action} "${p.page.title}"`;
}

/** Refusals: every guardrail that said no, and what a page says it refused (the investigation's "scaling would not help"). */
export function refusalsOf(run: ScenarioRun): BriefItem[] {
  const out: BriefItem[] = [];
  const seen = new Set<string>();
  for (const e of run.entries) {
    if (e.kind !== 'guardrail' || !e.verdict || e.verdict.pass) continue;
    seen.add(e.verdict.guardrail);
    out.push({ at: e.at, text: `${e.verdict.guardrail}: ${e.verdict.reason}`, guardrail: e.verdict.guardrail });
  }
  for (const p of run.pages) {
    for (const r of p.page.refused) {
      if (seen.has(r.guardrail)) continue;
      seen.add(r.guardrail);
      out.push({ at: p.at, text: `${r.action} (${r.guardrail}: ${r.reason})`, guardrail: r.guardrail });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** One line per kind of story: items in time order, alike runs collapsed ("x3 to T+05:00"), clipped to the line. */
function briefLine(label: string, items: BriefItem[], startMs: number): string | undefined {
  if (items.length === 0) return undefined;
  const parts: string[] = [];
  for (const r of collapseRuns(items, (i) => alikeKey(i.text), (i) => i.text)) {
    const first = r.block[0];
    if (!first || r.block.length !== 1) {
      parts.push(...r.block.map((i) => `${formatOffset(i.at - startMs)} ${clip(i.text, ITEM_CHARS)}`));
      if (r.more > 0) parts.push(`(these ${r.block.length} x${r.more + 1})`);
      continue;
    }
    const last = r.repeats.at(-1);
    const times = r.more > 0 ? ` (x${r.more + 1}${last ? ` to ${formatOffset(last.at - startMs)}` : ''})` : '';
    parts.push(`${formatOffset(first.at - startMs)} ${clip(r.exact ? first.text : alikeLabel(first.text, r.more), ITEM_CHARS)}${times}`);
  }
  const head = `   ${`${label} (${items.length})`.padEnd(14)}`;
  let line = head;
  for (let n = 0; n < parts.length; n++) {
    const piece = `${n === 0 ? '' : ' · '}${parts[n]}`;
    const rest = parts.length - n;
    if (line.length + piece.length > LINE_CHARS && n > 0) return `${line} · (+${rest} more)`;
    line += piece;
  }
  return line;
}

function alikeLabel(text: string, more: number): string {
  return more > 0 ? `${text} (and alike)` : text;
}

const MITIGATED_VERB: Record<RunbookId, string> = {
  'database-failover': 'failed over',
  'rollback-deployment': 'rolled back',
  'scale-ecs': 'scaled out',
  'investigate-5xx': 'mitigated',
  'restore-from-backup': 'restored',
};

/**
 * The scenario in one line: what the autopilot achieved, how many AWS mutations it took and
 * where the pages stand ("failed over in 11m00s, 5 mutations, P1 resolved").
 */
export function outcomeOf(o: ScenarioOutcome): string {
  const { run } = o;
  const parts: string[] = [];
  let errorsNamed = false;
  const ttm = timeToMitigateSeconds(run);
  const mitigated = run.incidents.filter((i) => i.mitigatedAt !== undefined).sort((a, b) => (a.mitigatedAt ?? 0) - (b.mitigatedAt ?? 0))[0];
  const mutations = successfulMutations(run).length;
  if (mitigated && ttm !== undefined) parts.push(`${MITIGATED_VERB[mitigated.runbook]} in ${formatSeconds(ttm)}`);
  else if (run.incidents.length === 0) {
    const rejected = run.intakes.filter((i) => i.result.status === 'rejected').length;
    parts.push(rejected > 0 ? `no incident (${rejected} event(s) rejected)` : 'no incident');
  } else {
    const statuses = [...new Set(run.incidents.map((i) => i.status))];
    const refused = [...new Set(refusalsOf(run).map((r) => r.guardrail ?? ''))].filter(Boolean);
    // Why a human has it: where a workflow stopped (its error entry), else what the guardrails refused.
    const errors = run.entries.filter((e) => e.kind === 'error');
    const label = statuses.includes('escalated') ? 'escalated to a human' : statuses.includes('resolved') ? 'resolved' : `incident ${statuses.join('/')}`;
    errorsNamed = errors[0] !== undefined && statuses.includes('escalated');
    if (errors[0] && errorsNamed) parts.push(`${label} (${clip(errors[0].summary, 100)}${errors.length > 1 ? `; +${errors.length - 1} more error(s)` : ''})`);
    else parts.push(refused.length > 0 && statuses.includes('escalated') ? `${label} (refused: ${clip(refused.join(', '), 60)})` : `${label}${mutations === 0 ? ', nothing changed' : ''}`);
  }
  parts.push(`${mutations} mutation${mutations === 1 ? '' : 's'}`);
  parts.push(pagesState(run));
  // Errors not already named above (an intake Lambda retried, a workflow that stopped on a mitigated incident) are counted.
  const errors = run.entries.filter((e) => e.kind === 'error').length;
  if (errors > 0 && !errorsNamed) parts.push(`${errors} error(s): see --verbose`);
  return parts.join(', ');
}

/**
 * Per severity triggered, worst first: "P1 resolved", "P2 open"; or "no pages". A resolve closes
 * every severity its incident triggered before it, as the runtime's pager sends it
 * (adapters/runtime/pagers.ts resolvesWhereTriggered: PagerDuty resolves through the opening key).
 */
function pagesState(run: ScenarioRun): string {
  const triggers = run.pages.filter((p) => p.page.action === 'trigger');
  const severities = [...new Set(triggers.map((p) => p.page.severity))].sort();
  if (severities.length === 0) return run.pages.length > 0 ? `${run.pages.length} resolve page(s)` : 'no pages';
  const resolves = run.pages.filter((p) => p.page.action === 'resolve');
  const resolved = (s: string): boolean =>
    triggers.filter((t) => t.page.severity === s).every((t) => resolves.some((r) => r.page.incidentKey === t.page.incidentKey && (r.at >= t.at || r.page.severity === s)));
  return severities.map((s) => `${s} ${resolved(s) ? 'resolved' : 'open'}`).join(', ');
}

function eventCounts(run: ScenarioRun): string {
  const events = run.deliveries ?? 0;
  const ignored = run.intakes.filter((i) => i.result.status === 'ignored').length;
  const rejected = run.intakes.filter((i) => i.result.status === 'rejected').length;
  const extra = [rejected ? `${rejected} rejected` : '', ignored ? `${ignored} ignored` : ''].filter(Boolean).join(', ');
  return `${events} event(s) delivered${extra ? ` (${extra})` : ''}`;
}

/**
 * The default view: per scenario its header and description on one line, then one line each for
 * what the autopilot decided (a human's approvals and the guardrails' refusals included), did and
 * paged, then the outcome. At most 5 lines a scenario (more only for the failures of a failed one).
 */
export function formatBrief(o: ScenarioOutcome): string {
  const { run } = o;
  const s = run.prepared.scenario;
  const start = run.prepared.startMs;
  const of = (kinds: DrillEntry['kind'][]): BriefItem[] => run.entries.filter((e) => kinds.includes(e.kind)).map((e) => ({ at: e.at, text: e.summary }));
  const lines = [
    // The description on the header's line: one line a scenario saved, nothing of it left out.
    `== ${s.name} (${s.runbooks.join(', ')}): ${eventCounts(run)} == ${s.description}`,
    // A refusal is a decision too: one line, in time order, each refusal marked.
    briefLine('decided', [...of(['decision', 'approval']), ...refusalsOf(run).map((r) => ({ ...r, text: `REFUSED ${r.text}` }))].sort((a, b) => a.at - b.at), start),
    briefLine('acted', of(['action']), start),
    briefLine('paged', run.pages.map((p) => ({ at: p.at, text: pageText(p) })), start),
    ...verdictLines(o),
  ];
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/**
 * The summary table. `failedOnly` (the brief view) keeps the rows of failed scenarios: a passing
 * scenario's outcome line was just printed above it, and 57 repeated rows would double the brief.
 */
export function formatSummary(outcomes: ScenarioOutcome[], { failedOnly = false }: { failedOnly?: boolean } = {}): string {
  const rows = [['scenario', 'runbooks', 'result', 'mutations', 'pages', 'time to mitigate', 'wall ms', 'outcome']];
  const listed = failedOnly ? outcomes.filter((o) => !passed(o)) : outcomes;
  for (const o of listed) {
    const ttm = timeToMitigateSeconds(o.run);
    rows.push([
      o.run.prepared.scenario.name,
      o.run.prepared.scenario.runbooks.join(','),
      passed(o) ? 'PASS' : 'FAIL',
      String(successfulMutations(o.run).length),
      String(o.run.pages.length),
      ttm === undefined ? '-' : formatSeconds(ttm),
      String(o.run.wallMs),
      outcomeOf(o),
    ]);
  }
  const failed = outcomes.filter((o) => !passed(o)).length;
  const verdict = failed === 0 ? `all ${outcomes.length} scenario(s) passed` : `${failed} of ${outcomes.length} scenario(s) FAILED`;
  const omitted = outcomes.length - listed.length;
  const note = omitted > 0 ? `\n(${omitted} passing scenario(s) not repeated: each one's outcome is above; --verbose lists every row)` : '';
  return `${table(rows)}${note}\n\n${verdict}`;
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
