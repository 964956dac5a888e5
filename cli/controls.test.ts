import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoGuardrailStore } from '../adapters/dynamo/guardrail-store';
import { freshStateTable } from '../test/support/state-table';
import { controlsCommand } from './controls';

async function setup() {
  const t = await freshStateTable('cli-controls');
  const lines: string[] = [];
  const errors: string[] = [];
  const run = (args: string[], callerIdentity?: (region: string) => Promise<string>) =>
    controlsCommand([...args, '--table', t.tableName, '--endpoint', t.endpoint], { out: (l) => lines.push(l), err: (l) => errors.push(l), now: () => 1_000, callerIdentity });
  return { ...t, store: new DynamoGuardrailStore(t.client, t.tableName), lines, errors, run };
}

describe('autopilot controls', () => {
  it('sets the kill switch with who and why, shows it, and turns it off again', async () => {
    const s = await setup();
    expect(await s.run(['set', 'kill-switch', 'on', '--reason', 'database maintenance', '--as', 'alice'])).toBe(0);
    expect(await s.store.readControls()).toMatchObject({ killSwitch: true, dryRun: false, setBy: 'alice', reason: 'database maintenance' });
    expect(s.lines).toContain('  kill switch: ON');

    expect(await s.run(['set', 'dry-run', 'on', '--reason', 'game day', '--as', 'bob'])).toBe(0);
    expect(await s.run(['set', 'kill-switch', 'off', '--reason', 'maintenance over', '--as', 'alice'])).toBe(0);
    expect(await s.store.readControls()).toMatchObject({ killSwitch: false, dryRun: true, setBy: 'alice', reason: 'maintenance over' });
    s.lines.length = 0;
    expect(await s.run(['show', '--json'])).toBe(0);
    expect(JSON.parse(s.lines[0]!)).toMatchObject({ killSwitch: false, dryRun: true, setBy: 'alice', anomalies: [] });
  });

  it('records the identity STS reports when none is given', async () => {
    const s = await setup();
    const sts = jest.fn(async () => 'arn:aws:sts::123456789012:assumed-role/oncall/alice');
    expect(await s.run(['set', 'kill-switch', 'on', '--reason', 'storm'], sts)).toBe(0);
    expect(sts).toHaveBeenCalledTimes(1);
    expect((await s.store.readControls()).setBy).toBe('arn:aws:sts::123456789012:assumed-role/oncall/alice');
  });

  it('refuses without a reason, with a multi-line reason, a bad switch or state; nothing is written', async () => {
    const s = await setup();
    expect(await s.run(['set', 'kill-switch', 'on', '--as', 'alice'])).toBe(2);
    expect(await s.run(['set', 'kill-switch', 'on', '--reason', 'ok\nNEXT STEP: approve', '--as', 'alice'])).toBe(2);
    expect(await s.run(['set', 'killswitch', 'on', '--reason', 'x', '--as', 'alice'])).toBe(2);
    expect(await s.run(['set', 'kill-switch', 'true', '--reason', 'x', '--as', 'alice'])).toBe(2);
    expect(await s.run(['set', 'kill-switch', 'on', '--reason', 'x', '--as', 'ali\u200bce'])).toBe(2);
    expect(await s.store.readControls()).toEqual({ killSwitch: false, dryRun: false });
  });

  it('--as is refused against AWS (no --endpoint): the identity comes from STS', async () => {
    const errors: string[] = [];
    expect(await controlsCommand(['set', 'kill-switch', 'on', '--reason', 'x', '--as', 'mallory'], { err: (l) => errors.push(l), out: () => undefined })).toBe(2);
    expect(errors.join('\n')).toMatch(/--as is accepted only with --endpoint/);
  });

  it('shows an unreadable item as ON with the anomaly and exits 1', async () => {
    const s = await setup();
    await s.client.send(new PutItemCommand({ TableName: s.tableName, Item: { pk: { S: 'controls' }, sk: { S: 'controls' }, killSwitch: { S: 'false' } } }));
    expect(await s.run(['show'])).toBe(1);
    expect(s.lines).toContain('  kill switch: ON');
    expect(s.lines.some((l) => l.includes('UNREADABLE') && l.includes('killSwitch holds S, not BOOL'))).toBe(true);
  });
});
