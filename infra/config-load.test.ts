/** loadConfig: defaults deep-merged with config/<stage>.json, validated, errors naming the field. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import { defaultConfig } from '../domain/config';

function stageDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const topics = (stage: string) => ({
  P1: `arn:aws:sns:us-east-1:123456789012:runbook-autopilot-${stage}-p1`,
  P2: `arn:aws:sns:us-east-1:123456789012:runbook-autopilot-${stage}-p2`,
  P3: `arn:aws:sns:us-east-1:123456789012:runbook-autopilot-${stage}-p3`,
  P4: `arn:aws:sns:us-east-1:123456789012:runbook-autopilot-${stage}-p4`,
});

const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('returns the runbook defaults for dev when no stage file exists', () => {
    expect(loadConfig('dev', stageDir({}))).toEqual(defaultConfig);
  });

  it('merges nested overrides key by key and replaces arrays', () => {
    const dir = stageDir({
      'staging.json': { paging: { topics: topics('staging') }, guardrails: { scaling: { maxTasks: 6 } }, alarms: { cpu: ['staging-cpu*'] } },
    });
    const config = loadConfig('staging', dir);
    expect(config.stage).toBe('staging');
    expect(config.guardrails.scaling.maxTasks).toBe(6);
    expect(config.guardrails.scaling.minTasks).toBe(defaultConfig.guardrails.scaling.minTasks);
    expect(config.alarms.cpu).toEqual(['staging-cpu*']);
    expect(config.alarms.fiveXx).toEqual(defaultConfig.alarms.fiveXx);
  });

  it('loads the shipped prod config: approval required for failover, prod topics', () => {
    const prod = loadConfig('prod');
    expect(prod.stage).toBe('prod');
    expect(prod.guardrails.failover.requireApproval).toBe(true);
    for (const arn of Object.values(prod.paging.topics)) expect(arn).toMatch(/-prod-p[1-4]$/);
  });

  it('names the field of an unknown key (a typo must not pass silently)', () => {
    const err = errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { guardrails: { scaling: { maxTask: 3 } } } })));
    expect(err.field).toBe('guardrails.scaling.maxTask');
    expect(err.message).toMatch(/unknown field/);
  });

  it('names the field of a wrongly typed value', () => {
    const err = errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { guardrails: { failover: { requireApproval: 'yes' } } } })));
    expect(err.field).toBe('guardrails.failover.requireApproval');
    expect(err.message).toMatch(/must be a boolean/);
  });

  it('rejects values a deploy or a decision would trip on', () => {
    expect(errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { accountIds: ['12345'] } }))).field).toBe('accountIds[0]');
    expect(errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { guardrails: { scaling: { minTasks: 5, maxTasks: 3 } } } }))).field).toBe('guardrails.scaling.maxTasks');
    expect(errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { alarms: { cpu: ['*'] } } }))).field).toBe('alarms.cpu[0]');
    expect(errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { service: { listenerArn: 'listener/app/x' } } }))).field).toBe('service.listenerArn');
  });

  it('refuses a stage whose topics are another stage\'s', () => {
    const err = errorOf(() => loadConfig('staging', stageDir({})));
    expect(err.field).toBe('paging.topics.P1');
    expect(err.message).toMatch(/stage name "staging"/);
  });

  it('reports invalid JSON with the file name', () => {
    const dir = stageDir({ 'dev.json': '{ "dryRun": ' });
    const err = errorOf(() => loadConfig('dev', dir));
    expect(err.message).toContain(join(dir, 'dev.json'));
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('rejects a stage name that cannot be part of resource names', () => {
    expect(errorOf(() => loadConfig('../etc')).field).toBe('stage');
  });
});
