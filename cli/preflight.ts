/**
 * `autopilot preflight --stage X [--json] [--simulated] [--no-iam]`: is each runbook ready for
 * its next incident? Read-only with the caller's credentials, in the stage's configured regions:
 * the checks of domain/preflight.ts (Describe/List/Get calls only) and the IAM policy simulation
 * of every deployed function's role (iam:SimulatePrincipalPolicy of the calls each makes;
 * adapters/aws/iam-simulation.ts; the paging key's ARN read with sns:GetTopicAttributes).
 * Prints READY / NOT READY per runbook with every check's reason. The deployed preflight
 * function runs the same on its schedule (pipeline/scheduled-preflight.ts).
 * --simulated runs it against the drill's simulated region (no AWS), built from the stage's
 * config, its IAM simulation against the roles the simulator enforces. --no-iam leaves the
 * simulation out (credentials without iam:SimulatePrincipalPolicy).
 * Exit codes: 0 all READY, 1 any NOT READY, 2 invalid config or usage.
 */
import { formatReadiness, preflight } from '../domain/preflight';
import { deployedName, SERVICE_NAME } from '../handlers/shared/contract';
import { AwsRegions } from '../adapters/aws/clients';
import { readPreflightFacts } from '../adapters/aws/preflight';
import { pagingKeyArnOf } from '../adapters/aws/paging-key';
import { simulatedDenials, type PreflightStack } from '../pipeline/scheduled-preflight';
import { stageConfigOrUsage } from './stage-arg';

const USAGE = 'usage: autopilot preflight --stage <stage> [--json] [--simulated] [--no-iam]';

export async function preflightCommand(args: string[]): Promise<number> {
  const read = stageConfigOrUsage(args, ['--json', '--simulated', '--no-iam'], USAGE);
  if (read === 2) return 2;
  const { config, flags } = read;
  const stage = read.stage;
  const tableName = `${SERVICE_NAME}-${stage}-state`;
  let aws: AwsRegions;
  let now = Date.now();
  /** undefined: the paging key is read from the deployed topics. */
  let stack: PreflightStack | undefined;
  if (flags.has('--simulated')) {
    const { SimWorld } = require('../test/simulated-region/world') as typeof import('../test/simulated-region/world');
    const { baselineWorld } = require('../test/simulated-region/baseline') as typeof import('../test/simulated-region/baseline');
    const { simClientSetup } = require('../test/simulated-region/plugin') as typeof import('../test/simulated-region/plugin');
    const { estateRenames, renameEstate } = require('../drill/stage-estate') as typeof import('../drill/stage-estate');
    const { functionPolicies } = require('../infra/iam-policy') as typeof import('../infra/iam-policy');
    // The drill's world with this stage's names (drill --stage does the same), and its IAM: each
    // function's role as the template builds it; the caller is an administrator, like the drill's operator.
    const world = SimWorld.create(renameEstate(baselineWorld(), estateRenames(config)));
    const policies = functionPolicies(config, { account: world.account, region: config.deployment.region, tableName });
    policies.set('preflight-caller', [{ Sid: 'OperatorCredentials', Effect: 'Allow', Action: ['*'], Resource: ['*'] }]);
    world.setIam({ policies, roleName: (fn) => deployedName(stage, fn), caller: () => 'preflight-caller' });
    aws = new AwsRegions(simClientSetup(world));
    now = world.clock.now();
    stack = { tableName };
  } else {
    aws = new AwsRegions({});
  }
  const facts = await readPreflightFacts(aws, config, now);
  if (!flags.has('--no-iam')) {
    let known = stack;
    if (!known) {
      try {
        known = { tableName, pagingKeyArn: await pagingKeyArnOf(aws, config) };
      } catch (err) {
        facts.iamDenied = { ok: false, error: `the paging key's ARN could not be read (sns:GetTopicAttributes): ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    if (known) facts.iamDenied = await simulatedDenials(aws, config, known);
  }
  // The runbooks the stage deploys (a standby stage: the failover alone), as the scheduled function judges them.
  const results = preflight(config, facts, now).filter((r) => config.deployment.runbooks.includes(r.runbook));
  const iam = flags.has('--no-iam') ? 'not run (--no-iam)' : 'run';
  if (flags.has('--json')) console.log(JSON.stringify({ stage, at: new Date(now).toISOString(), iamSimulation: iam, results }, null, 2));
  else console.log(`${formatReadiness(results)}${flags.has('--no-iam') ? '\n(IAM policy simulation: not run, --no-iam)' : ''}`);
  return results.every((r) => r.ready) ? 0 : 1;
}
