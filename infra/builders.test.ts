/** The template builders on their own (fast): no serverless run. */
import { loadConfig } from '../config/load';
import { RUNBOOKS } from '../domain/config';
import type { CfnTemplate, PolicyStatement } from './cfn';
import { checkEnvironmentSize, functionEnvironment, workflowEnvironment } from './environment';
import { durableConfigFor, renameLogicalId } from './durable';
import { deployedFunctions } from './functions';
import { roleStatements } from './permissions';
import { actionReference } from './iam-reference';
import { MAX_MONITOR_ROUNDS } from '../runbooks/scale-ecs/intake';

const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z0-9]*$/;
const params = {};

describe('roles for every stage config', () => {
  for (const stage of ['dev', 'prod']) {
    // "*" only where the Service Authorization Reference gives the action no resource type (codedeploy:StopDeployment):
    // https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    it(`${stage}: no mutating action on "*" in any function's role, unless AWS allows nothing else`, async () => {
      const config = loadConfig(stage);
      const fns = deployedFunctions(stage);
      const offending: Array<{ fn: string; statement: PolicyStatement }> = [];
      for (const fn of fns) {
        for (const s of roleStatements(fn, fns, config, params)) {
          const mutating = s.Action.filter((a) => !READ_ONLY.test(a) && !['logs:FilterLogEvents', 'logs:StartQuery'].includes(a));
          const scopable = [];
          for (const a of mutating) if ((await actionReference(a)).resourceFormats.length > 0) scopable.push(a);
          if (scopable.length > 0 && s.Resource.includes('*')) offending.push({ fn: fn.key, statement: s });
        }
      }
      expect(offending).toEqual([]);
    });
  }
});

describe('environment size guard', () => {
  it('passes the shipped configs and fails a config that would overflow Lambda\'s 4 KB', () => {
    for (const stage of ['dev', 'prod']) {
      const config = loadConfig(stage);
      const fns = deployedFunctions(stage);
      for (const fn of fns) expect(() => checkEnvironmentSize(config, { ...functionEnvironment(config), ...workflowEnvironment(fn, fns) }, fn.key)).not.toThrow();
    }
    const config = loadConfig('dev');
    const bloated = { ...config, alarms: { ...config.alarms, cpu: Array.from({ length: 200 }, (_, i) => `regami-ecs-cpu-high-${i}`) } };
    expect(() => checkEnvironmentSize(bloated, functionEnvironment(bloated), 'scaleEcs')).toThrow(/over Lambda's 4096/);
  });
});

describe('durable config', () => {
  it('gives every workflow an execution timeout covering its approval wait, within Lambda\'s one-year bound', () => {
    const config = loadConfig('prod');
    for (const runbook of RUNBOOKS.filter((r) => r !== 'investigate-5xx')) {
      const { ExecutionTimeout } = durableConfigFor(runbook, config);
      expect(ExecutionTimeout).toBeLessThanOrEqual(31_622_400);
    }
    expect(durableConfigFor('database-failover', config).ExecutionTimeout).toBeGreaterThan(config.guardrails.failover.approvalTimeoutSeconds);
    expect(durableConfigFor('restore-from-backup', config).ExecutionTimeout).toBeGreaterThan(config.guardrails.restore.approvalTimeoutSeconds);
  });

  it('never ends a scale-ecs episode before its own monitoring bound (handlers/scale-ecs.ts)', () => {
    for (const stage of ['dev', 'prod']) {
      const s = loadConfig(stage).guardrails.scaling;
      const episode = MAX_MONITOR_ROUNDS * Math.max(s.cooldownSeconds, s.stabilisationSeconds);
      expect(durableConfigFor('scale-ecs', loadConfig(stage)).ExecutionTimeout).toBeGreaterThan(episode);
    }
  });

  it('renames a version and every Ref, GetAtt and DependsOn that names it', () => {
    const template: CfnTemplate = {
      Resources: {
        V1: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Fn' } } },
        A: { Type: 'AWS::Lambda::Alias', DependsOn: ['V1', 'Other'], Properties: { FunctionVersion: { 'Fn::GetAtt': ['V1', 'Version'] } } },
      },
      Outputs: { Q: { Value: { Ref: 'V1' } } },
    };
    renameLogicalId(template, 'V1', 'V2');
    expect(template.Resources.V1).toBeUndefined();
    expect(template.Resources.V2?.Type).toBe('AWS::Lambda::Version');
    expect(template.Resources.A).toEqual({ Type: 'AWS::Lambda::Alias', DependsOn: ['V2', 'Other'], Properties: { FunctionVersion: { 'Fn::GetAtt': ['V2', 'Version'] } } });
    expect(template.Outputs!.Q!.Value).toEqual({ Ref: 'V2' });
  });
});

describe('deploy guard', () => {
  // The plugin is CommonJS; serverless hands it this much of itself.
  const AutopilotPlugin = require('./autopilot-plugin.cjs') as new (sls: unknown, options: unknown, utils: unknown) => { hooks: Record<string, () => unknown> };
  class ServerlessError extends Error {}
  const serverlessWith = (custom: Record<string, string>) => ({
    service: { custom: { autopilot: custom }, provider: { stage: 'dev' } },
    classes: { Error: ServerlessError },
    configSchemaHandler: { schema: { definitions: { awsLambdaRuntime: { enum: ['nodejs20.x'] } } } },
    // The deploy hook also asks STS which account is deploying (config/adoption.ts accountMismatches).
    getProvider: () => ({ request: async () => ({ Account: '123456789012' }) }),
  });
  const real = {
    pagerDutyEndpoint: 'https://events.pagerduty.com/integration/abc/enqueue',
    opsEmail: 'ops@regami.com',
    chatWebhookUrl: 'https://chat.regami.com/hook',
  };

  it('refuses to deploy while a parameter is still a placeholder, and allows real values', async () => {
    const placeholder = new AutopilotPlugin(serverlessWith({ ...real, pagerDutyEndpoint: 'https://events.pagerduty.com/integration/REPLACE_WITH_INTEGRATION_KEY/enqueue' }), {}, {});
    expect(() => placeholder.hooks['before:deploy:deploy']!()).toThrow(/placeholder parameters: pagerDutyEndpoint/);
    const ready = new AutopilotPlugin(serverlessWith(real), {}, {});
    expect(() => ready.hooks['before:deploy:deploy']!()).not.toThrow();
    await expect(ready.hooks['before:deploy:deploy']!()).resolves.toBeUndefined();
  });

  it('teaches serverless@3 the nodejs22.x runtime', () => {
    const sls = serverlessWith(real);
    new AutopilotPlugin(sls, {}, {});
    expect(sls.configSchemaHandler.schema.definitions.awsLambdaRuntime.enum).toContain('nodejs22.x');
  });
});
