/**
 * The chaos matrix's fast subset (the full one is `npm run chaos`): two shipped scenarios
 * under a crash after every step and under throttling must end remediated or paged; and
 * the classification itself can fail (a non-idempotent step under the crash fault is a
 * repeated mutation, a run with neither page nor remediation is silent).
 */
import { join } from 'node:path';
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { durableWorkflow } from '../adapters/durable';
import type { IntakeResult } from '../pipeline/intake';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { classify, faultSpecs, formatChaosTable, passes, repeatedMutations, runChaos, type ChaosCell } from './chaos';
import { loadScenarioFile, prepareScenario, SCENARIOS_DIR } from './load';
import type { MutationRecord, ScenarioRun } from './run-types';
import type { RunbookModules } from './runbooks';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

const T0 = Date.parse('2026-01-15T03:00:00.000Z');

function mutation(input: unknown, operation = 'UpdateService'): MutationRecord {
  return { at: T0, service: 'ECS', operation, region: 'us-east-1', input };
}

function syntheticRun(parts: Partial<ScenarioRun> = {}): ScenarioRun {
  const prepared = prepareScenario(
    { name: 'synthetic', description: 'synthetic', runbooks: ['scale-ecs'], timeline: [{ at: 0, type: 'controls', controls: { killSwitch: true } }], expectations: { maxMutations: 1 } },
    '<synthetic>',
  );
  return { prepared, entries: [], calls: [], pages: [], snsMessages: [], intakes: [], incidents: [], workflows: { started: 0, joined: 0 }, runErrors: [], endedAt: T0, wallMs: 1, mutations: [], exhaustedIntakes: [], ...parts };
}

describe('chaos classification', () => {
  it('a repeated mutation is the same operation and input again with nothing of that operation in between', () => {
    expect(repeatedMutations([mutation({ a: 1, b: 2 }), mutation({ b: 2, a: 1 })])).toEqual([{ call: 'ECS.UpdateService (us-east-1) {"a":1,"b":2}', times: 2 }]);
    // Scaling 4 -> 8 -> 4 returns to an earlier value by a new decision: not a repeat.
    expect(repeatedMutations([mutation({ n: 4 }), mutation({ n: 8 }), mutation({ n: 4 })])).toEqual([]);
    expect(repeatedMutations([mutation({ n: 4 }), mutation({ n: 4 }, 'TagResource')])).toEqual([]);
  });

  it('an intake that exhausted its retries is paged by the on-failure queue alarm (P2); any other run error is an error', () => {
    const exhausted = syntheticRun({
      exhaustedIntakes: [{ at: T0, runbook: 'scale-ecs', event: 'alarm', error: 'Error: boom' }],
      runErrors: ['scale-ecs intake threw Error: boom on all 3 attempts: the event goes to the on-failure destination'],
    });
    expect(classify(exhausted).outcome).toBe('paged');
    expect(classify(syntheticRun({ runErrors: ['durable workflow(s) did not settle within 20000 ms'] })).outcome).toBe('error');
  });

  it('neither page nor remediation is no-action only without mutations and after a no-action baseline', () => {
    const baseline: ChaosCell = { scenario: 'synthetic', fault: 'baseline', outcome: 'no-action', detail: '', mutations: 0, wallMs: 1 };
    expect(classify(syntheticRun(), baseline).outcome).toBe('no-action');
    expect(classify(syntheticRun({ mutations: [mutation({ n: 4 })] }), baseline).outcome).toBe('silent');
    expect(classify(syntheticRun(), { ...baseline, outcome: 'remediated' }).outcome).toBe('silent');
  });

  it('a page counts only once its publish succeeded', () => {
    const page = { incidentKey: 'k', action: 'trigger' as const, severity: 'P2' as const, runbook: 'scale-ecs' as const, title: 't', resource: 'r', at: T0, diagnosis: [], done: [], refused: [], nextStep: '' };
    expect(classify(syntheticRun({ pages: [{ at: T0, page }] })).outcome).toBe('no-action');
    expect(classify(syntheticRun({ pages: [{ at: T0, page, published: true }] })).outcome).toBe('paged');
  });

  it('call faults cover every simulated service; stuck hangs every transition', () => {
    expect(faultSpecs('throttling').map((f) => ('service' in f ? f.service : undefined))).toContain('RDS');
    expect(faultSpecs('stuck').every((f) => f.kind === 'hang')).toBe(true);
    expect(faultSpecs('stuck')).toHaveLength(7);
  });
});

/** A test-only runbook whose step mutates without re-reading live state: the crash fault must expose it. */
const naiveModules: RunbookModules = {
  'scale-ecs': {
    buildHandler: (getRuntime: () => Runtime) => async (): Promise<IntakeResult> => {
      const started = await getRuntime().startWorkflow('scale-ecs', 'naive-scale', {});
      return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: 'naive' };
    },
    buildWorkflow: (getRuntime: () => Runtime) =>
      withDurableExecution(async (_input: unknown, ctx: DurableContext) => {
        const rt = getRuntime();
        const wf = durableWorkflow(ctx, rt.clock);
        await wf.step('scale-blindly', async () => {
          await rt.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', desiredCount: 4 }));
        });
        return 'done';
      }),
  },
};

describe('chaos matrix (fast subset)', () => {
  it('a step that mutates without re-reading is a repeated mutation under the crash fault', async () => {
    const prepared = prepareScenario(
      { name: 'naive-scale', description: 'test-only', runbooks: ['scale-ecs'], timeline: [{ at: 0, type: 'event', event: { sample: 'events/samples/alarm-cpu-metric-math.json' } }], expectations: { maxMutations: 1 } },
      '<chaos.test>',
    );
    const cells = await runChaos([prepared], { dynamoEndpoint: endpoint, modules: naiveModules, faults: ['crash'] });
    expect(cells.map((c) => [c.fault, c.outcome])).toEqual([['crash', 'repeated-mutation']]);
    expect(cells[0]?.detail).toContain('2x ECS.UpdateService');
  }, 30_000);

  it('failover and restore end remediated or paged under a crash after every step and under throttling', async () => {
    const scenarios = ['database-failover-primary-down.json', 'restore-from-backup-accidental-deletion.json'].map((f) => loadScenarioFile(join(SCENARIOS_DIR, f)));
    const cells = await runChaos(scenarios, { dynamoEndpoint: endpoint, faults: ['crash', 'throttling'] });
    expect(cells.filter((c) => !passes(c))).toEqual([]);
    expect(formatChaosTable(cells)).toContain('4 run(s)');
    expect(cells).toHaveLength(4);
    // These two remediate even when every step crashes once: the retried steps find their work done.
    expect(cells.filter((c) => c.fault === 'crash').map((c) => c.outcome)).toEqual(['remediated', 'remediated']);
    // A harness limit, not a timing assertion: four full runs (the failover now judges the latest
    // consecutive checks and every act reads and writes the resource's arbiter record) took over
    // 60 s of real time at a load average of 16-18 on this shared 2-core machine.
  }, 180_000);
});
