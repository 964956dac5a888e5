import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultScenarioFiles, loadScenarioFile, prepareScenario } from './load';
import { ScenarioError } from './scenario';
import { scenarioProblems } from './validate';

const valid = {
  name: 'cpu-high',
  description: 'CPU alarm on regami-service.',
  runbooks: ['scale-ecs'],
  timeline: [{ at: '+0s', type: 'event', event: { sample: 'events/samples/alarm-cpu-metric-math.json' } }],
  expectations: { maxMutations: 1 },
};

function problemsOf(patch: Record<string, unknown>): string[] {
  return scenarioProblems({ ...valid, ...patch });
}

describe('scenario validation', () => {
  it('accepts a minimal valid scenario', () => {
    expect(scenarioProblems(valid)).toEqual([]);
  });

  it('accepts guardrail history before T+0 and names the path of a bad one (issue 13 item 7)', () => {
    expect(problemsOf({ history: { actions: [{ scope: 'db:x', action: 'promote-replica', at: '-3h', incidentKey: 'database-failover-x' }], locks: [{ resource: 'service:c/s', owner: 'rollback-deployment-x' }] } })).toEqual([]);
    expect(problemsOf({ history: { actions: [{ scope: 'db:x', action: 'promote-replica', at: 'yesterday', incidentKey: 'k' }] } })).toEqual([expect.stringContaining('history.actions[0].at')]);
    expect(problemsOf({ history: { lock: [] } }).join('\n')).toContain('history');
    expect(problemsOf({ expectations: { pages: [{ refusedBy: 'FailoverInterval' }] } })).toEqual([]);
  });

  it('names the path of a bad timeline time', () => {
    expect(problemsOf({ timeline: [{ at: 'soon', type: 'event', event: { sample: 'x.json' } }] })).toEqual([
      'timeline[0].at: must be seconds or a duration like "+90s", "5m", "1m30s", got "soon"',
    ]);
  });

  it('names the path of an unknown timeline type and of an unknown key', () => {
    const problems = problemsOf({ timeline: [{ at: 5, type: 'explode' }, { at: 5, type: 'approve', callback: 'approve-failover', bye: 'x' }] });
    expect(problems).toContain('timeline[0].type: must be one of event, world, approve, reject, controls, request, schedule, got "explode"');
    expect(problems.some((p) => p.startsWith('timeline[1].bye: unknown key'))).toBe(true);
  });

  it('accepts a schedule step (the preflight\'s Scheduled Event) and metric expectations, naming what is wrong in them', () => {
    expect(problemsOf({ timeline: [{ at: 0, type: 'schedule', note: 'daily' }], expectations: { metrics: [{ name: 'RunbookReady', dimensions: { Runbook: 'scale-ecs' }, value: 1, times: 1 }] } })).toEqual([]);
    const problems = problemsOf({ timeline: [{ at: 0, type: 'schedule', rule: 'x' }], expectations: { metrics: [{ dimensions: { Runbook: 3 }, value: 'one' }] } });
    expect(problems).toEqual([
      'timeline[0].rule: unknown key (expected one of: at, type, note)',
      'expectations.metrics[0].name: is required',
      'expectations.metrics[0].name: must be a string, got nothing',
      'expectations.metrics[0].dimensions.Runbook: must be a string, got number 3',
      'expectations.metrics[0].value: must be a number, got "one"',
    ]);
  });

  it('names the path inside expectations', () => {
    const problems = problemsOf({ expectations: { mustCall: [{ service: 'RDSClient', operation: 'PromoteReadReplicaCommand' }], pages: [{ severity: 'P9' }] } });
    expect(problems).toEqual([
      'expectations.mustCall[0].service: name the service as the SDK client without "Client" (e.g. "RDS")',
      'expectations.mustCall[0].operation: name the operation without "Command" (e.g. "PromoteReadReplica")',
      'expectations.pages[0].severity: must be one of P1, P2, P3, P4, got "P9"',
    ]);
  });

  it('refuses a scenario without expectations and an unknown runbook', () => {
    expect(problemsOf({ runbooks: ['scale-everything'], expectations: {} })).toEqual([
      'runbooks[0]: must be one of database-failover, rollback-deployment, scale-ecs, investigate-5xx, restore-from-backup, got "scale-everything"',
      'expectations: must state at least one expectation (a scenario that cannot fail proves nothing)',
    ]);
  });

  it('reports a missing sample file with its path, as a ScenarioError naming the file', () => {
    const raw = { ...valid, timeline: [{ at: 0, type: 'event', event: { sample: 'events/samples/no-such-sample.json' } }] };
    expect(() => prepareScenario(raw, '<inline>')).toThrow(ScenarioError);
    try {
      prepareScenario(raw, '<inline>');
    } catch (err) {
      expect((err as ScenarioError).problems[0]).toMatch(/^timeline\[0\]\.event\.sample: cannot load events\/samples\/no-such-sample\.json/);
      expect((err as ScenarioError).message).toMatch(/^<inline>: invalid scenario/);
    }
  });

  it('reads YAML and reports invalid JSON with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-'));
    const yamlFile = join(dir, 'cpu-high.yaml');
    writeFileSync(
      yamlFile,
      ['name: cpu-high', 'description: CPU alarm', 'runbooks: [scale-ecs]', 'timeline:', '  - { at: "+1m", type: event, event: { sample: events/samples/alarm-cpu-metric-math.json }, repeat: 3, every: 10s }', 'expectations: { maxMutations: 1 }'].join('\n'),
    );
    const prepared = loadScenarioFile(yamlFile);
    expect(prepared.plan.map((p) => p.at - prepared.startMs)).toEqual([60_000, 70_000, 80_000]);

    const badJson = join(dir, 'broken.json');
    writeFileSync(badJson, '{ "name": ');
    expect(() => loadScenarioFile(badJson)).toThrow(/broken\.json: invalid scenario\n {2}- \(root\): not valid JSON/);
  });

  it('every shipped scenario is valid and named like its file', () => {
    const files = defaultScenarioFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(() => loadScenarioFile(f)).not.toThrow();
  });
});
