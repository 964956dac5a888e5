import { failoverEpisode } from './episodes';
import { openIncident, type IncidentRecord } from '../incident';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const record = (over: Partial<IncidentRecord>): IncidentRecord => ({
  ...openIncident({ key: 'database-failover-regami-db-primary', runbook: 'database-failover', title: 't', severity: 'P1', detectedAt: T0 }),
  ...over,
});
const args = (previous: IncidentRecord | undefined, eventTime: number, now: number) => ({ previous, eventTime, now, maxEpisodeSeconds: 7200, minSecondsBetweenFailovers: 86_400 });

describe('failover episodes at the intake (issue 13 item 5)', () => {
  it('joins an open episode and starts one when there is none', () => {
    expect(failoverEpisode(args(record({}), T0 + 60_000, T0 + 60_000)).kind).toBe('join');
    expect(failoverEpisode(args(undefined, T0, T0)).kind).toBe('new');
  });

  it('after a failover, no trigger about the old primary starts anything (late copy or new event)', () => {
    const done = record({ status: 'mitigated', mitigatedAt: T0 + 720_000 });
    expect(failoverEpisode(args(done, T0, T0 + 840_000)).kind).toBe('ignore');
    expect(failoverEpisode(args(done, T0 + 1_500_000, T0 + 1_500_000)).kind).toBe('ignore');
  });

  it('a late copy of an event a refused episode already judged is ignored; newer evidence reopens it', () => {
    const refused = record({ status: 'escalated', timeline: [{ at: T0 + 180_000, kind: 'decision', summary: 'failover NOT started' }] });
    expect(failoverEpisode(args(refused, T0 + 60_000, T0 + 300_000)).kind).toBe('ignore');
    expect(failoverEpisode(args(refused, T0 + 360_000, T0 + 360_000))).toMatchObject({ kind: 'new', reopens: true });
  });
});
