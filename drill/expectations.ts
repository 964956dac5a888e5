/**
 * Expectations: what must and must not have happened in a scenario run. Each unmet
 * expectation is one failure line naming it and what actually happened; the run's own
 * errors (not runnable, unknown AWS operation, crashed workflow) are failures too.
 */
import { RUNBOOKS, type RunbookId } from '../domain/config';
import { renderPageText } from './page-text';
import { isWorded } from '../domain/modes';
import { durationSeconds, formatSeconds } from './duration';
import type { CallMatcher, Expectations, MetricMatcher, PageMatcher } from './scenario';
import type { CallRecord, PageRecord, ScenarioRun } from './run-types';

function callMatches(m: CallMatcher, c: CallRecord): boolean {
  return c.service === m.service && (m.operation === undefined || c.operation === m.operation) && (m.region === undefined || c.region === m.region);
}

function callName(m: CallMatcher): string {
  return `${m.service}.${m.operation ?? '*'}${m.region ? ` (${m.region})` : ''}`;
}

function pageMatches(m: PageMatcher, p: PageRecord, messages: string[]): boolean {
  if (m.severity && p.page.severity !== m.severity) return false;
  if (m.action && p.page.action !== m.action) return false;
  if (m.titleIncludes && !p.page.title.includes(m.titleIncludes)) return false;
  if (m.refusedBy && !p.page.refused.some((r) => r.guardrail === m.refusedBy)) return false;
  if (m.messageIncludes) {
    const text = renderPageText(p.page);
    if (!text.includes(m.messageIncludes) && !messages.some((msg) => msg.includes(m.messageIncludes ?? ''))) return false;
  }
  return true;
}

function pageName(m: PageMatcher): string {
  const parts = [m.severity, m.action, m.titleIncludes ? `title ~ "${m.titleIncludes}"` : undefined, m.messageIncludes ? `message ~ "${m.messageIncludes}"` : undefined, m.refusedBy ? `refused by ${m.refusedBy}` : undefined].filter(Boolean);
  return parts.length ? parts.join(' ') : 'any page';
}

function metricMatches(m: MetricMatcher, d: NonNullable<ScenarioRun['metrics']>[number]): boolean {
  if (d.metricName !== m.name) return false;
  if (m.namespace !== undefined && d.namespace !== m.namespace) return false;
  if (m.value !== undefined && d.value !== m.value) return false;
  return Object.entries(m.dimensions ?? {}).every(([k, v]) => d.dimensions[k] === v);
}

