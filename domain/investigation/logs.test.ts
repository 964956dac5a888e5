import { normaliseLogLine, summariseLogs } from './logs';

describe('log summary (runbook 4 step 2)', () => {
  const meta = { from: 0, to: 60_000, bytes: 1000, truncated: false };

  it('counts a pool-exhaustion line once even when it carries both symptoms', () => {
    const line = 'ERROR sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 30.00';
    const s = summariseLogs([line, line, 'ERROR QueuePool limit of size 10 overflow 20 reached', 'ERROR KeyError: x'], meta);
    expect(s.poolErrorLines).toBe(3);
    expect(s.patternCounts['sqlalchemy.exc.TimeoutError']).toBe(2);
    expect(s.patternCounts['QueuePool limit']).toBe(3);
    expect(s.eventsScanned).toBe(4);
  });

  it('groups repeats of one error into a top line with its count', () => {
    const s = summariseLogs(['ERROR POST /api/v1/uploads 500 30012ms', 'ERROR POST /api/v1/uploads 500 29876ms', 'ERROR other 1'], meta);
    expect(s.topLines[0]).toEqual({ line: 'ERROR POST /api/v1/uploads <n> <n>ms', count: 2 });
  });

  it('strips numbers, hex and ids but keeps words that contain digits', () => {
    expect(normaliseLogLine('task 3f2a9c1e-1b2c-4d5e-8f90-1234567890ab failed at 0x7ffe after 12.5s on v2')).toBe('task <id> failed at <hex> after <n>s on v2');
  });
});
