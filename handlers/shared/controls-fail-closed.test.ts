/**
 * Issue 14 item 4 through the real runtime (createRuntime, dynalite, the simulated region's
 * SNS): a controls item holding a wrong type, a differently cased name or an unknown
 * switch-like attribute stops every mutation and pages P1 once.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from '../../test/simulated-region';
import type { ActuatorRequest } from '../../adapters/runtime/actuator';
import { defaultConfig } from '../../domain/config';
import type { Recorder } from '../../domain/ports';
import { freshStateTable } from '../../test/support/state-table';
import { createRuntime } from '../../adapters/runtime/create-runtime';

const silent: Recorder = { record: () => undefined };

async function harness() {
  const spec = baselineWorld();
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const { endpoint, tableName, client } = await freshStateTable('controls');
  const rt = createRuntime({ config: defaultConfig, clock, tableName, dynamoEndpoint: endpoint, clientSetup: simClientSetup(world), logger: new Logger({ serviceName: 'controls-test', logLevel: 'SILENT' }) });
  const p1 = () => world.snsOutbox.filter((m) => m.topicArn === defaultConfig.paging.topics.P1);
  const writeControls = (attrs: Record<string, unknown>) =>
    client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'controls' }, sk: { S: 'controls' }, ...attrs } as never }));
  return { rt, clock, p1, writeControls };
}

function request(incidentKey: string, scope: string, mutate: jest.Mock): ActuatorRequest<string> {
  return { proposed: { action: 'scale-out', scope, summary: `scale ${scope}`, incidentKey }, policy: {}, recorder: silent, mutate };
}

describe('controls fail closed (runtime)', () => {
  it.each([
    ['{"S":"true"}', { killSwitch: { S: 'true' } }, 'killSwitch holds S'],
    ['{"N":"1"}', { dryRun: { N: '1' } }, 'dryRun holds N'],
    ['a differently cased name', { KILLSWITCH: { BOOL: false } }, 'KILLSWITCH is not a known attribute'],
    ['an unknown switch-like attribute', { haltAll: { BOOL: true } }, 'haltAll (BOOL) is an unknown switch-like attribute'],
  ])('%s: no mutation by any runbook, P1 paged once with the reason', async (_name, attrs, reason) => {
    const h = await harness();
    await h.writeControls(attrs);
    const mutate = jest.fn(async () => 'done');
    const first = await h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:a', mutate));
    const second = await h.rt.actuator.execute(request('rollback-deployment-regami-service-d-1', 'service:b', mutate));
    h.clock.advanceBy(60_000);
    const third = await h.rt.actuator.execute(request('restore-from-backup-s3-x', 's3:x', mutate));

    for (const out of [first, second, third]) {
      expect(out.status).toBe('refused');
      expect(out.status === 'refused' && out.refusal.guardrail).toBe('KillSwitch');
      expect(out.status === 'refused' && out.refusal.reason).toContain(reason);
    }
    expect(mutate).not.toHaveBeenCalled();
    expect(h.p1()).toHaveLength(1);
    expect(h.p1()[0]?.subject).toContain('controls item unreadable');
    expect(h.p1()[0]?.message).toContain(reason);
  });

  it('a state-table outage still mutates nothing (the read throws; nothing is assumed)', async () => {
    const h = await harness();
    jest.spyOn(h.rt.store, 'readControls').mockRejectedValue(new Error('ServiceUnavailable'));
    const mutate = jest.fn(async () => 'done');
    await expect(h.rt.actuator.execute(request('scale-ecs-regami-service', 'service:a', mutate))).rejects.toThrow('ServiceUnavailable');
    expect(mutate).not.toHaveBeenCalled();
  });
});
