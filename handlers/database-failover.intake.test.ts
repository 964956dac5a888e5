/**
 * The failover intake: which events start the workflow, and that duplicates and
 * concurrent triggers for one primary join one execution.
 */
import type { Context } from 'aws-lambda';
import alarmSample from '../events/samples/alarm-db-down-composite.json';
import rdsSample from '../events/samples/rds-instance-storage-full.json';
import { defaultConfig } from '../domain/config';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { buildHandler } from './database-failover';

const EVENT_TIME = Date.parse(alarmSample.time);
const context = {} as Context;

interface Started {
  runbook: string;
  name: string;
  input: unknown;
}

async function intake(opts: { failStarts?: number } = {}): Promise<{ rt: Runtime; starts: Started[]; deliver(event: unknown): Promise<{ status: string; incidentKey?: string; reason?: string }> }> {
  let failuresLeft = opts.failStarts ?? 0;
  // The simulated world starts when the sample events were sent.
  const clock = new SimClock(EVENT_TIME + 10_000);
  const world = SimWorld.create(mergeWorld(baselineWorld(), { start: new Date(EVENT_TIME).toISOString() }), clock);
  const table = await freshStateTable('failover-intake');
  const starts: Started[] = [];
  const rt = createRuntime({
    config: defaultConfig,
    clock,
    tableName: table.tableName,
    dynamoEndpoint: table.endpoint,
    clientSetup: simClientSetup(world),
    // Lambda's behaviour for DurableExecutionName: a second start of a name joins the first.
    workflowStarter: async (runbook, name, input) => {
      if (failuresLeft-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      const seen = starts.some((s) => s.name === name);
      starts.push({ runbook, name, input });
      return seen ? 'joined' : 'started';
    },
  });
  const handler = buildHandler(() => rt);
  return { rt, starts, deliver: (event) => handler(event, context) };
}

const alarm = (over: Record<string, unknown> = {}) => ({ ...alarmSample, ...over });
const rdsEvent = (eventId: string, over: Record<string, unknown> = {}) => ({ ...rdsSample, id: `rds-${eventId}-${Math.random()}`, time: alarmSample.time, ...over, detail: { ...rdsSample.detail, EventID: eventId, ...((over.detail as object | undefined) ?? {}) } });

describe('database failover intake', () => {
  it('a database-down alarm alone starts the workflow (RDS events are best-effort)', async () => {
    const h = await intake();
    const out = await h.deliver(alarm());
    expect(out).toMatchObject({ status: 'started-workflow', incidentKey: 'database-failover-regami-db-primary' });
    expect(h.starts).toHaveLength(1);
    expect(h.starts[0]).toMatchObject({ runbook: 'database-failover', input: { primaryInstanceId: 'regami-db-primary', trigger: expect.stringContaining('regami-db-down') } });
    const record = await h.rt.store.loadIncident('database-failover-regami-db-primary');
    expect(record?.timeline.some((e) => e.kind === 'event' && e.summary.includes('regami-db-down'))).toBe(true);
  });

  it('an RDS event and an alarm for the same primary join one execution', async () => {
    const h = await intake();
    expect((await h.deliver(rdsEvent('RDS-EVENT-0221'))).status).toBe('started-workflow');
    expect((await h.deliver(alarm())).status).toBe('joined-workflow');
    expect(new Set(h.starts.map((s) => s.name)).size).toBe(1);
  });

  it('concurrent triggers join one execution', async () => {
    const h = await intake();
    const results = await Promise.all([h.deliver(rdsEvent('RDS-EVENT-0004')), h.deliver(rdsEvent('RDS-EVENT-0221')), h.deliver(alarm())]);
    expect(results.filter((r) => r.status === 'started-workflow')).toHaveLength(1);
    expect(new Set(h.starts.map((s) => s.name)).size).toBe(1);
  });

  it('an exact duplicate delivery is ignored', async () => {
    const h = await intake();
    await h.deliver(alarm());
    expect(await h.deliver(alarm())).toMatchObject({ status: 'ignored', reason: expect.stringContaining('duplicate') });
    expect(h.starts).toHaveLength(1);
  });

  it.each([
    ['an alarm returning to OK', () => alarm({ id: 'ok-1', detail: { ...alarmSample.detail, state: { ...alarmSample.detail.state, value: 'OK' } } })],
    ['a Multi-AZ failover event (RDS heals itself)', () => rdsEvent('RDS-EVENT-0013')],
    ['a backup event', () => rdsEvent('RDS-EVENT-0001')],
    [
      'an event about the replica',
      () => rdsEvent('RDS-EVENT-0004', { resources: ['arn:aws:rds:us-west-2:123456789012:db:regami-db-replica'], detail: { SourceArn: 'arn:aws:rds:us-west-2:123456789012:db:regami-db-replica', SourceIdentifier: 'rds:regami-db-replica' } }),
    ],
  ])('ignores %s', async (_name, make) => {
    const h = await intake();
    const event = make();
    expect((await h.deliver(event)).status).toBe('ignored');
    expect(h.starts).toHaveLength(0);
  });

  it('a start that fails is not lost: the retry of the same event starts the workflow (the claim is given back)', async () => {
    const h = await intake({ failStarts: 1 });
    const event = alarm({ id: 'retried-1' });
    await expect(h.deliver(event)).rejects.toThrow('Rate exceeded');
    expect(h.starts).toHaveLength(0);
    expect(await h.deliver(event)).toMatchObject({ status: 'started-workflow', incidentKey: 'database-failover-regami-db-primary' });
    expect(h.starts).toHaveLength(1);
    // and once it ran, the same event is a duplicate again
    expect(await h.deliver(event)).toMatchObject({ status: 'ignored', reason: expect.stringContaining('duplicate') });
  });

  it('rejects a malformed event without starting anything', async () => {
    const h = await intake();
    expect((await h.deliver({ ...rdsSample, detail: { ...rdsSample.detail, EventID: 'not-an-id' } })).status).toBe('rejected');
    expect(h.starts).toHaveLength(0);
  });
});
