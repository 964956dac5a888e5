/**
 * Issue 16 item 1-2: no inert deploy. A stage that keeps the runbook's example estate (account
 * 123456789012, regami-* names) fails to package, naming every field, unless its file sets
 * them explicitly (the shipped dev and prod stages: the drill's estate). At deploy time the
 * configured accounts are compared with the deploying account. config/example.json maps
 * every environment-specific field.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accountMismatches,
  assertDeployable,
  differenceFromDefaults,
  environmentSpecificFields,
  EXAMPLE_ACCOUNT,
  InertConfigError,
  leaves,
} from '../config/adoption';
import { CONFIG_DIR, ConfigError, loadConfig } from '../config/load';
import { defaultConfig } from '../domain/config';
import { eventRules } from '../runbooks/routing';
import { packageService } from './packaged-template';
import { runbookGrants } from './permissions';
import { adoptedStageFile } from '../test/support/adopted-config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const AutopilotPlugin = require('./autopilot-plugin.cjs') as new (serverless: unknown, options: unknown, utils: unknown) => { hooks: Record<string, () => Promise<void> | void> };

const example = JSON.parse(readFileSync(join(CONFIG_DIR, 'example.json'), 'utf8')) as Record<string, unknown>;

function stageDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-adoption-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(content));
  return dir;
}

const adopted = (account?: string): unknown => adoptedStageFile(account);

const inertOf = (fn: () => unknown): InertConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InertConfigError) return err;
    throw err;
  }
  throw new Error('expected an InertConfigError');
};

describe('no inert deploy', () => {
  it('refuses a stage with no file, naming every environment-specific field', () => {
    const err = inertOf(() => assertDeployable('acme', stageDir({})));
    const fields = err.fields.map((f) => f.field);
    expect(fields).toEqual(environmentSpecificFields());
    expect(fields).toEqual(expect.arrayContaining(['accountIds', 'service.clusterName', 'database.primaryInstanceId', 'dns.hostedZoneId', 'alarms.cpu']));
    expect(err.message).toContain(`accountIds = ["${EXAMPLE_ACCOUNT}"]`);
    expect(err.message).toContain('service.clusterName = "regami-cluster"');
  });

  it('refuses a stage file that renames everything but keeps the example account, naming only what it kept', () => {
    const file = adopted() as { accountIds?: string[] };
    delete file.accountIds;
    // The ARNs were rewritten with 111122223333 but accountIds falls back to the example account.
    const err = inertOf(() => assertDeployable('acme', stageDir({ 'acme.json': file })));
    expect(err.fields.map((f) => f.field)).toEqual(['accountIds']);
    expect(err.message).toMatch(/accountIds = \["123456789012"\]/);
  });

  it('refuses a stage that keeps the example task roles: the PassRole grant would name roles of the example account (each field named)', () => {
    const file = adopted() as { service: Record<string, unknown>; secondaryService: Record<string, unknown> };
    for (const svc of [file.service, file.secondaryService]) {
      delete svc.taskRoleArn;
      delete svc.executionRoleArn;
    }
    const err = inertOf(() => assertDeployable('acme', stageDir({ 'acme.json': file })));
    expect(err.fields.map((f) => f.field)).toEqual(['service.taskRoleArn', 'service.executionRoleArn', 'secondaryService.taskRoleArn', 'secondaryService.executionRoleArn']);
    expect(err.message).toContain(`service.taskRoleArn = "arn:aws:iam::${EXAMPLE_ACCOUNT}:role/regami-api-task" (example estate)`);
    // Set (to the adopter's roles, or "" for none) they package, and the grant names them.
    const config = assertDeployable('acme', stageDir({ 'acme.json': adopted() }));
    expect(config.secondaryService.taskRoleArn).toBe('arn:aws:iam::111122223333:role/acme-task-role');
    const pass = runbookGrants('database-failover', config, {}).mutations.find((st) => st.Action.includes('iam:PassRole'));
    expect(pass?.Resource).toEqual(['arn:aws:iam::111122223333:role/acme-task-role', 'arn:aws:iam::111122223333:role/acme-task-execution-role']);
  });

  it('refuses placeholders even when the stage file sets them', () => {
    const file = JSON.parse(JSON.stringify(adopted()).replace('"acme-cluster"', '"REPLACE-cluster"')) as unknown;
    const err = inertOf(() => assertDeployable('acme', stageDir({ 'acme.json': file })));
    expect(err.fields).toEqual([{ field: 'service.clusterName', value: 'REPLACE-cluster', why: 'placeholder' }]);
  });

  it('config/example.json as shipped is not deployable: its account is a placeholder', () => {
    expect(() => assertDeployable('acme', stageDir({ 'acme.json': example }))).toThrow(ConfigError);
  });

  it('packages the shipped dev and prod stages: their files set the example estate explicitly (the drill account)', () => {
    expect(assertDeployable('dev').accountIds).toEqual([EXAMPLE_ACCOUNT]);
    expect(assertDeployable('prod').guardrails.failover.requireApproval).toBe(true);
  });

  it('config/example.json names every environment-specific field, and only config fields', () => {
    const mapped = new Set(leaves(example).map((l) => l.path));
    for (const field of environmentSpecificFields()) expect(mapped).toContain(field);
    const known = new Set(leaves(defaultConfig).map((l) => l.path));
    for (const field of mapped) expect(known).toContain(field);
  });

  it('the adoption path: example.json with your own values is deployable, and its rules match only your account', () => {
    const config = assertDeployable('acme', stageDir({ 'acme.json': adopted() }));
    expect(config.accountIds).toEqual(['111122223333']);
    expect(config.paging.topics.P1).toBe('arn:aws:sns:us-east-1:111122223333:runbook-autopilot-acme-p1');
    const rules = eventRules(config);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.pattern.account).toEqual(['111122223333']);
    expect(JSON.stringify(rules)).not.toMatch(/regami|123456789012/);
    // config check's difference lists the fields the adopter changed.
    expect(differenceFromDefaults(config).map((d) => d.field)).toEqual(expect.arrayContaining(['accountIds', 'service.clusterName']));
  });

  it('an empty CodeDeploy and blue/green config turns them off: no rule, no grant', () => {
    const file = adopted() as { codeDeploy: Record<string, string>; service: Record<string, string>; dependencies: Record<string, string[]> };
    file.codeDeploy = { applicationName: '', deploymentGroupName: '' };
    file.service.listenerArn = '';
    file.service.blueTargetGroupArn = '';
    file.service.greenTargetGroupArn = '';
    file.dependencies = { s3Buckets: [], elastiCacheClusterIds: [] };
    const config = assertDeployable('acme', stageDir({ 'acme.json': file }));
    expect(eventRules(config).map((r) => r.name)).not.toContain('rollback-codedeploy-failure');
    expect(eventRules(config).map((r) => r.name)).not.toContain('restore-s3-requested');
    const rollback = runbookGrants('rollback-deployment', config, { ecsTaskRoleArns: ['arn:aws:iam::111122223333:role/t'] });
    expect(rollback.mutations.map((s) => s.Sid)).toEqual(['RollbackUpdateService']);
    // With it configured, both grants are there.
    const on = runbookGrants('rollback-deployment', assertDeployable('acme', stageDir({ 'acme.json': adopted() })), { ecsTaskRoleArns: [] });
    expect(on.mutations.map((s) => s.Sid)).toEqual(['RollbackUpdateService', 'RollbackStopDeployment', 'RollbackSwitchListener']);
  });

  it('one CodeDeploy name without the other is a mistake, named', () => {
    const file = adopted() as { codeDeploy: Record<string, string> };
    file.codeDeploy.deploymentGroupName = '';
    expect(() => loadConfig('acme', stageDir({ 'acme.json': file }))).toThrow(/codeDeploy.deploymentGroupName/);
  });
});

describe('deploy-time account check', () => {
  it('names an account mismatch between the config and the deploying credentials', () => {
    const config = assertDeployable('acme', stageDir({ 'acme.json': adopted() }));
    expect(accountMismatches(config, '111122223333')).toEqual([]);
    expect(accountMismatches(config, '999999999999')[0]).toMatch(/does not include the account these credentials deploy into \(999999999999\)/);
    const mixed = { ...config, service: { ...config.service, targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:444455556666:targetgroup/x/1' } };
    expect(accountMismatches(mixed, '111122223333')).toEqual(['service.targetGroupArn names account 444455556666, which is not in accountIds']);
  });

  function fakeServerless(stage: string, account: string) {
    const calls: string[] = [];
    class ServerlessError extends Error {}
    const serverless = {
      configSchemaHandler: { schema: { definitions: { awsLambdaRuntime: { enum: [] as string[] } } } },
      classes: { Error: ServerlessError },
      service: {
        provider: { stage },
        custom: { autopilot: { pagerDutyEndpoint: 'https://events.pagerduty.com/integration/k/enqueue', opsEmail: 'ops@example.com', chatWebhookUrl: 'https://chat.example.com/x', ecsTaskRoleArns: 'arn:aws:iam::123456789012:role/t' } },
      },
      getProvider: () => ({
        request: async (service: string, method: string) => {
          calls.push(`${service}.${method}`);
          return { Account: account };
        },
      }),
    };
    return { plugin: new AutopilotPlugin(serverless, {}, { log: () => undefined }), calls };
  }

  it('runs only on deploy: the deploy hook asks STS who is deploying and refuses another account', async () => {
    const wrong = fakeServerless('dev', '999999999999');
    await expect(wrong.plugin.hooks['before:deploy:deploy']!()).rejects.toThrow(/does not include the account these credentials deploy into \(999999999999\)/);
    expect(wrong.calls).toEqual(['STS.getCallerIdentity']);
    const right = fakeServerless('dev', EXAMPLE_ACCOUNT);
    await expect(right.plugin.hooks['before:deploy:deploy']!()).resolves.toBeUndefined();
  });

  it('packaging never calls AWS (no credentials in CI): the package hooks make no STS call', async () => {
    const pkg = fakeServerless('dev', '999999999999');
    await pkg.plugin.hooks['package:initialize']!();
    expect(pkg.calls).toEqual([]);
    const inert = fakeServerless('acme', '999999999999');
    expect(() => inert.plugin.hooks['package:initialize']!()).toThrow(/refusing to package stage "acme"[\s\S]*accountIds = \["123456789012"\]/);
  });
});

describe('sls package of a stage without a config file', () => {
  it('fails, naming the example account and each field', async () => {
    await expect(packageService('nofile')).rejects.toThrow(/refusing to package stage "nofile"[\s\S]*accountIds = \["123456789012"\][\s\S]*service\.clusterName = "regami-cluster"/);
  }, 240_000);
});
