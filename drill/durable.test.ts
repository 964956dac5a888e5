/**
 * Durable workflows in the drill, with a test-only runbook: a wait moves the simulated
 * clock, a human gate is answered from the scenario (or expires at its deadline), and a
 * second start with the same execution name joins the first.
 */
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { durableWorkflow } from '../adapters/durable';
import type { IntakeResult } from '../pipeline/intake';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { runDrill } from './drill';
import { prepareScenario } from './load';
import type { ScenarioOutcome } from './printer';
import type { RunbookModules } from './runbooks';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

const modules: RunbookModules = {
  'scale-ecs': {
    buildHandler: (getRuntime: () => Runtime) => async (): Promise<IntakeResult> => {
      const rt = getRuntime();
      const started = await rt.startWorkflow('scale-ecs', 'scale-ecs-test-episode', { incidentKey: 'scale-ecs-test' });
      return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: 'scale-ecs-test' };
    },
    buildWorkflow: (getRuntime: () => Runtime) =>
      withDurableExecution(async (_input: unknown, ctx: DurableContext) => {
        const rt = getRuntime();
        const wf = durableWorkflow(ctx, rt.clock);
        const session = await rt.openSession({ key: 'scale-ecs-test', runbook: 'scale-ecs', title: 'test', severity: 'P3', detectedAt: rt.clock.now() });
        await wf.wait('cooldown', 600);
        const answer = await wf.waitForApproval('approve-scale', 900, async () => undefined);
        await wf.step('act', async () => {
          session.record({ kind: 'decision', summary: `gate outcome ${answer.outcome} at ${new Date(rt.clock.now()).toISOString()}` });
          if (answer.outcome === 'APPROVED') {
            await rt.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', desiredCount: 4 }));
          }
          await session.flush();
          return answer.outcome;
        });
        return answer.outcome;
      }),
  },
};

async function drill(timeline: unknown[]): Promise<ScenarioOutcome> {
  const prepared = prepareScenario(
    {
      name: 'durable-test',
      description: 'A test-only workflow with a wait and a human gate.',
      runbooks: ['scale-ecs'],
      timeline,
      expectations: { workflows: { started: 1 } },
    },
    '<durable.test>',
  );
  const [outcome] = await runDrill([prepared], { dynamoEndpoint: endpoint, modules, reportsRoot: false });
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

const alarm = { at: 0, type: 'event', event: { sample: 'events/samples/alarm-cpu-metric-math.json' } };

describe('durable workflows in the drill', () => {
  it('an answer given before the workflow reached its gate (in simulated time) is not applied to it', async () => {
    // The gate opens at T+10m (after the wait); at T+5m nobody waits there yet, so the early answer is lost and the gate expires.
    const outcome = await drill([alarm, { at: '+5m', type: 'approve', callback: 'approve-scale', by: 'early' }]);
    expect(outcome.failures).toEqual([]);
    const summaries = outcome.run.entries.map((e) => e.summary);
    expect(summaries).toContain('approve "approve-scale" by early: no workflow waits at that gate');
    expect(summaries).toContain('gate outcome EXPIRED at 2026-01-15T03:25:00.000Z');
  });

  it('answers the gate from the scenario at its time, after the wait moved the clock', async () => {
    const outcome = await drill([alarm, { at: '+20m', type: 'approve', callback: 'approve-scale', by: 'alice' }]);
    expect(outcome.failures).toEqual([]);
    const summaries = outcome.run.entries.map((e) => e.summary);
    expect(summaries).toContain('gate outcome APPROVED at 2026-01-15T03:20:00.000Z');
    expect(summaries.some((s) => s.includes('alice APPROVES gate "approve-scale"'))).toBe(true);
    expect(outcome.run.calls.filter((c) => c.operation === 'UpdateService' && !c.error)).toHaveLength(1);
  });

  it('lets an unanswered gate expire at its simulated deadline', async () => {
    const outcome = await drill([alarm]);
    expect(outcome.failures).toEqual([]);
    // wait 600 s, then a 900 s gate: it expires at T+25m.
    expect(outcome.run.entries.map((e) => e.summary)).toContain('gate outcome EXPIRED at 2026-01-15T03:25:00.000Z');
    expect(outcome.run.calls.filter((c) => c.operation === 'UpdateService')).toHaveLength(0);
  });

  it('a rejection is not an approval, and a second start with the same name joins', async () => {
    const outcome = await drill([alarm, { ...alarm, at: '+1m' }, { at: '+12m', type: 'reject', callback: 'approve-scale', by: 'bob' }]);
    expect(outcome.failures).toEqual([]);
    expect(outcome.run.workflows).toEqual({ started: 1, joined: 1 });
    expect(outcome.run.entries.some((e) => e.summary.startsWith('gate outcome REJECTED'))).toBe(true);
    // The workflow's 10-minute wait does not run ahead of the incident: the second alarm is delivered at T+1m, on time.
    const events = outcome.run.entries.filter((e) => e.kind === 'event');
    expect(events.map((e) => e.at - Date.parse('2026-01-15T03:00:00.000Z'))).toEqual([0, 60_000]);
    expect(events.every((e) => e.lateBySeconds === undefined)).toBe(true);
    expect(outcome.run.entries.find((e) => e.summary.startsWith('gate outcome REJECTED'))?.summary).toBe('gate outcome REJECTED at 2026-01-15T03:12:00.000Z');
  });
});
