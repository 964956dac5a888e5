import { chaosCommand } from './chaos';

describe('autopilot chaos: usage', () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
  });
  afterEach(() => jest.restoreAllMocks());

  it('rejects an unknown fault, naming it and the known ones (exit 2)', async () => {
    expect(await chaosCommand(['--faults', 'throttling,earthquake'])).toBe(2);
    expect(errors.join('\n')).toContain('unknown fault earthquake');
    expect(errors.join('\n')).toContain('baseline,throttling,server-errors,timeouts,crash,stuck');
  });

  it('rejects a share outside (0, 1] and unknown options (exit 2)', async () => {
    expect(await chaosCommand(['--share', '1.5'])).toBe(2);
    expect(await chaosCommand(['--verbose'])).toBe(2);
    expect(errors.join('\n')).toContain('--share must be a number in (0, 1]');
    expect(errors.join('\n')).toContain('unknown option --verbose');
  });

  it('an invalid scenario file is exit 2 before anything runs', async () => {
    expect(await chaosCommand(['does-not-exist.json'])).toBe(2);
    expect(errors.join('\n')).toContain('does-not-exist.json');
  });
});
