import { RESTART_ACTION, restartAlreadyMade, restartScope } from './respond';

const KEY = 'investigate-5xx-regami-alb-5xx-high';
const ALARM_AT = Date.parse('2026-01-15T03:00:00Z');
const scope = restartScope('regami-cluster', 'regami-service');

describe('restartAlreadyMade: a retried event finds its own restart', () => {
  it('finds the latest restart of this incident made since the ALARM began', () => {
    const actions = [
      { scope, action: RESTART_ACTION, at: ALARM_AT + 30_000, incidentKey: KEY, summary: 'first' },
      { scope, action: RESTART_ACTION, at: ALARM_AT + 90_000, incidentKey: KEY, summary: 'latest' },
    ];
    expect(restartAlreadyMade(actions, KEY, ALARM_AT)?.summary).toBe('latest');
  });
  it('ignores a restart from an earlier ALARM period, by another incident, or another action', () => {
    expect(restartAlreadyMade([{ scope, action: RESTART_ACTION, at: ALARM_AT - 1, incidentKey: KEY }], KEY, ALARM_AT)).toBeUndefined();
    expect(restartAlreadyMade([{ scope, action: RESTART_ACTION, at: ALARM_AT + 1, incidentKey: 'investigate-5xx-other-alarm' }], KEY, ALARM_AT)).toBeUndefined();
    expect(restartAlreadyMade([{ scope, action: 'scale-out', at: ALARM_AT + 1, incidentKey: KEY }], KEY, ALARM_AT)).toBeUndefined();
  });
});
