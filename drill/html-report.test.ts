/**
 * The HTML incident report, opened in a real browser: Debian's chromium, headless. The page
 * counts what the browser actually laid out (lanes and marks with a non-empty box, metric
 * lines) into data-chart; the test reads the DOM chromium dumps and compares it with the
 * run, then saves a screenshot next to the pages (drill-reports/browser-test/).
 *
 * In CI (CI=true, set by .ci/run, which installs chromium) the browser part never skips: a
 * missing chromium fails it. Locally without chromium it is skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runDrill } from './drill';
import { timelineLanes, timelineMarks } from './html-report';
import { loadScenarioFile, prepareScenario, REPO_ROOT, SCENARIOS_DIR } from './load';
import type { ScenarioOutcome } from './printer';
import { REPORTS_DIR } from './report';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!haveChromium && !inCi) console.warn(`html-report.test: ${CHROMIUM} not found, the browser checks are SKIPPED (apt-get install chromium; in CI they run and fail without it)`);
const browserIt = haveChromium || inCi ? it : it.skip;

const OUT_DIR = join(REPO_ROOT, REPORTS_DIR, 'browser-test');
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title=\'pwned\'</script> & "quotes"';

function chromium(args: string[]): { stdout: string; stderr: string } {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing: the browser test must run in CI (.ci/run installs Debian's chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'autopilot-chromium-'));
  try {
    const r = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--hide-scrollbars', ...args],
      { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr.slice(-2000)}`);
    return { stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function decodeAttr(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('HTML incident report', () => {
  let outcomes: ScenarioOutcome[];
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autopilot-report-'));
    // A failover that acts and pages, and an approval that is rejected, its alarm reason hostile markup.
    const failover = loadScenarioFile(join(SCENARIOS_DIR, 'database-failover-primary-down.json'));
    const rejectedRaw = JSON.parse(readFileSync(join(SCENARIOS_DIR, 'database-failover-approval-rejected.json'), 'utf8')) as Record<string, unknown> & { timeline: { event?: { patch?: unknown } }[] };
    rejectedRaw.name = 'report-hostile-reason';
    rejectedRaw.description = `Approval rejected; the alarm reason is ${HOSTILE}`;
    const first = rejectedRaw.timeline[0];
    if (first?.event) first.event.patch = { detail: { state: { reason: HOSTILE } } };
    const rejected = prepareScenario(rejectedRaw, '<html-report.test>');
    outcomes = await runDrill([failover, rejected], { dynamoEndpoint: endpoint, reportsRoot: root });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const pageOf = (name: string): string => join(root, REPORTS_DIR, `${name}.html`);
  const outcomeOf = (name: string): ScenarioOutcome => {
    const o = outcomes.find((x) => x.run.prepared.scenario.name === name);
    if (!o) throw new Error(`no outcome for ${name}`);
    return o;
  };

  it('writes index.html and one page per scenario, self-contained: no external resource, a CSP that forbids fetching', () => {
    expect(outcomes.map((o) => o.failures)).toEqual([[], []]);
    const index = readFileSync(join(root, REPORTS_DIR, 'index.html'), 'utf8');
    expect(index).toContain('href="database-failover-primary-down.html"');
    expect(index).toContain('href="report-hostile-reason.html"');
    for (const name of ['database-failover-primary-down', 'report-hostile-reason']) {
      const html = readFileSync(pageOf(name), 'utf8');
      expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
      expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b|<[^>]*\ssrc=|url\(|@import/i);
      // Every link is to a sibling page; URLs in the text (a health-check URL in a page) are text.
      const hrefs = [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1]);
      expect(hrefs.length).toBeGreaterThan(0);
      for (const href of hrefs) expect(href).toMatch(/^[\w.%-]+\.html$/);
    }
  });

  it('escapes untrusted text (an alarm reason, the description): shown as text, never markup', () => {
    const html = readFileSync(pageOf('report-hostile-reason'), 'utf8');
    expect(html).toContain('&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain("<script>document.title='pwned'");
    // Exactly one script: the page's own chart check (allowed by its hash).
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  browserIt('renders in chromium: the timeline has a lane per runbook and every action, page, refusal and approval mark; the metric lines are drawn; screenshot saved', () => {
    mkdirSync(OUT_DIR, { recursive: true });
    for (const name of ['database-failover-primary-down', 'report-hostile-reason']) {
      const o = outcomeOf(name);
      const url = pathToFileURL(pageOf(name)).href;
      const dom = chromium(['--virtual-time-budget=5000', '--dump-dom', url]).stdout;
      const attr = /<html[^>]*\sdata-chart="([^"]*)"/.exec(dom)?.[1];
      if (attr === undefined) throw new Error(`the page's chart check did not run in chromium (no data-chart on <html>); DOM starts: ${dom.slice(0, 300)}`);
      const drawn = JSON.parse(decodeAttr(attr)) as { lanes: number; marks: Record<string, number>; series: number };

      const marks = timelineMarks(o.run);
      const count = (kind: string): number => marks.filter((m) => m.kind === kind).length;
      expect(drawn.lanes).toBe(timelineLanes(o.run, marks).length);
      expect(drawn.lanes).toBeGreaterThanOrEqual(o.run.prepared.scenario.runbooks.length);
      expect(drawn.marks).toEqual(Object.fromEntries(['action', 'page', 'refusal', 'approval'].filter((k) => count(k) > 0).map((k) => [k, count(k)])));
      // From the run itself, not from the page's own mark list.
      expect(drawn.marks.action ?? 0).toBe(o.run.entries.filter((e) => e.kind === 'action').length);
      expect(drawn.marks.page ?? 0).toBe(o.run.pages.length);
      expect(drawn.series).toBe(o.run.triggerSeries?.length);
      expect(drawn.series).toBeGreaterThan(0);
      // The hostile reason stayed text: no element was made of it, and it did not run.
      expect(dom).not.toMatch(/<img\b/);
      expect(dom).not.toContain('<title>pwned</title>');

      const shot = join(OUT_DIR, `${name}.png`);
      rmSync(shot, { force: true });
      chromium(['--virtual-time-budget=5000', '--window-size=1280,1600', `--screenshot=${shot}`, url]);
      expect(existsSync(shot)).toBe(true);
      expect(readFileSync(shot).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(statSync(shot).size).toBeGreaterThan(20_000);
    }
    const failover = outcomeOf('database-failover-primary-down');
    expect(failover.run.entries.filter((e) => e.kind === 'action').length).toBeGreaterThan(0);
    const rejected = outcomeOf('report-hostile-reason');
    expect(timelineMarks(rejected.run).filter((m) => m.kind === 'approval').length).toBeGreaterThan(0);
    expect(timelineMarks(rejected.run).filter((m) => m.kind === 'refusal').length).toBeGreaterThan(0);
  });
});
