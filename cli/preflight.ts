/**
 * `autopilot preflight --stage X [--json] [--simulated]`: is each runbook ready for its next
 * incident? Read-only (Describe/List/Get calls only) with the caller's credentials, in the
 * stage's configured regions; prints READY / NOT READY per runbook with every check's reason.
 * --simulated runs the same checks against the drill's simulated region (no AWS), built from
 * the stage's config. Exit codes: 0 all READY, 1 any NOT READY, 2 invalid config or usage.
 * IAM policy simulation is not run yet (see adapters/aws/preflight.ts).
 */
import { ConfigError, loadConfig } from '../config/load';
import { formatReadiness, preflight } from '../domain/preflight';
import { AwsRegions } from '../adapters/aws/clients';
import { readPreflightFacts } from '../adapters/aws/preflight';
import { takeOption } from './stage-arg';

const USAGE = 'usage: autopilot preflight --stage <stage> [--json] [--simulated]';

export async function preflightCommand(args: string[]): Promise<number> {
  const stage = takeOption(args, 'stage');
  const flags = new Set(stage.rest);
  const unknown = stage.rest.filter((a) => a !== '--json' && a !== '--simulated');
  if (stage.error || !stage.value || unknown.length > 0) {
    console.error(`${stage.error ?? (unknown.length ? `unknown argument ${unknown.join(' ')}` : '--stage is required')}\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(stage.value);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  let aws: AwsRegions;
  let now = Date.now();
  if (flags.has('--simulated')) {
    const { SimWorld } = require('../adapters/sim/world') as typeof import('../adapters/sim/world');
    const { baselineWorld } = require('../adapters/sim/baseline') as typeof import('../adapters/sim/baseline');
    const { simClientSetup } = require('../adapters/sim/plugin') as typeof import('../adapters/sim/plugin');
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
