/**
 * A drill run: every scenario in turn against one dynalite (a fresh table each) and one
 * durable test environment, each checked against its expectations and written up as a
 * post-incident draft.
 */
import './quiet';
import { startDynalite } from '../test/support/dynalite';
import { setupDurableEnvironment, teardownDurableEnvironment } from './durable-host';
import { runScenario } from './engine';
import { evaluate } from './expectations';
import type { PreparedScenario } from './load';
import { join } from 'node:path';
import { writeIndexPage, writeScenarioPage } from './html-report';
import { REPORTS_DIR, writeReport } from './report';
import type { ScenarioOutcome } from './printer';
import { loadRunbookModules, type RunbookModules } from './runbooks';

export interface DrillOptions {
  /** Use this DynamoDB endpoint (tests: the jest global dynalite) instead of starting one. */
  dynamoEndpoint?: string;
  /** Handler modules (tests inject test-only ones); default: the entry modules of RUNBOOK_FUNCTIONS. */
  modules?: RunbookModules;
  /** Write drill-reports/<name>.md and .html (and drill-reports/index.html) under this directory; false: write nothing. */
  reportsRoot?: string | false;
  settleTimeoutMs?: number;
  /** Scenarios run at the same time (default 1: see DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Called after each scenario (printing as the drill goes). */
  onScenario?: (outcome: ScenarioOutcome) => void;
}

/**
 * One scenario at a time. The durable runner skips a wait by ticking the process-wide fake
 * clock, which fires every pending timer, including the socket timers of another
 * scenario's in-flight state-table requests (seen as AbortError in its intake). Within one
 * scenario the time gate keeps intakes and workflow waits apart, so sequential runs are safe.
 */
const DEFAULT_CONCURRENCY = 1;

export async function runDrill(scenarios: PreparedScenario[], opts: DrillOptions = {}): Promise<ScenarioOutcome[]> {
  const modules = opts.modules ?? loadRunbookModules();
  const local = opts.dynamoEndpoint ? undefined : await startDynalite();
  const dynamoEndpoint = opts.dynamoEndpoint ?? local?.endpoint ?? '';
  await setupDurableEnvironment();
  const outcomes: (ScenarioOutcome | undefined)[] = new Array(scenarios.length);
  let reported = 0;
  const runOne = async (i: number): Promise<void> => {
    const prepared = scenarios[i];
    if (!prepared) return;
    // IAM binds the deployed handlers to their roles; test-injected modules are not deployed code.
    const run = await runScenario(prepared, { dynamoEndpoint, modules, settleTimeoutMs: opts.settleTimeoutMs, iam: opts.modules === undefined });
    const outcome: ScenarioOutcome = { run, failures: evaluate(prepared.scenario.expectations, run) };
    if (opts.reportsRoot) {
      outcome.reportFile = writeReport(outcome, opts.reportsRoot);
      outcome.htmlFile = writeScenarioPage(outcome, join(opts.reportsRoot, REPORTS_DIR));
    }
    outcomes[i] = outcome;
    // Reported in file order, each as soon as it and every one before it are done.
    for (let next = outcomes[reported]; next; next = outcomes[reported]) {
      opts.onScenario?.(next);
      reported += 1;
    }
  };
  try {
    let cursor = 0;
    const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? DEFAULT_CONCURRENCY, scenarios.length)) }, async () => {
      while (cursor < scenarios.length) await runOne(cursor++);
    });
    await Promise.all(workers);
  } finally {
    await teardownDurableEnvironment();
    await local?.stop();
  }
  const done = outcomes.filter((o): o is ScenarioOutcome => o !== undefined);
  if (opts.reportsRoot && done.length > 0) writeIndexPage(done, join(opts.reportsRoot, REPORTS_DIR));
  return done;
}
