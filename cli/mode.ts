/**
 * `autopilot mode <runbook> <off|shadow|live|default> --stage X --by NAME [--reason TEXT]`:
 * overrides one runbook's mode in the state table's controls item (domain/modes.ts), without
 * a deploy; `default` removes the override (the config's `modes` applies again). With no mode,
 * prints the effective mode of every runbook. (Issue 14a's `autopilot controls` owns the kill
 * switch and dry-run on the same item.)
 */
import { RUNBOOKS, type RunbookId } from '../domain/config';
import { isRunbookMode } from '../domain/modes';
import { loadConfig } from '../config/load';
import { DynamoModeReader } from '../adapters/dynamo/mode-reader';
import { target } from './incidents';
import { takeOption } from './stage-arg';

const USAGE = 'usage: autopilot mode [<runbook> <off|shadow|live|default>] --stage <stage> --by <name> [--reason <text>] [--table T] [--region R]';

export async function modeCommand(args: string[], now: number = Date.now()): Promise<number> {
  const stage = takeOption(args, 'stage');
  const t = target(args, USAGE);
  if (typeof t === 'string') {
    console.error(t);
    return 2;
  }
  const by = takeOption(t.rest, 'by');
  const reason = takeOption(by.rest, 'reason');
  const positional = reason.rest;
  const config = stage.value ? loadConfig(stage.value) : undefined;
  const reader = new DynamoModeReader(t.client, t.tableName);
  if (positional.length === 0) {
    for (const rb of RUNBOOKS) {
      const m = await reader.read(rb, config ?? { modes: Object.fromEntries(RUNBOOKS.map((r) => [r, 'live'])) as Record<RunbookId, 'live'> });
      console.log(`${rb.padEnd(20)} ${m.mode.padEnd(7)} (${m.source})${m.note ? ` ${m.note}` : ''}`);
    }
    return 0;
  }
  const [runbook, mode, ...extra] = positional;
  if (extra.length > 0 || !RUNBOOKS.includes(runbook as RunbookId) || !(mode === 'default' || isRunbookMode(mode)) || !by.value || by.error || reason.error) {
    console.error(`${!by.value ? '--by is required (who sets it)' : `runbook must be one of ${RUNBOOKS.join(', ')}; mode one of off, shadow, live, default`}\n${USAGE}`);
    return 2;
  }
  await reader.set(runbook as RunbookId, mode === 'default' ? undefined : mode, by.value, reason.value ?? '', now);
  console.log(`${runbook}: ${mode === 'default' ? 'override removed (the config default applies)' : `mode ${mode}`} in ${t.tableName}, set by ${by.value}`);
  return 0;
}
