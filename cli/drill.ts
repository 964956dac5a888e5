/**
 * `autopilot drill [scenario...] [--json]`: replays incident scenarios (all of
 * drill/scenarios/ by default) through the real handlers against the simulated region.
 * Prints a timeline per scenario and a summary table, or with --json only JSON.
 * Exit codes: 0 all passed, 1 an expectation failed, 2 an invalid scenario file or usage.
 */
// quiet.ts first: it sets the log level before any handler module builds its logger.
import '../drill/quiet';
import { relative } from 'node:path';
import { runDrill } from '../drill/drill';
import { loadScenarioFiles } from '../drill/load';
import { formatSummary, formatTimeline, passed, toJson } from '../drill/printer';
import { estateRenames, withStageNames, type Renames } from '../drill/stage-estate';
import { ConfigError, loadConfig } from '../config/load';
import { takeOption } from './stage-arg';

const USAGE = 'usage: autopilot drill [scenario.json|scenario.yaml ...] [--json] [--stage X]';

export async function drillCommand(argv: string[]): Promise<number> {
  // --stage X: the same scenarios with config/X.json's names (drill/stage-estate.ts).
  const stageOption = takeOption(argv, 'stage');
  if (stageOption.error) {
    console.error(`${stageOption.error}\n${USAGE}`);
    return 2;
  }
  let renames: Renames = [];
  if (stageOption.value) {
    try {
      renames = estateRenames(loadConfig(stageOption.value));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(err.message);
      return 2;
    }
  }
  const args = stageOption.rest;
  const json = args.includes('--json');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--json');
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  const files = args.filter((a) => !a.startsWith('-'));
  const loaded = loadScenarioFiles(files);
  if ('errors' in loaded) {
    console.error(`${loaded.errors.join('\n')}\n${USAGE}`);
    return 2;
  }
  const prepared = loaded.prepared.map((p) => withStageNames(p, renames));

  const outcomes = await runDrill(prepared, {
    reportsRoot: process.cwd(),
    onScenario: json
      ? undefined
      : (o) => {
          if (o.reportFile) o.reportFile = relative(process.cwd(), o.reportFile) || o.reportFile;
          console.log(`${formatTimeline(o)}\n`);
        },
  });
  if (json) console.log(JSON.stringify(toJson(outcomes), null, 2));
  else console.log(formatSummary(outcomes));
  return outcomes.every(passed) ? 0 : 1;
}
