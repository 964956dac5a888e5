/**
 * `autopilot bad-input [--json]`: the bad-input figures. Every input of the corpus
 * (events/bad-input.ts) delivered to every runbook's real intake against the simulated
 * region and a dynalite state table: inputs tried, rejected, ignored, and the mutations,
 * workflows and pages they caused (all must be 0). Exit 1 if anything got through.
 */
import '../drill/quiet';
import '../adapters/aws/sdk/all';
import { measureBadInput } from '../drill/bad-input';
import { isUsageError, parseCommandArgs } from './args';
import { runBadInputCorpus } from '../events/bad-input';
import { defaultConfig } from '../domain/config';
import { startDynalite } from '../test/support/dynalite';

export async function badInputCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (isUsageError(parsed) || parsed.positionals.length > 0) {
    console.error(`${isUsageError(parsed) ? parsed.error : `unexpected argument ${parsed.positionals.join(' ')}`}\nusage: autopilot bad-input [--json]`);
    return 2;
  }
  const json = parsed.values.json ?? false;
  const dynamo = await startDynalite();
  try {
    const figures = await measureBadInput(dynamo.endpoint);
    const parser = runBadInputCorpus(defaultConfig, Date.now());
    const byCode: Record<string, number> = {};
    for (const r of parser.results) byCode[r.actual] = (byCode[r.actual] ?? 0) + 1;
    const { details, ...totals } = figures;
    if (json) {
      console.log(JSON.stringify({ ...totals, byRejection: byCode, details }, null, 2));
    } else {
      console.log(`bad inputs: ${totals.inputs} (x5 intakes = ${totals.deliveries} deliveries)`);
      console.log(`  by parser verdict: ${Object.entries(byCode).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      console.log(`  intake answers: rejected ${totals.rejected}, ignored ${totals.ignored}, accepted ${totals.accepted}, crashed ${totals.crashed}`);
      console.log(`  caused: ${totals.mutations} AWS mutation(s), ${totals.workflowsStarted} workflow(s), ${totals.pages} page(s)`);
    }
    return totals.accepted + totals.crashed + totals.mutations + totals.workflowsStarted + totals.pages === 0 ? 0 : 1;
  } finally {
    await dynamo.stop();
  }
}
