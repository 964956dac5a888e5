import { combineAlarms } from './scaling';

describe('combineAlarms: the scale-in gate as one reading', () => {
  const T = Date.parse('2026-01-15T03:00:00Z');

  it('is ALARM when any gate alarm is in ALARM', () => {
    const r = combineAlarms(['regami-ecs-cpu-high*', 'regami-alb-5xx*'], [
      { name: 'regami-ecs-cpu-high', state: 'OK', since: T - 600_000 },
      { name: 'regami-alb-5xx-high', state: 'ALARM', since: T - 60_000 },
    ]);
    expect(r).toEqual({ name: 'regami-alb-5xx-high', state: 'ALARM', since: T - 60_000 });
  });

  it('is OK only when all are OK, since the latest of their changes', () => {
    const r = combineAlarms(['a*'], [
      { name: 'a1', state: 'OK', since: T - 600_000 },
      { name: 'a2', state: 'OK', since: T - 120_000 },
    ]);
    expect(r).toEqual({ name: 'a1, a2', state: 'OK', since: T - 120_000 });
  });

  it('is INSUFFICIENT_DATA when one has no data, or when no alarm matches at all', () => {
    expect(combineAlarms(['a*'], [{ name: 'a1', state: 'OK', since: T }, { name: 'a2', state: 'INSUFFICIENT_DATA', since: T - 5 }]).state).toBe('INSUFFICIENT_DATA');
    expect(combineAlarms(['missing'], [])).toEqual({ name: 'missing', state: 'INSUFFICIENT_DATA', since: 0 });
  });

  it('counts an alarm matched by two patterns once', () => {
    const r = combineAlarms(['a*', 'a1'], [
      { name: 'a1', state: 'OK', since: T },
      { name: 'a1', state: 'OK', since: T },
    ]);
    expect(r.name).toBe('a1');
  });
});
