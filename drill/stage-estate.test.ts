/** autopilot drill --stage X: the shipped scenarios with a stage's names (issue 16 item 7). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertDeployable } from '../config/adoption';
import { ADOPTED_ACCOUNT, adoptedStageFile } from '../test/support/adopted-config';
import { runDrill } from './drill';
import { loadScenarioFile, SCENARIOS_DIR } from './load';
import { estateRenames, renameEstate, withStageNames } from './stage-estate';

const endpoint = process.env.DYNAMO_ENDPOINT;

function adoptedConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'stage-estate-'));
  writeFileSync(join(dir, 'acme.json'), JSON.stringify(adoptedStageFile()));
  return assertDeployable('acme', dir);
}

describe('estate renames', () => {
  const renames = estateRenames(adoptedConfig());
  const map = new Map(renames);

  it('maps the account, names, names inside ARNs and alarm prefixes onto the stage', () => {
    expect(map.get('123456789012')).toBe(ADOPTED_ACCOUNT);
    expect(map.get('regami-cluster')).toBe('acme-cluster');
    expect(map.get('regami-blue-tg')).toBe('acme-blue-tg');
    expect(map.get('regami-ecs-cpu-high')).toBe('acme-ecs-cpu-high');
    expect(map.get('regami.com')).toBe('example.com');
  });

  it('replaces whole names only, never inside another word', () => {
    expect(renameEstate({ a: 'app', b: 'approval of app/regami-alb', 'regami-db-primary': 'regami-api:41 regami-api-42' }, renames)).toEqual({
      a: 'acme-container-with-DATABASE_URL',
      b: 'approval of acme-container-with-DATABASE_URL/acme-alb',
      'acme-db-primary': 'acme-task-family:41 acme-task-family-42',
    });
  });
});

describe('drill --stage', () => {
  it.each(['scale-ecs-cpu-spike', 'database-failover-primary-down'])('%s passes with the stage names, and nothing names the example estate', async (name) => {
    const renames = estateRenames(adoptedConfig());
    const prepared = withStageNames(loadScenarioFile(join(SCENARIOS_DIR, `${name}.json`)), renames);
    const [outcome] = await runDrill([prepared], { dynamoEndpoint: endpoint, reportsRoot: false });
    expect(outcome!.failures).toEqual([]);
    const seen = JSON.stringify({ timeline: outcome!.run.entries.map((e) => e.summary), pages: outcome!.run.pages, published: outcome!.run.snsMessages });
    expect(seen).not.toMatch(/regami|123456789012/);
    expect(seen).toContain(ADOPTED_ACCOUNT);
  }, 120_000);
});

describe('preflight --simulated with a stage', () => {
  it('the drill world under the stage names is READY for every runbook (topics named after the stage included)', async () => {
    const { SimWorld, baselineWorld, simClientSetup } = await import('../test/simulated-region');
    const { AwsRegions } = await import('../adapters/aws/clients');
    const { readPreflightFacts } = await import('../adapters/aws/preflight');
    const { preflight } = await import('../domain/preflight');
    const config = adoptedConfig();
    const world = SimWorld.create(renameEstate(baselineWorld(), estateRenames(config)));
    const results = preflight(config, await readPreflightFacts(new AwsRegions(simClientSetup(world)), config, world.clock.now()), world.clock.now());
    expect(results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.runbook}: ${c.name}: ${c.reason}`))).toEqual([]);
  });
});
