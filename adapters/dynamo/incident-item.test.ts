import { fitIncidentRecord, mergeIncidentRecords } from './incident-item';
import { openIncident, type IncidentRecord } from '../../domain/incident';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const record = (): IncidentRecord => openIncident({ key: 'k', runbook: 'database-failover', title: 'DB down', severity: 'P1', detectedAt: T0 });

describe('fitIncidentRecord', () => {
  it('leaves a record that fits as it is', () => {
    const rec = record();
    rec.timeline.push({ at: T0, kind: 'event', summary: 'RDS-EVENT-0006' });
    expect(fitIncidentRecord(rec, 10_000)).toEqual({ json: JSON.stringify(rec), droppedAwsCalls: 0, droppedOther: 0 });
  });

  it('drops oldest entries of any kind once no aws-call is left, and stays under the limit', () => {
    const rec = record();
    for (let i = 0; i < 200; i++) rec.timeline.push({ at: T0 + i, kind: 'signal', summary: `reading ${i} ${'x'.repeat(100)}` });
    const fitted = fitIncidentRecord(rec, 5_000);
    const parsed = JSON.parse(fitted.json) as IncidentRecord;
    expect(Buffer.byteLength(fitted.json)).toBeLessThanOrEqual(5_000);
    expect(fitted.droppedAwsCalls).toBe(0);
    expect(fitted.droppedOther).toBeGreaterThan(0);
    expect(parsed.timeline.at(-1)?.summary).toMatch(/^reading 199 /);
    expect(parsed.timeline[0]?.summary).toContain(`${fitted.droppedOther} other oldest entries dropped`);
  });
});

describe('mergeIncidentRecords', () => {
  it('keeps each entry once, in time order, and never reopens a resolved incident', () => {
    const stored = { ...record(), status: 'resolved' as const, resolvedAt: T0 + 100 };
    stored.timeline = [{ at: T0, kind: 'event', summary: 'a' }, { at: T0 + 100, kind: 'note', summary: 'resolved' }];
    const mine = record();
    mine.timeline = [{ at: T0, kind: 'event', summary: 'a' }, { at: T0 + 50, kind: 'action', summary: 'promoted' }];
    mine.actionsTaken = ['promoted'];
    const merged = mergeIncidentRecords(stored, mine);
    expect(merged.timeline.map((e) => e.summary)).toEqual(['a', 'promoted', 'resolved']);
    expect(merged.status).toBe('resolved');
    expect(merged.resolvedAt).toBe(T0 + 100);
    expect(merged.actionsTaken).toEqual(['promoted']);
  });

  it('does not let a writer with an older copy move the status backwards (an intake noting a joined trigger)', () => {
    const stored = { ...record(), status: 'escalated' as const };
    const stale = { ...record(), status: 'open' as const };
    expect(mergeIncidentRecords(stored, stale).status).toBe('escalated');
    const later = { ...record(), status: 'mitigated' as const };
    expect(mergeIncidentRecords(stored, later).status).toBe('mitigated');
  });
});
