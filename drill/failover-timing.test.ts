/**
 * Issue 18: the failover overlaps the promotion. The drill run result carries the failover's
 * time after the promoted replica became available (ground truth from the simulated region),
 * for the bench to report; the goal is at most 60 s of simulated time.
 */
import { join } from 'node:path';
import { runDrill } from './drill';
import { loadScenarioFile, SCENARIOS_DIR } from './load';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

describe('database-failover-primary-down: time after the replica became available', () => {
  it('is recorded in the run and is at most 60 s: the secondary was started during the promotion, DNS after it', async () => {
    const prepared = loadScenarioFile(join(SCENARIOS_DIR, 'database-failover-primary-down.json'));
    const [outcome] = await runDrill([prepared], { dynamoEndpoint: endpoint, reportsRoot: false });
    if (!outcome) throw new Error('no outcome');
    expect(outcome.failures).toEqual([]);
    const timing = outcome.run.failover;
    expect(timing).toBeDefined();
    expect(timing!.secondsAfterReplicaAvailable).toBeGreaterThan(0);
    expect(timing!.secondsAfterReplicaAvailable).toBeLessThanOrEqual(60);
    // The task definition and the secondary's UpdateService happened before the replica was available.
    const before = outcome.run.mutations?.filter((m) => m.at < timing!.replicaAvailableAt).map((m) => `${m.service}.${m.operation} ${m.region}`);
    expect(before).toEqual(expect.arrayContaining(['ECS.RegisterTaskDefinition us-west-2', 'ECS.UpdateService us-west-2']));
    expect(outcome.run.mutations?.find((m) => m.operation === 'ChangeResourceRecordSets')?.at).toBeGreaterThanOrEqual(timing!.replicaAvailableAt);
  });
});
