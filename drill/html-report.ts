/**
 * The HTML incident report: drill-reports/index.html and one page per scenario
 * (drill-reports/<name>.html). Each page is self-contained: inline CSS, an inline SVG, one
 * small inline script allowed by its hash, and a Content-Security-Policy that forbids any
 * fetch, so it opens from a file, an artifact store or a mail attachment alike.
 *
 * A page: the scenario and its outcome; a timeline with one lane per runbook on which the
 * autopilot's actions, pages, guardrail refusals and human approvals are marked (hover for
 * the text); beneath it, on the same time axis, the metric series of the alarms that fired
 * (from the simulated region's CloudWatch data); then the post-incident draft (the same
 * blocks as drill-reports/<name>.md).
 *
 * Every text that reaches the page (alarm reasons, requester text, page titles, scenario
 * descriptions) goes through escapeHtml: it is data, never markup.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunbookId } from '../domain/config';
import { formatSeconds } from './duration';
import { timeToMitigateSeconds } from './expectations';
import type { TriggerSeries } from './metrics';
import { outcomeOf, passed, runbookOfEntry, type ScenarioOutcome } from './printer';
import { reportBlocks, type Block, type Text } from './report';
import type { ScenarioRun } from './run-types';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export type MarkKind = 'action' | 'page' | 'refusal' | 'approval';

export interface TimelineMark {
  kind: MarkKind;
  at: number;
  lane: string;
  text: string;
  /** Pages: P1..P4, and trigger or resolve. */
  severity?: string;
  resolve?: boolean;
}

export const UNATTRIBUTED_LANE = '(no runbook)';

/** What the timeline marks: every action, page, guardrail refusal and approval entry, on its runbook's lane. */
export function timelineMarks(run: ScenarioRun): TimelineMark[] {
  const marks: TimelineMark[] = [];
  for (const e of run.entries) {
    let kind: MarkKind | undefined;
    if (e.kind === 'action') kind = 'action';
    else if (e.kind === 'page') kind = 'page';
    else if (e.kind === 'approval') kind = 'approval';
    else if (e.kind === 'guardrail' && e.verdict && !e.verdict.pass) kind = 'refusal';
    if (!kind) continue;
    const mark: TimelineMark = { kind, at: e.at, lane: runbookOfEntry(e, run) ?? UNATTRIBUTED_LANE, text: e.summary };
    if (kind === 'page') {
      mark.severity = e.severity;
      mark.resolve = / resolve /.test(` ${e.summary.split('"')[0] ?? ''} `);
    }
    marks.push(mark);
  }
  return marks;
}

/** One lane per runbook: the scenario's, then any other that took part; a lane for unattributed marks only if needed. */
export function timelineLanes(run: ScenarioRun, marks: TimelineMark[]): string[] {
  const lanes: string[] = [...run.prepared.scenario.runbooks];
  const extra = (rb: string | undefined): void => {
    if (rb && !lanes.includes(rb)) lanes.push(rb);
  };
  for (const e of run.entries) extra(runbookOfEntry(e, run) as RunbookId | undefined);
  for (const m of marks) extra(m.lane);
  return lanes;
}

// ---------------------------------------------------------------- geometry

const WIDTH = 1200;
const LEFT = 170;
const RIGHT = 40;
const AXIS = 28;
const LANE = 64;
const CHART = 120;
const MINUTE = 60_000;
/** Horizontal room per mark (px) before the next one in the same row is pushed right. */
const MARK_GAP = 15;

interface Scale {
  t0: number;
  t1: number;
  startMs: number;
  x: (ms: number) => number;
}

function scaleOf(run: ScenarioRun): Scale {
  const start = run.prepared.startMs;
  const last = Math.max(run.endedAt, ...run.entries.map((e) => e.at));
  const t1 = Math.max(last + MINUTE, start + 5 * MINUTE);
  // Some minutes before T+0 (the metric before it crossed), in proportion to the incident's length.
  const t0 = start - Math.min(10 * MINUTE, Math.max(2 * MINUTE, Math.round((t1 - start) / 4 / MINUTE) * MINUTE));
  const w = WIDTH - LEFT - RIGHT;
  return { t0, t1, startMs: run.prepared.startMs, x: (ms) => LEFT + ((ms - t0) / (t1 - t0)) * w };
}

