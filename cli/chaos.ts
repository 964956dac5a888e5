/**
 * `autopilot chaos [scenario...] [--json] [--faults a,b] [--share 0.3]`: every scenario
 * (all of drill/scenarios/ by default) replayed under each injected fault (drill/chaos.ts).
 * Prints the scenario × fault table with totals, or with --json
 * [{ scenario, fault, outcome, detail }].
 * Exit codes: 0 every cell remediated, paged or (accepted) no-action; 1 a cell failed;
 * 2 an invalid scenario file or usage.
 */
// quiet.ts first: it sets the log level before any handler module builds its logger.
import '../drill/quiet';
import { CHAOS_FAULTS, formatChaosTable, passes, runChaos, type ChaosFault } from '../drill/chaos';
import { realNow } from '../drill/durable-host';
import { loadScenarioFiles } from '../drill/load';
import { isUsageError, parseCommandArgs } from './args';

const USAGE = `usage: autopilot chaos [scenario.json|scenario.yaml ...] [--json] [--faults ${CHAOS_FAULTS.join(',')}] [--share 0.3]`;

interface ChaosArgs {
  json: boolean;
  faults?: ChaosFault[];
  share?: number;
  files: string[];
}

function parseArgs(args: string[]): ChaosArgs | string {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, faults: { type: 'string' }, share: { type: 'string' } });
  if (isUsageError(parsed)) return parsed.error;
  const out: ChaosArgs = { json: parsed.values.json ?? false, files: parsed.positionals };
  if (parsed.values.faults !== undefined) {
    const names = parsed.values.faults.split(',').filter(Boolean);
    const bad = names.filter((n) => !(CHAOS_FAULTS as readonly string[]).includes(n));
    if (names.length === 0 || bad.length > 0) return `unknown fault ${bad.join(', ') || '(none given)'}`;
    out.faults = names as ChaosFault[];
  }
  if (parsed.values.share !== undefined) {
    const share = Number(parsed.values.share);
    if (!(share > 0 && share <= 1)) return '--share must be a number in (0, 1]';
    out.share = share;
  }
  return out;
}

export async function chaosCommand(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    console.error(`${parsed}\n${USAGE}`);
    return 2;
  }
  const loaded = loadScenarioFiles(parsed.files);
  if ('errors' in loaded) {
    console.error(`${loaded.errors.join('\n')}\n${USAGE}`);
    return 2;
  }
  const { prepared } = loaded;

  const started = realNow();
  const cells = await runChaos(prepared, {
    faults: parsed.faults,
    share: parsed.share,
    onCell: parsed.json ? undefined : (c) => console.error(`${c.scenario} × ${c.fault}: ${c.outcome} (${c.wallMs} ms)`),
  });
  if (parsed.json) console.log(JSON.stringify(cells.map(({ scenario, fault, outcome, detail }) => ({ scenario, fault, outcome, detail })), null, 2));
  else console.log(formatChaosTable(cells, realNow() - started));
  return cells.every(passes) ? 0 : 1;
}
