/**
 * `autopilot drill [scenario...] [--verbose] [--json] [--list] [--stage X]`: replays incident scenarios
 * (all of drill/scenarios/ by default; a shipped one by its name, any other by its path)
 * through the real handlers against the simulated region.
 * Prints a brief per scenario (with --verbose the full timeline, AWS calls included) and a
 * summary table, or with --json only JSON. Writes the post-incident drafts and the HTML
 * incident report under drill-reports/.
 * Exit codes: 0 all passed, 1 an expectation failed, 2 an invalid scenario file or usage.
 */
// quiet.ts first: it sets the log level before any handler module builds its logger.
import '../drill/quiet';
import { join, relative } from 'node:path';
import { runDrill } from '../drill/drill';
import { defaultScenarioFiles, loadScenarioFiles, scenarioFileByName } from '../drill/load';
import { REPORTS_DIR } from '../drill/report';
import { formatBrief, formatSummary, formatTimeline, passed, toJson } from '../drill/printer';
import { estateRenames, withStageNames, type Renames } from '../drill/stage-estate';
import { ConfigError, loadConfig } from '../config/load';
import { isUsageError, parseCommandArgs } from './args';
import { commandHelp } from './main';

const OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  list: { type: 'boolean' },
  stage: { type: 'string' },
} as const;

/** A positional is a path when it looks like one; otherwise the name of a shipped scenario. */
function resolveScenario(arg: string): string | { error: string } {
  if (/[\\/]/.test(arg) || /\.(json|ya?ml)$/i.test(arg)) return arg;
  return scenarioFileByName(arg) ?? { error: `unknown scenario "${arg}" (autopilot drill --list shows the shipped ones)` };
}

function listScenarios(): number {
  const loaded = loadScenarioFiles(defaultScenarioFiles());
  if ('errors' in loaded) {
    console.error(loaded.errors.join('\n'));
    return 2;
  }
  const width = Math.max(...loaded.prepared.map((p) => p.scenario.name.length));
  for (const p of loaded.prepared) console.log(`${p.scenario.name.padEnd(width)}  ${p.scenario.runbooks.join(', ')}: ${p.scenario.description}`);
  return 0;
}

export async function drillCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS);
  if (isUsageError(parsed)) {
    console.error(`${parsed.error}\n\n${commandHelp('drill')}`);
    return 2;
  }
  const { json = false, verbose = false, list = false, stage } = parsed.values;
  if (list) return listScenarios();
  // --stage X: the same scenarios with config/X.json's names (drill/stage-estate.ts).
  let renames: Renames = [];
  if (stage !== undefined) {
    try {
      renames = estateRenames(loadConfig(stage));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(err.message);
      return 2;
    }
  }

  const files: string[] = [];
  for (const arg of parsed.positionals) {
    const file = resolveScenario(arg);
    if (typeof file !== 'string') {
      console.error(file.error);
      return 2;
    }
    files.push(file);
  }
  const loaded = loadScenarioFiles(files);
  if ('errors' in loaded) {
    console.error(`${loaded.errors.join('\n')}\n\nusage: autopilot drill [<scenario name>|<scenario.json|.yaml>...] [--verbose] [--json] [--list] [--stage <stage>]`);
    return 2;
  }
  const prepared = loaded.prepared.map((p) => withStageNames(p, renames));

  const outcomes = await runDrill(prepared, {
    reportsRoot: process.cwd(),
    onScenario: json ? undefined : (o) => console.log(verbose ? `${formatBrief(o)}\n   timeline (every entry, AWS calls included):\n${formatTimeline(o, { header: false })}\n` : formatBrief(o)),
  });
  if (json) console.log(JSON.stringify(toJson(outcomes), null, 2));
  else {
    console.log(`\n${formatSummary(outcomes, { failedOnly: !verbose })}`);
    const index = outcomes.find((o) => o.reportFile) ? join(process.cwd(), REPORTS_DIR, 'index.html') : undefined;
    if (index) console.log(`incident report: ${relative(process.cwd(), index) || index} (one page per scenario, with its post-incident draft)`);
  }
  return outcomes.every(passed) ? 0 : 1;
}
