/**
 * The one intake pipeline every runbook runs (parse -> verify -> dedupe claim -> decide ->
 * act or dispatch -> record -> give the claim back and page on failure).
 */
import type { Rejection } from '../events/fields';

export type IntakeStatus = 'acted' | 'paged' | 'ignored' | 'rejected' | 'started-workflow' | 'joined-workflow' | 'dry-run';

export interface IntakeResult {
  status: IntakeStatus;
  incidentKey?: string;
  reason?: string;
  /** For 'rejected': the dotted path of the offending field. */
  field?: string;
}

/** The result for an event parseEvent rejected. */
export function rejectedBy(rejection: Rejection): IntakeResult {
  return rejection.field ? { status: 'rejected', reason: rejection.message, field: rejection.field } : { status: 'rejected', reason: rejection.message };
}