function offsetLabel(ms: number, startMs: number): string {
  const d = Math.round((ms - startMs) / 1000);
  const sign = d < 0 ? '-' : '+';
  const a = Math.abs(d);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `T${sign}${h}:${mm}:${ss}` : `T${sign}${mm}:${ss}`;
}

/** Tick spacing: the first "nice" step that gives at most ~10 ticks. */
function tickStep(spanMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440].map((m) => m * MINUTE);
  return steps.find((s) => spanMs / s <= 10) ?? 2880 * MINUTE;
}

function axis(scale: Scale, y: number, height: number): string {
  const step = tickStep(scale.t1 - scale.t0);
  const out: string[] = [];
  const first = scale.startMs + Math.ceil((scale.t0 - scale.startMs) / step) * step;
  for (let t = first; t <= scale.t1; t += step) {
    const x = scale.x(t).toFixed(1);
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${y}" y2="${y + height}"/>`, `<text class="tick-label" x="${x}" y="${y - 8}" text-anchor="middle">${escapeHtml(offsetLabel(t, scale.startMs))}</text>`);
  }
  const x0 = scale.x(scale.startMs).toFixed(1);
  out.push(`<line class="t0" x1="${x0}" x2="${x0}" y1="${y}" y2="${y + height}"/>`);
  return out.join('');
}

function markShape(m: TimelineMark, x: number, y: number): string {
  const X = x.toFixed(1);
  const Y = y.toFixed(1);
  switch (m.kind) {
    case 'action':
      return `<path d="M${X},${(y - 8).toFixed(1)} L${(x + 7).toFixed(1)},${(y + 6).toFixed(1)} L${(x - 7).toFixed(1)},${(y + 6).toFixed(1)} Z"/>`;
    case 'page':
      return `<circle cx="${X}" cy="${Y}" r="7"/><text class="sev" x="${X}" y="${(y + 3).toFixed(1)}" text-anchor="middle">${escapeHtml((m.severity ?? '').replace('P', ''))}</text>`;
    case 'refusal':
      return `<path d="M${(x - 6).toFixed(1)},${(y - 6).toFixed(1)} L${(x + 6).toFixed(1)},${(y + 6).toFixed(1)} M${(x + 6).toFixed(1)},${(y - 6).toFixed(1)} L${(x - 6).toFixed(1)},${(y + 6).toFixed(1)}"/>`;
    case 'approval':
      return `<path d="M${X},${(y - 8).toFixed(1)} L${(x + 8).toFixed(1)},${Y} L${X},${(y + 8).toFixed(1)} L${(x - 8).toFixed(1)},${Y} Z"/>`;
  }
}

const ROWS: MarkKind[] = ['approval', 'refusal', 'action', 'page'];

