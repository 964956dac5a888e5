/** loadConfig: defaults deep-merged with config/<stage>.json, validated, errors naming the field. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import { defaultConfig } from '../domain/config';
import { CONFIG_DIR } from '../config/load';
import { packageService } from './packaged-template';

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
      'staging.json': { paging: { topics: topics('staging') }, guardrails: { scaling: { maxTasks: 6 } }, alarms: { cpu: ['staging-cpu-high'] } },
    });
    const config = loadConfig('staging', dir);
    expect(config.stage).toBe('staging');
    expect(config.guardrails.scaling.maxTasks).toBe(6);
    expect(config.guardrails.scaling.minTasks).toBe(defaultConfig.guardrails.scaling.minTasks);
    expect(config.alarms.cpu).toEqual(['staging-cpu-high']);
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
    // Exact identities only: a prefix once matched an alarm of another service.
    expect(errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { alarms: { cpu: ['regami-ecs-cpu*'] } } }))).field).toBe('alarms.cpu[0]');
    expect(errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { alarms: { cpu: ['arn:aws:cloudwatch:us-east-1:1:alarm:x'] } } }))).field).toBe('alarms.cpu[0]');
    expect(errorOf(() => loadConfig('dev', stageDir({ 'dev.json': { service: { listenerArn: 'listener/app/x' } } }))).field).toBe('service.listenerArn');
  });

  it.each([
    ['a negative scale-down step', { guardrails: { scaling: { scaleDownStep: -2 } } }, 'guardrails.scaling.scaleDownStep', /between 1 and 10/],
    ['a fractional task count', { guardrails: { scaling: { maxTasks: 7.5 } } }, 'guardrails.scaling.maxTasks', /whole number/],
    ['a thousand tasks', { guardrails: { scaling: { maxTasks: 1000 } } }, 'guardrails.scaling.maxTasks', /between 2 and 100/],
    ['a step up past the maximum', { guardrails: { scaling: { maxStepUp: 50 } } }, 'guardrails.scaling.maxStepUp', /between 1 and 10/],
    ['a breaker of 1e9', { guardrails: { circuitBreaker: { maxActions: 1e9 } } }, 'guardrails.circuitBreaker.maxActions', /between 1 and 200/],
    ['a mutation breaker of 1e9', { guardrails: { circuitBreaker: { maxMutations: 1e9 } } }, 'guardrails.circuitBreaker.maxMutations', /between 20 and 20000/],
    ['a mutation breaker below one S3 page', { guardrails: { circuitBreaker: { maxMutations: 500 } } }, 'guardrails.circuitBreaker.maxMutations', /at least guardrails.restore.s3MaxObjectsPerRun/],
    ['a negative cooldown', { guardrails: { scaling: { cooldownSeconds: -1 } } }, 'guardrails.scaling.cooldownSeconds', /between 0 and/],
    ['a negative failover spacing', { guardrails: { failover: { minSecondsBetweenFailovers: -86400 } } }, 'guardrails.failover.minSecondsBetweenFailovers', /between 0 and/],
    ['a fractional confirmation count', { guardrails: { failover: { confirmChecks: 2.5 } } }, 'guardrails.failover.confirmChecks', /whole number/],
    ['an event age beyond EventBridge\'s 24 h', { maxEventAgeSeconds: 90000 }, 'maxEventAgeSeconds', /between 1 and 86400/],
    ['a secondary service of zero tasks', { secondaryService: { desiredCount: 0 } }, 'secondaryService.desiredCount', /between 1 and 100/],
    ['an S3 run bound of a million objects', { guardrails: { restore: { s3MaxObjectsPerRun: 1e6 } } }, 'guardrails.restore.s3MaxObjectsPerRun', /between 1 and 10000/],
  ])('hard limits: refuses %s, naming the field', (_name, file, field, detail) => {
    const err = errorOf(() => loadConfig('dev', stageDir({ 'dev.json': file })));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(detail);
  });

  it('schedules the readiness check daily unless the stage says otherwise, and names a schedule EventBridge would refuse', () => {
    expect(loadConfig('dev').deployment.preflightSchedule).toBe('rate(1 day)');
    for (const ok of ['rate(12 hours)', 'rate(1 hour)', 'cron(0 6 * * ? *)']) {
      expect(loadConfig('staging', stageDir({ 'staging.json': { deployment: { preflightSchedule: ok } } })).deployment.preflightSchedule).toBe(ok);
    }
    for (const bad of ['rate(1 days)', 'rate(2 hour)', 'rate(0 minutes)', 'daily', 'cron(0 6 * *)']) {
      const err = errorOf(() => loadConfig('staging', stageDir({ 'staging.json': { deployment: { preflightSchedule: bad } } })));
      expect({ bad, field: err.field }).toEqual({ bad, field: 'deployment.preflightSchedule' });
    }
  });

  it('refuses a stage whose topics are another stage\'s', () => {
    const err = errorOf(() => loadConfig('staging', stageDir({ 'staging.json': { paging: { topics: topics('dev') } } })));
    expect(err.field).toBe('paging.topics.P1');
    expect(err.message).toMatch(/stage name "staging"/);
  });

  it('derives the topics of a stage whose file does not name them: the stack\'s own, named after the stage', () => {
    const config = loadConfig('staging', stageDir({ 'staging.json': { accountIds: ['111122223333'], primaryRegion: 'eu-west-1' } }));
    expect(config.paging.topics.P1).toBe('arn:aws:sns:eu-west-1:111122223333:runbook-autopilot-staging-p1');
    expect(config.paging.topics.P4).toBe('arn:aws:sns:eu-west-1:111122223333:runbook-autopilot-staging-p4');
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

describe('packaging with a bad stage file', () => {
  it('fails `sls package`, naming the field', async () => {
    const stage = `limits${process.pid % 10_000}`;
    const file = join(CONFIG_DIR, `${stage}.json`);
    writeFileSync(file, JSON.stringify({ paging: { topics: topics(stage) }, guardrails: { scaling: { scaleDownStep: -2 } } }));
    try {
      await expect(packageService(stage)).rejects.toThrow(/guardrails\.scaling\.scaleDownStep: must be between 1 and 10, got -2/);
    } finally {
      rmSync(file, { force: true });
    }
  }, 240_000);
});
