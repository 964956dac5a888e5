/**
 * The one intake pipeline every runbook runs (parse -> verify -> dedupe claim -> decide ->
 * act or dispatch -> record -> give the claim back and page on failure).
 */
import { TUNABLES, type RunbookId } from '../domain/config';
import type { Page } from '../domain/paging';
import { parseEvent, type AutopilotEvent } from '../events';
import type { Rejection } from '../events/fields';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { withEventClaim } from '../adapters/runtime/wiring';

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


/** What a runbook's admission step says of a parsed event. */
export type Admission<A> =
  | { kind: 'ignore'; result: IntakeResult }
  | {
      kind: 'admit';
      admitted: A;
      /**
       * The event's dedupe claim: a duplicate delivery does nothing. Absent when the event
       * changes nothing by itself (an OK that resolves) or the workflow's execution name dedupes it.
       */
      claim?: { key: string; incidentKey?: string; duplicate: IntakeResult };
    };

/**
 * One runbook's intake, declared once (runbooks/<runbook>/intake.ts) and run by runIntake.
 * `admit` is the cheap part (is this event ours, which trigger, which claim); `handle` reads the
 * live facts, decides and acts or dispatches, and records, while the claim is held.
 */
export interface RunbookIntake<A> {
  runbook: RunbookId;
  admit(event: AutopilotEvent, rt: Runtime, raw: unknown): Admission<A> | Promise<Admission<A>>;
  handle(admitted: A, event: AutopilotEvent, rt: Runtime): Promise<IntakeResult>;
  /**
   * The page said when `handle` throws, before the rethrow gives the claim back for Lambda's
   * retry: the alarm that brought the event does not fire again while it stays in ALARM.
   */
  failurePage?(admitted: A, event: AutopilotEvent, rt: Runtime, error: string): Page | undefined;
}

/**
 * The pipeline: parse -> admit (verify, which trigger) -> dedupe claim -> handle (live facts,
 * decide, act or dispatch, record) -> on failure: page, give the claim back, rethrow.
 * The arbiter sits where a mutation is proposed (the Actuator, adapters/runtime/arbiter.ts):
 * every act and every workflow lock passes it, whichever runbook asks.
 */
export async function runIntake<A>(definition: RunbookIntake<A>, raw: unknown, rt: Runtime): Promise<IntakeResult> {
  const now = rt.clock.now();
  const parsed = parseEvent(raw, { config: rt.config, now });
  if (!parsed.ok) return rejectedBy(parsed.rejection);
  const event = parsed.event;
  const admission = await definition.admit(event, rt, raw);
  if (admission.kind === 'ignore') return admission.result;
  const { admitted, claim } = admission;
  const handle = () => handleOrPage(definition, admitted, event, rt);
  if (!claim) return handle();
  // The claim is given back when anything after it fails, so Lambda's retry of this event runs.
  const claimed = await withEventClaim(rt.store, claim.key, now, TUNABLES.dedupeTtlSeconds, handle, claim.incidentKey);
  return claimed.duplicate ? claim.duplicate : claimed.result;
}

async function handleOrPage<A>(definition: RunbookIntake<A>, admitted: A, event: AutopilotEvent, rt: Runtime): Promise<IntakeResult> {
  try {
    return await definition.handle(admitted, event, rt);
  } catch (err) {
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const page = definition.failurePage?.(admitted, event, rt, why);
    // The page is best effort: the rethrow (Lambda's retry, then the on-failure destination) keeps the event.
    if (page) await rt.pager.send(page).catch(() => undefined);
    throw err;
  }
}
