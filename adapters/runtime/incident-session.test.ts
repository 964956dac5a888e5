/**
 * The IncidentLedger port's one implementation: what each method does to the record.
 */
import { openIncident, type IncidentRecord } from '../../domain/incident';
import type { GuardrailStore } from '../../domain/ports';
import { IncidentSession } from './incident-session';

const T0 = Date.parse('2026-01-15T03:00:00Z');

function session(over: Partial<IncidentRecord> = {}): IncidentSession {
  const record = { ...openIncident({ key: 'scale-ecs-regami-service', runbook: 'scale-ecs', title: 't', severity: 'P3', detectedAt: T0 }), ...over };
  // The ledger never reaches the store: only flush() does.
  return new IncidentSession(record, { now: () => T0 }, {} as GuardrailStore);
}

describe('IncidentSession.ledger()', () => {
  it('set overwrites every field it is given', () => {
    const s = session({ status: 'mitigated', startedAt: T0 + 1, mitigatedAt: T0 + 2, resolvedAt: T0 + 3, rootCauseGuess: 'before' });
    s.ledger().set({ status: 'escalated', startedAt: T0 + 10, mitigatedAt: T0 + 20, resolvedAt: T0 + 30, rootCauseGuess: 'after' });
    expect(s.incident).toMatchObject({ status: 'escalated', startedAt: T0 + 10, mitigatedAt: T0 + 20, resolvedAt: T0 + 30, rootCauseGuess: 'after' });
  });

  it('set leaves the fields it is not given (or given as undefined) as they were', () => {
    const s = session({ startedAt: T0 + 1, mitigatedAt: T0 + 2, rootCauseGuess: 'kept' });
    s.ledger().set({ status: 'resolved', resolvedAt: T0 + 3, mitigatedAt: undefined });
    expect(s.incident).toMatchObject({ status: 'resolved', startedAt: T0 + 1, mitigatedAt: T0 + 2, resolvedAt: T0 + 3, rootCauseGuess: 'kept' });
  });

  it('setIfUnset fills the fields the record has no value for', () => {
    const s = session();
    s.ledger().setIfUnset({ startedAt: T0 + 1, mitigatedAt: T0 + 2, resolvedAt: T0 + 3, rootCauseGuess: 'first' });
    expect(s.incident).toMatchObject({ status: 'open', startedAt: T0 + 1, mitigatedAt: T0 + 2, resolvedAt: T0 + 3, rootCauseGuess: 'first' });
  });

  it('setIfUnset keeps the first value of a field already set', () => {
    const s = session();
    const ledger = s.ledger();
    ledger.setIfUnset({ startedAt: T0 + 1, rootCauseGuess: 'first' });
    ledger.setIfUnset({ startedAt: T0 + 50, mitigatedAt: T0 + 60, rootCauseGuess: 'later' });
    expect(s.incident).toMatchObject({ startedAt: T0 + 1, mitigatedAt: T0 + 60, rootCauseGuess: 'first' });
  });

  it('addRefusal appends to the refusals, in order', () => {
    const s = session({ refusals: ['earlier'] });
    s.ledger().addRefusal('scale-out: at the max');
    s.ledger().addRefusal('KillSwitch: on');
    expect(s.incident.refusals).toEqual(['earlier', 'scale-out: at the max', 'KillSwitch: on']);
  });

  it('current is the record itself, with the writes made through any ledger of the session', () => {
    const s = session();
    s.ledger().set({ status: 'mitigated' });
    const current = s.ledger().current();
    expect(current).toBe(s.incident);
    expect(current.status).toBe('mitigated');
  });

  it('records nothing on the timeline and changes no other field', () => {
    const s = session();
    const ledger = s.ledger();
    ledger.set({ status: 'escalated', rootCauseGuess: 'x' });
    ledger.setIfUnset({ startedAt: T0 });
    ledger.addRefusal('r');
    expect(s.incident).toEqual({
      ...openIncident({ key: 'scale-ecs-regami-service', runbook: 'scale-ecs', title: 't', severity: 'P3', detectedAt: T0 }),
      status: 'escalated',
      rootCauseGuess: 'x',
      startedAt: T0,
      refusals: ['r'],
    });
  });
});