function metricName(m: MetricMatcher): string {
  const dims = Object.entries(m.dimensions ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return `${m.namespace ? `${m.namespace} ` : ''}${m.name}${dims ? ` {${dims}}` : ''}${m.value !== undefined ? ` = ${m.value}` : ''}`;
}

export function successfulMutations(run: ScenarioRun): CallRecord[] {
  return run.calls.filter((c) => c.mutating && !c.error);
}

/** Simulated seconds from the first event to the first mitigated incident. */
export function timeToMitigateSeconds(run: ScenarioRun): number | undefined {
  const mitigated = run.incidents.map((i) => i.mitigatedAt).filter((t): t is number => typeof t === 'number');
  if (mitigated.length === 0 || run.firstEventAt === undefined) return undefined;
  return Math.max(0, (Math.min(...mitigated) - run.firstEventAt) / 1000);
}

export function evaluate(expect: Expectations, run: ScenarioRun): string[] {
  const failures: string[] = [...run.runErrors];
  const ok = run.calls.filter((c) => !c.error);

  for (const m of expect.mustCall ?? []) {
    const n = ok.filter((c) => callMatches(m, c)).length;
    if (m.times === undefined ? n === 0 : n !== m.times) {
      failures.push(`mustCall ${callName(m)}: expected ${m.times === undefined ? 'at least one successful call' : `exactly ${m.times}`}, got ${n}`);
    }
  }
  for (const m of expect.mustNotCall ?? []) {
    const hits = run.calls.filter((c) => callMatches(m, c));
    if (hits.length > 0) failures.push(`mustNotCall ${callName(m)}: called ${hits.length} time(s) (${[...new Set(hits.map((h) => `${h.service}.${h.operation}`))].join(', ')})`);
  }

  const messages = run.snsMessages.map((s) => `${s.subject ?? ''}\n${s.message}`);
  for (const m of expect.pages ?? []) {
    const n = run.pages.filter((p) => pageMatches(m, p, messages)).length;
    if (m.times === undefined ? n === 0 : n !== m.times) {
      const seen = run.pages.map((p) => `${p.page.severity} ${p.page.action} "${p.page.title}"`).join('; ') || 'none';
      failures.push(`pages ${pageName(m)}: expected ${m.times === undefined ? 'at least one' : `exactly ${m.times}`}, got ${n} (pages sent: ${seen})`);
    }
  }
  if (expect.noPages && run.pages.length > 0) {
    failures.push(`noPages: ${run.pages.length} page(s) sent (${run.pages.map((p) => `${p.page.severity} "${p.page.title}"`).join('; ')})`);
  }

  if (expect.maxMutations !== undefined) {
    const muts = successfulMutations(run);
    if (muts.length > expect.maxMutations) {
      failures.push(`maxMutations ${expect.maxMutations}: ${muts.length} mutating call(s) succeeded (${muts.map((c) => `${c.service}.${c.operation}`).join(', ')})`);
    }
  }

  if (expect.incidentStatus !== undefined) {
    if (run.incidents.length === 0) failures.push('incidentStatus: no incident was opened');
    const wanted = expect.incidentStatus;
    for (const inc of run.incidents) {
      const target = typeof wanted === 'string' ? wanted : wanted[inc.runbook];
      if (target !== undefined && inc.status !== target) failures.push(`incidentStatus: incident ${inc.key} (${inc.runbook}) is ${inc.status}, expected ${target}`);
    }
    if (typeof wanted !== 'string') {
      for (const rb of Object.keys(wanted) as RunbookId[]) {
        if (RUNBOOKS.includes(rb) && !run.incidents.some((i) => i.runbook === rb)) failures.push(`incidentStatus: no ${rb} incident was opened (expected ${wanted[rb]})`);
      }
    }
  }

  const refusals = run.entries.filter((e) => e.kind === 'guardrail' && e.verdict && !e.verdict.pass);
  for (const g of expect.guardrailRefusals ?? []) {
    if (!refusals.some((r) => r.verdict?.guardrail === g)) {
      const seen = [...new Set(refusals.map((r) => r.verdict?.guardrail))].join(', ') || 'none';
      failures.push(`guardrailRefusals: ${g} never refused (refusals seen: ${seen})`);
    }
  }
  if (expect.noGuardrailRefusals && refusals.length > 0) {
    failures.push(`noGuardrailRefusals: ${refusals.map((r) => r.summary).join('; ')}`);
  }

  for (const text of expect.timelineIncludes ?? []) {
    if (!run.entries.some((e) => e.summary.includes(text))) failures.push(`timelineIncludes: no timeline entry contains "${text}"`);
  }
  for (const text of expect.timelineExcludes ?? []) {
    const hit = run.entries.find((e) => e.summary.includes(text));
    if (hit) failures.push(`timelineExcludes: "${text}" appears in: ${hit.summary}`);
  }

  if (expect.rejectedEvents !== undefined) {
    const rejected = run.intakes.filter((i) => i.result.status === 'rejected').length;
    if (rejected !== expect.rejectedEvents) failures.push(`rejectedEvents: expected ${expect.rejectedEvents}, got ${rejected}`);
  }

  if (expect.workflows) {
    const { started, joined } = expect.workflows;
    if (started !== undefined && run.workflows.started !== started) failures.push(`workflows.started: expected ${started}, got ${run.workflows.started}`);
    if (joined !== undefined && run.workflows.joined !== joined) failures.push(`workflows.joined: expected ${joined}, got ${run.workflows.joined}`);
  }

  if (expect.everyPageSaysWould) {
    if (run.pages.length === 0) failures.push('everyPageSaysWould: no page was sent');
    for (const p of run.pages.filter((r) => !isWorded(r.page))) {
      failures.push(`everyPageSaysWould: ${p.page.severity} "${p.page.title}" does not say "would" or lists as done: ${p.page.done.join('; ')}`);
    }
  }
  if (expect.pageMode !== undefined) {
    for (const p of run.pages.filter((r) => r.page.mode !== expect.pageMode)) failures.push(`pageMode ${expect.pageMode}: ${p.page.severity} "${p.page.title}" carries mode ${p.page.mode ?? 'none'}`);
  }

  const data = run.metrics ?? [];
  for (const m of expect.metrics ?? []) {
    const n = data.filter((d) => metricMatches(m, d)).length;
    if (m.times === undefined ? n === 0 : n !== m.times) {
      const seen = data.map((d) => `${d.metricName} {${Object.entries(d.dimensions).map(([k, v]) => `${k}=${v}`).join(',')}} = ${d.value}`).join('; ') || 'none';
      failures.push(`metrics ${metricName(m)}: expected ${m.times === undefined ? 'at least one' : `exactly ${m.times}`}, got ${n} (published: ${seen})`);
    }
  }

  if (expect.mitigatedWithin !== undefined) {
    const limit = durationSeconds(expect.mitigatedWithin);
    const took = timeToMitigateSeconds(run);
    if (took === undefined) failures.push(`mitigatedWithin ${formatSeconds(limit)}: no incident was mitigated`);
    else if (took > limit) failures.push(`mitigatedWithin ${formatSeconds(limit)}: mitigated after ${formatSeconds(took)}`);
  }
  return failures;
}
