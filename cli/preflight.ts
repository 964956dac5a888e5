/**
 * `autopilot preflight --stage X [--json] [--simulated]`: is each runbook ready for its next
 * incident? Read-only (Describe/List/Get calls only) with the caller's credentials, in the
 * stage's configured regions; prints READY / NOT READY per runbook with every check's reason.
 * --simulated runs the same checks against the drill's simulated region (no AWS), built from
 * the stage's config. Exit codes: 0 all READY, 1 any NOT READY, 2 invalid config or usage.
 * IAM policy simulation is not run yet (see adapters/aws/preflight.ts).
 */
import { formatReadiness, preflight } from '../domain/preflight';
import { AwsRegions } from '../adapters/aws/clients';
import { readPreflightFacts } from '../adapters/aws/preflight';
import { stageConfigOrUsage } from './stage-arg';

const USAGE = 'usage: autopilot preflight --stage <stage> [--json] [--simulated]';

export async function preflightCommand(args: string[]): Promise<number> {
  const read = stageConfigOrUsage(args, ['--json', '--simulated'], USAGE);
  if (read === 2) return 2;
  const { config, flags } = read;
  const stage = { value: read.stage };
  let aws: AwsRegions;
  let now = Date.now();
  if (flags.has('--simulated')) {
    const { SimWorld } = require('../test/simulated-region/world') as typeof import('../test/simulated-region/world');
    const { baselineWorld } = require('../test/simulated-region/baseline') as typeof import('../test/simulated-region/baseline');
    const { simClientSetup } = require('../test/simulated-region/plugin') as typeof import('../test/simulated-region/plugin');
    const { estateRenames, renameEstate } = require('../drill/stage-estate') as typeof import('../drill/stage-estate');
    // The drill's world with this stage's names (drill --stage does the same).
    const world = SimWorld.create(renameEstate(baselineWorld(), estateRenames(config)));
    aws = new AwsRegions(simClientSetup(world));
    now = world.clock.now();
  } else {
    aws = new AwsRegions({});
  }
  const results = preflight(config, await readPreflightFacts(aws, config, now), now);
  if (flags.has('--json')) console.log(JSON.stringify({ stage: stage.value, at: new Date(now).toISOString(), iamSimulation: 'not run', results }, null, 2));
  else console.log(`${formatReadiness(results)}\n(IAM policy simulation: not run by this version)`);
  return results.every((r) => r.ready) ? 0 : 1;
}
