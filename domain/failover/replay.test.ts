import { replicaReplayState } from './replay';

const T = Date.parse('2026-01-15T03:00:00Z');
const at = (minute: number, seconds: number) => ({ at: T + minute * 60_000, seconds });

describe('replica replay state from ReplicaLag (RDS for PostgreSQL: time since the last replayed commit)', () => {
  it('a final run of growth by the time elapsed is "stopped", dated by its first datapoint', () => {
    const s = replicaReplayState([at(0, 5), at(1, 5), at(2, 65), at(3, 125)]);
    expect(s).toMatchObject({ state: 'stopped', stoppedBy: T + 2 * 60_000 });
    expect(s.detail).toContain('5s -> 125s');
  });

  it('a steady lag is "replaying"', () => {
    expect(replicaReplayState([at(0, 2), at(1, 3), at(2, 2)]).state).toBe('replaying');
  });

  it('growth that is not yet a run of three datapoints, too few datapoints, or -1 is "unknown"', () => {
    expect(replicaReplayState([at(0, 2), at(1, 2), at(2, 62)]).state).toBe('unknown');
    expect(replicaReplayState([at(0, 2)]).state).toBe('unknown');
    expect(replicaReplayState([at(0, -1), at(1, -1)]).state).toBe('unknown');
  });

  it('lag that grows faster or slower than the clock is not "nothing replayed"', () => {
    expect(replicaReplayState([at(0, 5), at(1, 30), at(2, 55), at(3, 80)]).state).not.toBe('stopped');
  });
});
