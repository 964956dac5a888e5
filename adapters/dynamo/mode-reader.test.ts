/** Mode overrides on the controls item, against dynalite (issue 16 item 4). */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { defaultConfig } from '../../domain/config';
import { freshStateTable } from '../../test/support/state-table';
import { DynamoGuardrailStore } from './guardrail-store';
import { DynamoModeReader } from './mode-reader';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const shadowDefaults = { modes: { ...defaultConfig.modes, 'scale-ecs': 'shadow' as const } };

describe('DynamoModeReader', () => {
  it('reads the config default when the controls item has no override (or does not exist)', async () => {
    const { client, tableName } = await freshStateTable('modes');
    const reader = new DynamoModeReader(client, tableName);
    expect(await reader.read('scale-ecs', shadowDefaults)).toEqual({ runbook: 'scale-ecs', mode: 'shadow', source: 'config' });
    expect((await reader.read('database-failover', shadowDefaults)).mode).toBe('live');
  });

  it('an override set for one runbook wins over the config for that runbook only, and can be removed', async () => {
    const { client, tableName } = await freshStateTable('modes');
    const reader = new DynamoModeReader(client, tableName);
    await reader.set('scale-ecs', 'live', 'alice', 'watched it for a week', T0);
    expect(await reader.read('scale-ecs', shadowDefaults)).toEqual({ runbook: 'scale-ecs', mode: 'live', source: 'state table' });
    expect((await reader.read('investigate-5xx', shadowDefaults)).source).toBe('config');
    await reader.set('scale-ecs', undefined, 'alice', 'back to the config', T0 + 1);
    expect((await reader.read('scale-ecs', shadowDefaults)).mode).toBe('shadow');
  });

  it('sits next to the kill switch and dry-run on the same item without disturbing them', async () => {
    const { client, tableName } = await freshStateTable('modes');
    const store = new DynamoGuardrailStore(client, tableName);
    const reader = new DynamoModeReader(client, tableName);
    await store.setControls({ killSwitch: true, setBy: 'bob', reason: 'maintenance' }, T0);
    await reader.set('rollback-deployment', 'off', 'alice', 'no rollbacks this week', T0 + 1);
    // The switches read as set: the mode attributes are declared on the item (domain/controls.ts), so they force nothing ON.
    expect(await store.readControls()).toMatchObject({ killSwitch: true, dryRun: false, setBy: 'bob', reason: 'maintenance' });
    expect((await reader.read('rollback-deployment', defaultConfig)).mode).toBe('off');
  });

  it('reads a mistyped override (a hand-edited item) as shadow, saying so', async () => {
    const { client, tableName } = await freshStateTable('modes');
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'controls' }, sk: { S: 'controls' }, 'mode#scale-ecs': { S: 'Live' }, 'mode#investigate-5xx': { BOOL: true } } }));
    const reader = new DynamoModeReader(client, tableName);
    const typo = await reader.read('scale-ecs', defaultConfig);
    expect(typo).toMatchObject({ mode: 'shadow', source: 'unreadable override' });
    expect(typo.note).toContain('"Live"');
    expect(await reader.read('investigate-5xx', defaultConfig)).toMatchObject({ mode: 'shadow', source: 'unreadable override' });
    await client.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: 'controls' }, sk: { S: 'controls' } }, UpdateExpression: 'SET #m = :m', ExpressionAttributeNames: { '#m': 'mode#scale-ecs' }, ExpressionAttributeValues: { ':m': { S: 'off' } } }));
    expect((await reader.read('scale-ecs', defaultConfig)).mode).toBe('off');
  });

  it('reads shadow when the table cannot be read at all', async () => {
    const { client } = await freshStateTable('modes');
    const reading = await new DynamoModeReader(client, 'no-such-table').read('scale-ecs', defaultConfig);
    expect(reading).toMatchObject({ mode: 'shadow', source: 'unreadable override' });
    expect(reading.note).toMatch(/ResourceNotFoundException/);
  });
});
