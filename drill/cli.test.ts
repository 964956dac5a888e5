import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drillCommand } from '../cli/drill';

describe('autopilot drill (command line)', () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.join(' '));
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('exits 2 on an invalid scenario file, naming the file and the path, without running anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-cli-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ name: 'broken', description: 'd', runbooks: ['scale-ecs'], timeline: [{ at: 'later', type: 'event', event: {} }], expectations: { noPages: true } }));
    await expect(drillCommand([file])).resolves.toBe(2);
    const text = errors.join('\n');
    expect(text).toContain(`${file}: invalid scenario`);
    expect(text).toContain('timeline[0].at: must be seconds or a duration');
    expect(text).toContain('timeline[0].event.source: is required in an inline event');
  });

  it('exits 2 on an unknown option', async () => {
    await expect(drillCommand(['--fast'])).resolves.toBe(2);
    expect(errors.join('\n')).toContain('unknown option --fast');
  });
});
