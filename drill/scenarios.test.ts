/**
 * A shipped scenario through the real runbook handler: the throttling scenario converges
 * and its timeline shows every throttled attempt and the retries that followed.
 */
import { join } from 'node:path';
import { runDrill } from './drill';
import { loadScenarioFile, SCENARIOS_DIR } from './load';
import { formatTimeline, toJson } from './printer';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

describe('shipped scenario throttled-api-converges (real scale-ecs handler)', () => {
  it('converges despite throttling, with each retry in the timeline', async () => {
    const prepared = loadScenarioFile(join(SCENARIOS_DIR, 'throttled-api-converges.json'));
    const [outcome] = await runDrill([prepared], { dynamoEndpoint: endpoint, reportsRoot: false });
    if (!outcome) throw new Error('no outcome');
    expect(outcome.failures).toEqual([]);
    const updates = toJson([outcome])[0]?.timeline.filter((t) => t.service === 'ECS' && t.operation === 'UpdateService') ?? [];
    expect(updates.slice(0, 3).map((t) => [t.attempt, t.summary.includes('ThrottlingException')])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(formatTimeline(outcome)).toContain('ECS.UpdateService (us-east-1) [retry, attempt 3] [mutation]');
  });
});