function timelineSvg(run: ScenarioRun, scale: Scale): string {
  const marks = timelineMarks(run);
  const lanes = timelineLanes(run, marks);
  const height = AXIS + lanes.length * LANE + 8;
  const parts: string[] = [`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="incident timeline">`];
  parts.push(axis(scale, AXIS, lanes.length * LANE));
  lanes.forEach((lane, i) => {
    const y = AXIS + i * LANE;
    parts.push(`<g class="lane" data-lane="${escapeHtml(lane)}"><rect class="lane-bg${i % 2 ? ' odd' : ''}" x="${LEFT}" y="${y}" width="${WIDTH - LEFT - RIGHT}" height="${LANE}"/><text class="lane-label" x="${LEFT - 10}" y="${y + LANE / 2 + 4}" text-anchor="end">${escapeHtml(lane)}</text></g>`);
  });
  /** Marks that would sit on one another (several actions in one minute) are spread along their row, in time order. */
  const lastX = new Map<string, number>();
  for (const m of marks) {
    const lane = Math.max(0, lanes.indexOf(m.lane));
    // One row per kind inside the lane, so an action and the page it caused at the same minute are both visible.
    const row = ROWS.indexOf(m.kind);
    const y = AXIS + lane * LANE + 10 + row * ((LANE - 20) / (ROWS.length - 1));
    const key = `${lane}/${row}`;
    const x = Math.max(scale.x(m.at), (lastX.get(key) ?? -Infinity) + MARK_GAP);
    lastX.set(key, x);
    const cls = `mark mark-${m.kind}${m.severity ? ` sev-${m.severity}` : ''}${m.resolve ? ' resolve' : ''}`;
    parts.push(`<g class="${cls}" data-kind="${m.kind}"><title>${escapeHtml(`${offsetLabel(m.at, scale.startMs)} ${m.lane}: ${m.text}`)}</title>${markShape(m, x, y)}</g>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function seriesSvg(all: TriggerSeries, scale: Scale): string {
  // Points before the axis start: the last of them carries its value in from the left edge.
  const before = all.points.filter((p) => p.at < scale.t0);
  const carried = before.at(-1);
  const s: TriggerSeries = { ...all, points: [...(carried ? [{ at: scale.t0, v: carried.v }] : []), ...all.points.filter((p) => p.at >= scale.t0)] };
  const top = 24;
  const h = CHART;
  const values = s.points.map((p) => p.v);
  const hi = Math.max(...values, s.threshold ?? -Infinity, 1);
  const lo = Math.min(0, ...values);
  const y = (v: number): number => top + h - ((v - lo) / (hi * 1.1 - lo)) * h;
  // A step line: each value holds until the next point (a metric value is its minute's; an alarm state holds until it changes).
  const perMinute = !s.label.startsWith('alarm state');
  const coords: string[] = [];
  s.points.forEach((p, i) => {
    const next = s.points[i + 1];
    const end = perMinute ? (next && next.at - p.at <= MINUTE ? next.at : p.at + MINUTE) : (next?.at ?? p.at);
    coords.push(`${scale.x(p.at).toFixed(1)},${y(p.v).toFixed(1)}`, `${scale.x(end).toFixed(1)},${y(p.v).toFixed(1)}`);
  });
  const height = top + h + 26;
  const parts = [
    `<svg class="series" data-alarm="${escapeHtml(s.alarm)}" data-points="${s.points.length}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(`${s.alarm}: ${s.label}`)}">`,
    `<text class="series-title" x="${LEFT}" y="14">${escapeHtml(`${s.alarm} (${s.region}): ${s.label}${s.unit ? `, ${s.unit}` : ''}`)}</text>`,
    `<rect class="plot" x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${h}"/>`,
    axis(scale, top, h).replace(/<text class="tick-label"[^>]*>[^<]*<\/text>/g, ''),
    `<text class="y-label" x="${LEFT - 8}" y="${top + 10}" text-anchor="end">${escapeHtml(formatValue(hi))}</text>`,
    `<text class="y-label" x="${LEFT - 8}" y="${top + h}" text-anchor="end">${escapeHtml(formatValue(lo))}</text>`,
  ];
  if (s.threshold !== undefined) {
    const ty = y(s.threshold).toFixed(1);
    parts.push(`<line class="threshold" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${ty}" y2="${ty}"/><text class="threshold-label" x="${WIDTH - RIGHT - 4}" y="${(Number(ty) - 4).toFixed(1)}" text-anchor="end">${escapeHtml(`threshold ${formatValue(s.threshold)}${s.comparison ? ` (${s.comparison})` : ''}`)}</text>`);
  }
  parts.push(`<polyline class="line" points="${coords.join(' ')}"/>`, '</svg>');
  return parts.join('\n');
}

function formatValue(v: number): string {
  if (Math.abs(v) >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

// ---------------------------------------------------------------- the draft

function inlineHtml(text: Text): string {
  return text
    .map((p) => {
      if (typeof p === 'string') return escapeHtml(p);
      if ('b' in p) return `<strong>${escapeHtml(p.b)}</strong>`;
      if ('code' in p) return `<code>${escapeHtml(p.code)}</code>`;
      return `<em>${escapeHtml(p.i)}</em>`;
    })
    .join('');
}

export function blocksHtml(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if ('h' in b) return `<h${b.h + 1}>${inlineHtml(b.text)}</h${b.h + 1}>`;
      if ('p' in b) return `<p>${inlineHtml(b.p)}</p>`;
      if ('quote' in b) return `<blockquote>${b.quote.map((q) => `<p>${inlineHtml(q)}</p>`).join('')}</blockquote>`;
      if ('table' in b) {
        const head = b.table.some((c) => c.length > 0 && c.some((x) => x !== '')) ? `<thead><tr>${b.table.map((c) => `<th>${inlineHtml(c)}</th>`).join('')}</tr></thead>` : '';
        return `<table>${head}<tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${inlineHtml(c)}</th>` : `<td>${inlineHtml(c)}</td>`)).join('')}</tr>`).join('')}</tbody></table>`;
      }
      if ('list' in b) return `<ul${b.check ? ' class="checklist"' : ''}>${b.list.map((i) => `<li>${b.check ? '<span class="box">☐</span> ' : ''}${inlineHtml(i)}</li>`).join('')}</ul>`;
      return `<pre>${escapeHtml(b.pre)}</pre>`;
    })
    .join('\n');
}

