'use strict';
/**
 * Local serverless@3 plugin (loaded by path: `plugins: [./infra/autopilot-plugin.cjs]`).
 *
 * serverless@3 knows neither nodejs22.x nor durable functions. This plugin:
 * - lets the config schema accept nodejs22.x (the runtime serverless@3.40 predates);
 * - after serverless compiled functions and events (`package:compileEvents`), hands the
 *   template to infra/extend-template.ts, which adds roles, table, topics, rules, DLQs,
 *   alarms, DurableConfig and workflow aliases from the contract, config/<stage>.json and
 *   runbooks/routing.ts's eventRules (the registry entries' triggers);
 * - refuses to deploy while a deploy parameter still holds its placeholder.
 * Pure template work: no AWS call, so `sls package` runs without credentials.
 */
const path = require('node:path');
const { requireTs } = require('./load-ts.cjs');

const RUNTIME = 'nodejs22.x';
const PLACEHOLDER = /REPLACE/;

class AutopilotPlugin {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.options = options;
    this.log = (utils && utils.log) || console.log;

    const runtimes = serverless.configSchemaHandler.schema.definitions.awsLambdaRuntime;
    if (runtimes && Array.isArray(runtimes.enum) && !runtimes.enum.includes(RUNTIME)) runtimes.enum.push(RUNTIME);

    this.hooks = {
      // Before anything is bundled: a stage still naming the example estate fails here, naming each field.
      'package:initialize': () => this.refuseInert(),
      'package:compileEvents': () => this.extendTemplate(),
      // Deploy only (never package): the one place credentials exist.
      'before:deploy:deploy': () => {
        this.refusePlaceholders();
        return this.checkDeployingAccount();
      },
    };
  }

  deployParams() {
    const custom = (this.serverless.service.custom && this.serverless.service.custom.autopilot) || {};
    const required = ['pagerDutyEndpoint', 'opsEmail', 'chatWebhookUrl'];
    for (const key of required) {
      if (typeof custom[key] !== 'string' || custom[key] === '') {
        throw new this.serverless.classes.Error(`custom.autopilot.${key} must be set (serverless.yml params or --param="${key}=...")`);
      }
    }
    return {
      pagerDutyEndpoint: custom.pagerDutyEndpoint,
      opsEmail: custom.opsEmail,
      chatWebhookUrl: custom.chatWebhookUrl,
    };
  }

  refusePlaceholders() {
    const params = this.deployParams();
    // With AWS Chatbot configured (paging.chat), P4 needs no webhook: its placeholder may stay.
    const { loadConfig } = requireTs(path.join(__dirname, '..', 'config', 'load.ts'));
    const { chatbotConfigured } = requireTs(path.join(__dirname, '..', 'domain', 'features.ts'));
    const chatbot = chatbotConfigured(loadConfig(this.serverless.service.provider.stage));
    const left = Object.entries(params).filter(([k, v]) => PLACEHOLDER.test(String(v)) && !(chatbot && k === 'chatWebhookUrl')).map(([k]) => k);
    if (left.length > 0) {
      throw new this.serverless.classes.Error(`refusing to deploy with placeholder parameters: ${left.join(', ')} (pass --param="name=value")`);
    }
  }

  refuseInert() {
    const { assertDeployable } = requireTs(path.join(__dirname, '..', 'config', 'adoption.ts'));
    try {
      assertDeployable(this.serverless.service.provider.stage);
    } catch (err) {
      throw new this.serverless.classes.Error(err instanceof Error ? err.message : String(err));
    }
  }

  /** The configured accounts against the one these credentials deploy into (STS GetCallerIdentity). */
  async checkDeployingAccount() {
    const stage = this.serverless.service.provider.stage;
    const { assertDeployable, accountMismatches } = requireTs(path.join(__dirname, '..', 'config', 'adoption.ts'));
    const config = assertDeployable(stage);
    const identity = await this.serverless.getProvider('aws').request('STS', 'getCallerIdentity', {});
    const problems = accountMismatches(config, String(identity && identity.Account));
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(`refusing to deploy stage ${stage}: config/${stage}.json does not match the deploying account:\n  ${problems.join('\n  ')}`);
    }
  }

  extendTemplate() {
    const stage = this.serverless.service.provider.stage;
    // Refuses a stage whose config still names the example estate (config/adoption.ts), naming each field.
    const { assertDeployable: loadConfig } = requireTs(path.join(__dirname, '..', 'config', 'adoption.ts'));
    const { extendTemplate } = requireTs(path.join(__dirname, 'extend-template.ts'));
    const { eventRules } = requireTs(path.join(__dirname, '..', 'runbooks', 'routing.ts'));

    const config = loadConfig(stage);
    const versionLogicalIds = {};
    for (const key of this.serverless.service.getAllFunctions()) {
      versionLogicalIds[key] = this.serverless.service.getFunction(key).versionLogicalId;
    }
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const rules = eventRules(config);
    const result = extendTemplate(template, { stage, config, rules, params: this.deployParams(), versionLogicalIds });
    // Keep serverless' own bookkeeping in step with the re-hashed workflow versions.
    for (const [key, versionId] of Object.entries(result.workflowVersions)) {
      this.serverless.service.getFunction(key).versionLogicalId = versionId;
    }
    const log = typeof this.log.verbose === 'function' ? this.log.verbose.bind(this.log) : () => {};
    log(`autopilot: ${result.functions.length} functions, ${rules.length} rules, stage ${stage}`);
  }
}

module.exports = AutopilotPlugin;
