/** autopilot mode: the per-runbook override on the controls item (dynalite). */
import { defaultConfig } from '../domain/config';
import { DynamoModeReader } from '../adapters/dynamo/mode-reader';
import { freshStateTable } from '../test/support/state-table';
import { modeCommand } from './mode';

describe('autopilot mode', () => {
  it('sets, shows and removes a runbook override; refuses an unknown mode or a missing --by', async () => {
    const { client, endpoint, tableName } = await freshStateTable('mode-cli');
    const where = ['--table', tableName, '--endpoint', endpoint, '--region', 'us-east-1'];
    const logs: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await modeCommand(['scale-ecs', 'shadow', '--by', 'alice', '--reason', 'first week', ...where])).toBe(0);
      expect((await new DynamoModeReader(client, tableName).read('scale-ecs', defaultConfig)).mode).toBe('shadow');
      expect(await modeCommand(where)).toBe(0);
      expect(logs.join('\n')).toMatch(/scale-ecs\s+shadow\s+\(state table\)/);
      expect(await modeCommand(['scale-ecs', 'default', '--by', 'alice', ...where])).toBe(0);
      expect((await new DynamoModeReader(client, tableName).read('scale-ecs', defaultConfig)).source).toBe('config');
      expect(await modeCommand(['scale-ecs', 'on', '--by', 'alice', ...where])).toBe(2);
      expect(await modeCommand(['scale-ecs', 'live', ...where])).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});