// ---------------------------------------------------------------- the page

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1240px;color:#1d232a;background:#fff;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dee4;padding-bottom:4px}h3{font-size:16px}h4{font-size:15px}h5{font-size:14px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;vertical-align:middle}.pass{background:#1a7f37}.fail{background:#cf222e}
.outcome{font-size:15px;margin:6px 0}.desc{color:#444;max-width:1100px}
svg{display:block;margin:8px 0;font:12px system-ui,sans-serif;max-width:100%;height:auto}
.lane-bg{fill:#f6f8fa}.lane-bg.odd{fill:#eef1f4}.lane-label{fill:#333;font-weight:600}
.tick{stroke:#d0d7de;stroke-width:1}.tick-label{fill:#57606a}.t0{stroke:#57606a;stroke-dasharray:4 3}
.mark{cursor:default}.mark-action path{fill:#1a7f37}.mark-refusal path{stroke:#cf222e;stroke-width:3;fill:none}.mark-approval path{fill:#8250df}
.mark-page circle{fill:#bf8700;stroke:#fff;stroke-width:1}.mark-page.sev-P1 circle{fill:#cf222e}.mark-page.sev-P2 circle{fill:#e16f24}.mark-page.sev-P4 circle{fill:#0969da}
.mark-page.resolve circle{fill:#fff;stroke:#1a7f37;stroke-width:2.5}.mark-page.resolve .sev{fill:#1a7f37}.sev{fill:#fff;font-size:9px;font-weight:700}
.legend span{margin-right:16px}.legend svg{display:inline;margin:0 4px -3px 0}
.plot{fill:#fbfcfd;stroke:#d0d7de}.line{fill:none;stroke:#0969da;stroke-width:2}.threshold{stroke:#cf222e;stroke-dasharray:6 4}.threshold-label{fill:#cf222e}.series-title{font-weight:600;fill:#333}.y-label{fill:#57606a}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}thead th{background:#f6f8fa}
blockquote{border-left:4px solid #d0d7de;margin:8px 0;padding:0 12px;color:#444}pre{background:#f6f8fa;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
code{background:#f6f8fa;padding:0 3px;border-radius:3px}.checklist{list-style:none;padding-left:8px}.none{color:#57606a;font-style:italic}
#chart-check{color:#57606a;font-size:12px}
`;

/**
 * After layout, the page counts what the browser actually drew (lanes and marks with a
 * non-empty box) into data-chart on <html>, and says so under the timeline: the browser
 * test reads it from the DOM, a reader sees it.
 */
const CHECK_SCRIPT = `(function(){var c={lanes:0,marks:{},series:0};
document.querySelectorAll('svg.timeline .lane').forEach(function(g){var b=g.getBBox();if(b.width>0&&b.height>0)c.lanes++;});
document.querySelectorAll('svg.timeline .mark').forEach(function(g){var b=g.getBBox();if(b.width>0&&b.height>0){var k=g.getAttribute('data-kind');c.marks[k]=(c.marks[k]||0)+1;}});
document.querySelectorAll('svg.series polyline').forEach(function(p){if(p.getBBox().width>0)c.series++;});
document.documentElement.setAttribute('data-chart',JSON.stringify(c));
var n=0;for(var k in c.marks)n+=c.marks[k];var e=document.getElementById('chart-check');if(e)e.textContent='drawn: '+c.lanes+' lane(s), '+n+' mark(s), '+c.series+' metric series';})();`;

const SCRIPT_HASH = createHash('sha256').update(CHECK_SCRIPT).digest('base64');
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    `<script>${CHECK_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function legend(): string {
  const item = (cls: string, shape: string, label: string): string => `<span><svg width="18" height="18" viewBox="-9 -9 18 18"><g class="${cls}">${shape}</g></svg>${label}</span>`;
  return `<p class="legend">${[
    item('mark mark-action', '<path d="M0,-8 L7,6 L-7,6 Z"/>', 'action (AWS change)'),
    item('mark mark-page sev-P1', '<circle r="7"/>', 'page (colour = severity)'),
    item('mark mark-page resolve', '<circle r="6"/>', 'resolve page'),
    item('mark mark-refusal', '<path d="M-6,-6 L6,6 M6,-6 L-6,6"/>', 'guardrail refusal'),
    item('mark mark-approval', '<path d="M0,-8 L8,0 L0,8 L-8,0 Z"/>', 'approval gate / human answer'),
  ].join('')}</p>`;
}

export function renderScenarioPage(o: ScenarioOutcome): string {
  const { run } = o;
  const s = run.prepared.scenario;
  const scale = scaleOf(run);
  const series = run.triggerSeries ?? [];
  const body = [
    '<p><a href="index.html">← all scenarios</a></p>',
    `<h1>${escapeHtml(s.name)} <span class="badge ${passed(o) ? 'pass' : 'fail'}">${passed(o) ? 'PASS' : 'FAIL'}</span></h1>`,
    `<p class="outcome">${escapeHtml(outcomeOf(o))}</p>`,
    `<p class="desc">${escapeHtml(s.description)}</p>`,
    `<p>Simulated ${escapeHtml(new Date(run.prepared.startMs).toISOString())} (T+0) to ${escapeHtml(new Date(run.endedAt).toISOString())}; runbooks: ${escapeHtml(s.runbooks.join(', '))}.</p>`,
    o.failures.length ? `<h2>Expectations not met</h2><ul>${o.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` : '',
    '<h2>Timeline</h2>',
    legend(),
    timelineSvg(run, scale),
    '<p id="chart-check"></p>',
    '<h2>What triggered it</h2>',
    series.length
      ? series.map((x) => seriesSvg(x, scale)).join('\n')
      : '<p class="none">No alarm fired during this incident: it began with an event (an RDS or ECS event, an operator request), not with a metric.</p>',
    blocksHtml(reportBlocks(o).map((b) => ('h' in b && b.h === 1 ? { h: 1 as const, text: ['Post-incident draft'] } : b))),
  ].join('\n');
  return page(`${s.name}: incident report`, body);
}

export function renderIndexPage(outcomes: ScenarioOutcome[]): string {
  const rows = outcomes.map((o) => {
    const s = o.run.prepared.scenario;
    const ttm = timeToMitigateSeconds(o.run);
    return `<tr><td><a href="${escapeHtml(encodeURIComponent(s.name))}.html">${escapeHtml(s.name)}</a></td><td>${escapeHtml(s.runbooks.join(', '))}</td><td><span class="badge ${passed(o) ? 'pass' : 'fail'}">${passed(o) ? 'PASS' : 'FAIL'}</span></td><td>${ttm === undefined ? '-' : escapeHtml(formatSeconds(ttm))}</td><td>${escapeHtml(outcomeOf(o))}</td></tr>`;
  });
  const failed = outcomes.filter((o) => !passed(o)).length;
  const body = [
    '<h1>Runbook Autopilot: drill incident reports</h1>',
    `<p>${outcomes.length} simulated incident(s), ${failed === 0 ? 'all passed' : `${failed} FAILED`}. Each page shows the timeline per runbook, the metric that triggered the incident and the post-incident draft.</p>`,
    `<table><thead><tr><th>scenario</th><th>runbooks</th><th>result</th><th>time to mitigate</th><th>outcome</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  ].join('\n');
  return page('Runbook Autopilot: drill incident reports', body);
}

/** Writes <dir>/<name>.html; returns its path. */
export function writeScenarioPage(o: ScenarioOutcome, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${o.run.prepared.scenario.name}.html`);
  writeFileSync(file, renderScenarioPage(o));
  return file;
}

/** Writes <dir>/index.html listing `outcomes`; returns its path. */
export function writeIndexPage(outcomes: ScenarioOutcome[], dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.html');
  writeFileSync(file, renderIndexPage(outcomes));
  return file;
}
