/**
 * What a workflow records at its start from the scheduled check's stored verdicts (issue 16
 * item 3, "at the start of each execution"), and the schedule's period it judges staleness by.
 */
import { readinessAtStart, readinessReport, scheduleIntervalSeconds, type RunbookReadiness } from './preflight';

const AT = Date.parse('2026-01-15T03:00:00Z');
const results: RunbookReadiness[] = [
  { runbook: 'database-failover', ready: false, checks: [{ name: 'replica', ok: false, reason: 'regami-db-replica not found in us-west-2: there is nothing to promote' }, { name: 'primary database', ok: true, reason: 'exists' }] },
  { runbook: 'scale-ecs', ready: true, checks: [{ name: 'service', ok: true, reason: 'ACTIVE' }] },
];
const report = readinessReport(results, AT, 'dev', 'rate(1 day)');

describe('readiness at the start of an execution', () => {
  it('keeps only the failed checks of each runbook', () => {
    expect(report.runbooks).toEqual([
      { runbook: 'database-failover', ready: false, failed: ['replica: regami-db-replica not found in us-west-2: there is nothing to promote'] },
      { runbook: 'scale-ecs', ready: true, failed: [] },
    ]);
  });

  it('NOT READY: the line the pages carry, with when and why', () => {
    const r = readinessAtStart(report, 'database-failover', AT + 5 * 3600_000);
    expect(r.summary).toBe('readiness: NOT READY at the scheduled check of 2026-01-15T03:00:00.000Z, 5h ago: replica: regami-db-replica not found in us-west-2: there is nothing to promote');
    expect(r.notReady).toBe(r.summary);
  });

  it('READY: recorded, nothing added to the pages', () => {
    expect(readinessAtStart(report, 'scale-ecs', AT + 600_000)).toEqual({ summary: 'readiness: READY at the scheduled check of 2026-01-15T03:00:00.000Z, 10m ago' });
  });

  it('says when the check has not run since two periods (stale), and when it never ran', () => {
    expect(readinessAtStart(report, 'scale-ecs', AT + 3 * 86_400_000).summary).toMatch(/72h ago \(stale: the check runs rate\(1 day\) and has not run since\)$/);
    expect(readinessAtStart(undefined, 'scale-ecs', AT)).toEqual({ summary: expect.stringMatching(/^readiness: no scheduled readiness check is recorded/) });
    expect(readinessAtStart(report, 'restore-from-backup', AT).summary).toMatch(/did not judge restore-from-backup/);
  });

  it('reads the period of a rate expression; a cron expression counts as daily', () => {
    expect(scheduleIntervalSeconds('rate(1 day)')).toBe(86_400);
    expect(scheduleIntervalSeconds('rate(6 hours)')).toBe(21_600);
    expect(scheduleIntervalSeconds('rate(30 minutes)')).toBe(1_800);
    expect(scheduleIntervalSeconds('cron(0 6 * * ? *)')).toBe(86_400);
  });
});
