import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLES_DIR, SAMPLE_NAMES, loadSample } from '../events/samples/load';
import { RUNBOOK_FUNCTIONS } from '../handlers/shared/contract';
import { routeCommand } from './route';
import { eventRules } from '../runbooks/routing';
import { defaultConfig } from '../domain/config';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await routeCommand(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const sample = (name: string) => join(SAMPLES_DIR, `${name}.json`);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autopilot-route-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('autopilot route', () => {
  it('names the handler a CPU alarm reaches', async () => {
    const { code, out, err } = await run([sample('alarm-cpu-metric-math')]);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('alarm regami-ecs-cpu-high (metric-math) -> ALARM');
    expect(out).toContain(`-> scale-ecs: handler ${RUNBOOK_FUNCTIONS['scale-ecs'].intake} (${RUNBOOK_FUNCTIONS['scale-ecs'].intakeHandler}) via rule scale-ecs-cpu-alarm`);
  });

  it.each([
    ['alarm-5xx-alarm', 'handlers/investigate-5xx.handler'],
    ['alarm-db-down-composite', 'handlers/database-failover.handler'],
    ['rds-instance-storage-full', 'handlers/database-failover.handler'],
    ['ecs-deployment-failed', 'handlers/rollback-deployment.handler'],
    ['codedeploy-failure', 'handlers/rollback-deployment.handler'],
    ['autopilot-rollback-requested', 'handlers/rollback-deployment.handler'],
    ['autopilot-scale-requested', 'handlers/scale-ecs.handler'],
    ['autopilot-restore-requested', 'handlers/restore-from-backup.handler'],
    ['autopilot-s3-restore-requested', 'handlers/restore-from-backup.handler'],
    ['rds-snapshot-export-failed', 'handlers/restore-from-backup.handler'],
    ['scheduled-preflight', 'handlers/scheduled-preflight.handler'],
  ])('routes %s to %s', async (name, handler) => {
    const { code, out } = await run([sample(name)]);
    expect(code).toBe(0);
    expect(out).toContain(handler);
    expect(out).not.toContain('no rule delivers');
  });

  it.each(['alarm-unrelated', 'alarm-cpu-insufficient-data', 'ecs-task-stopped-oom', 'codedeploy-success', 'rds-instance-failover-completed'])(
    'says no rule delivers %s',
    async (name) => {
      const { code, out } = await run([sample(name)]);
      expect(code).toBe(0);
      expect(out).toContain('-> no rule delivers this event');
      expect(out).not.toContain('handler');
    },
  );

  it('routes every sample file in one run', async () => {
    const { code, out } = await run(SAMPLE_NAMES.map(sample));
    expect(code).toBe(0);
    for (const name of SAMPLE_NAMES) expect(out).toContain(`${name}.json: `);
  });

  it('routes an event regardless of its age', async () => {
    const old = loadSample('alarm-5xx-alarm');
    old.time = '2019-10-02T17:04:40Z';
    const { code, out } = await run([await fileWith('old.json', JSON.stringify(old))]);
    expect(code).toBe(0);
    expect(out).toContain('investigate-5xx');
  });

  it('exits 2 on malformed JSON, saying so', async () => {
    const { code, out, err } = await run([await fileWith('broken.json', '{"version": "0", "id": ')]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/broken\.json: rejected malformed-json: not valid JSON/);
  });

  it('exits 2 on an event with a bad field, naming the field', async () => {
    const event = loadSample('alarm-5xx-alarm');
    (event.detail as { state: { value: string } }).state.value = 'FOO';
    const { code, err } = await run([await fileWith('bad-state.json', JSON.stringify(event))]);
    expect(code).toBe(2);
    expect(err).toContain('rejected bad-value: detail.state.value: expected one of ALARM|OK|INSUFFICIENT_DATA, got "FOO"');
  });

  it('exits 2 on an event from another account', async () => {
    const event = loadSample('ecs-deployment-failed');
    event.account = '999999999999';
    const { code, err } = await run([await fileWith('foreign.json', JSON.stringify(event))]);
    expect(code).toBe(2);
    expect(err).toContain('rejected foreign-account: account: account 999999999999 is not one of the configured accounts');
  });

  it('reports every file, and exits 2 when any one is bad', async () => {
    const { code, out, err } = await run([sample('alarm-5xx-alarm'), join(dir, 'does-not-exist.json'), sample('codedeploy-failure')]);
    expect(code).toBe(2);
    expect(out).toContain('investigate-5xx');
    expect(out).toContain('rollback-deployment');
    expect(err).toMatch(/does-not-exist\.json: cannot read/);
  });

  it('exits 2 with usage when given no file or an unknown flag', async () => {
    for (const args of [[], ['--stage', 'prod'], ['--verbose', sample('alarm-5xx-alarm')], ['--stage']]) {
      const { code, err } = await run(args);
      expect(code).toBe(2);
      expect(err).toContain('usage: autopilot route [--stage <stage>] [--rules] <event.json>...');
    }
    expect((await run(['--verbose', sample('alarm-5xx-alarm')])).err).toContain('unknown option --verbose');
    expect((await run(['--stage'])).err).toContain('option --stage needs a value');
  });

  it('--rules lists every rule eventRules(config) deploys, with its runbook, and the count', async () => {
    const { code, out } = await run(['--rules']);
    expect(code).toBe(0);
    const rules = eventRules(defaultConfig);
    for (const rule of rules) expect(out).toMatch(new RegExp(`^${rule.name} +-> ${rule.runbook}: `, 'm'));
    expect(out).toContain(`${rules.length} rule(s) for 5 runbook(s)`);
  });

  it("routes with a stage's configuration, and exits 2 on a bad stage name", async () => {
    const prod = await run(['--stage', 'prod', sample('codedeploy-failure')]);
    expect(prod.code).toBe(0);
    expect(prod.out).toContain('rollback-deployment');
    const bad = await run(['--stage=../etc', sample('codedeploy-failure')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('stage');
  });
});
