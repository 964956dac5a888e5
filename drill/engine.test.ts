/**
 * The drill engine with test-only runbook handlers: proves the simulated region is reached
 * through the real SDK clients (an unimplemented operation fails the scenario loudly) and
 * that retries after injected throttling are visible in the timeline.
 */
import { DeleteClusterCommand, DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { IntakeResult } from '../pipeline/intake';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { runDrill } from './drill';
import { prepareScenario } from './load';
import type { ScenarioOutcome } from './printer';
import { formatTimeline, toJson } from './printer';
import type { RunbookModules } from './runbooks';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

const cluster = 'regami-cluster';
const service = 'regami-service';

/** A test-only scale-ecs intake: reads the service, sets its desired count, then whatever `extra` does. */
function testModules(extra?: (rt: Runtime) => Promise<void>): RunbookModules {
  return {
    'scale-ecs': {
      buildHandler: (getRuntime: () => Runtime) => async (): Promise<IntakeResult> => {
        const rt = getRuntime();
        const ecs = rt.aws.in('us-east-1').ecs;
        await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
        await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 4 }));
        if (extra) await extra(rt);
        return { status: 'acted' };
      },
    },
  };
}

function scenario(extra: Record<string, unknown> = {}) {
  return prepareScenario(
    {
      name: 'test-only',
      description: 'A CPU alarm handled by a test-only intake.',
      runbooks: ['scale-ecs'],
      timeline: [{ at: '+0s', type: 'event', event: { sample: 'events/samples/alarm-cpu-metric-math.json' } }],
      expectations: { mustCall: [{ service: 'ECS', operation: 'UpdateService', times: 1 }] },
      ...extra,
    },
    '<engine.test>',
  );
}

async function drill(modules: RunbookModules, extra: Record<string, unknown> = {}): Promise<ScenarioOutcome> {
  const [outcome] = await runDrill([scenario(extra)], { dynamoEndpoint: endpoint, modules, reportsRoot: false });
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

describe('drill engine', () => {
  it('reaches the simulated region through the real SDK clients: an unimplemented operation fails the scenario loudly', async () => {
    const outcome = await drill(testModules((rt) => rt.aws.in('us-east-1').ecs.send(new DeleteClusterCommand({ cluster })).then(() => undefined)));
    expect(outcome.failures.length).toBeGreaterThan(0);
    expect(outcome.failures.some((f) => f.includes('ECS.DeleteCluster (us-east-1) is not implemented by the simulated region'))).toBe(true);
    const deleteCalls = outcome.run.entries.filter((e) => e.kind === 'aws-call' && e.operation === 'DeleteCluster');
    expect(deleteCalls.length).toBeGreaterThan(0);
    expect(deleteCalls[0]?.error).toBe('UnknownOperationException');
    // The real calls before it were answered by the simulator (the service exists in the baseline world).
    expect(outcome.run.calls.find((c) => c.operation === 'DescribeServices')?.error).toBeUndefined();
    expect(formatTimeline(outcome)).toContain('-> FAIL');
  });

  it('shows the retries of throttled calls with attempt numbers, and converges', async () => {
    const outcome = await drill(testModules(), {
      faults: [
        { kind: 'throttle', service: 'ECS', operation: 'DescribeServices', first: 2 },
        { kind: 'throttle', service: 'ECS', operation: 'UpdateService', first: 1 },
      ],
    });
    expect(outcome.failures).toEqual([]);
    const describes = outcome.run.entries.filter((e) => e.operation === 'DescribeServices');
    expect(describes.map((e) => [e.attempt, e.error])).toEqual([
      [1, 'ThrottlingException'],
      [2, 'ThrottlingException'],
      [3, undefined],
    ]);
    const text = formatTimeline(outcome);
    expect(text).toContain('ECS.DescribeServices (us-east-1) [retry, attempt 3]');
    expect(text).toContain('ECS.UpdateService (us-east-1) [retry, attempt 2] [mutation]');
    const json = toJson([outcome])[0];
    expect(json?.timeline.filter((t) => t.operation === 'UpdateService').map((t) => t.attempt)).toEqual([1, 2]);
  });

  it('fails a scenario whose runbook has no buildHandler export, without running it', async () => {
    const outcome = await drill({ 'scale-ecs': {} });
    expect(outcome.failures).toContain('not runnable: scale-ecs handler has no buildHandler export');
    expect(outcome.run.calls).toEqual([]);
  });
});
