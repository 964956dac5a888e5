/**
 * The one intake pipeline every runbook runs (parse -> verify -> dedupe claim -> read the facts
 * -> decide, pure -> act or dispatch -> record -> give the claim back and page on failure).
 */
import { TUNABLES, type RunbookId } from '../domain/config';
import { openIncident } from '../domain/incident';
import type { DecisionContext, IntakePlan, PlannedRecord } from '../domain/intake-plan';
import type { Page } from '../domain/paging';
import { parseEvent, type AutopilotEvent } from '../events';
import type { Rejection } from '../events/fields';
import type { Runtime } from '../adapters/runtime/runtime-types';
import type { IncidentSession } from '../adapters/runtime/incident-session';
import { makePage, withEventClaim } from '../adapters/runtime/wiring';

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
 * `admit` verifies and sorts the event (is it ours, which trigger, which claim); `readFacts`
 * reads the live state the decision needs, and nothing else; `decide` is pure (in domain/) and
 * returns one IntakePlan; the pipeline carries it out. `act` carries out the runbook's own
 * mutation plans (through the Actuator), for the runbooks that act at the intake.
 */
export interface RunbookIntake<A, F = unknown, X = never> {
  runbook: RunbookId;
  admit(event: AutopilotEvent, rt: Runtime, raw: unknown): Admission<A> | Promise<Admission<A>>;
  readFacts(admitted: A, event: AutopilotEvent, rt: Runtime): Promise<F>;
  decide(admitted: A, facts: F, context: DecisionContext): IntakePlan<X>;
  act?(act: X, session: IncidentSession, rt: Runtime): Promise<IntakeResult>;
  /**
   * The page said when reading, deciding or carrying out throws, before the rethrow gives the
   * claim back for Lambda's retry: the alarm that brought the event does not fire again while
   * it stays in ALARM.
   */
  failurePage?(admitted: A, event: AutopilotEvent, rt: Runtime, error: string): Page | undefined;
}

/**
 * The pipeline: parse -> admit (verify, which trigger) -> dedupe claim -> read the facts ->
 * decide (pure) -> carry the plan out (record, page, start the workflow or act) -> on failure:
 * page, give the claim back, rethrow.
 * The arbiter sits where a mutation is proposed (the Actuator, adapters/runtime/arbiter.ts):
 * every act and every workflow lock passes it, whichever runbook asks.
 */
export async function runIntake<A, F, X>(definition: RunbookIntake<A, F, X>, raw: unknown, rt: Runtime): Promise<IntakeResult> {
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

async function handleOrPage<A, F, X>(definition: RunbookIntake<A, F, X>, admitted: A, event: AutopilotEvent, rt: Runtime): Promise<IntakeResult> {
  try {
    const facts = await definition.readFacts(admitted, event, rt);
    const plan = definition.decide(admitted, facts, { event, config: rt.config, now: rt.clock.now() });
    return await carryOut(definition, plan, rt);
  } catch (err) {
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const page = definition.failurePage?.(admitted, event, rt, why);
    // The page is best effort: the rethrow (Lambda's retry, then the on-failure destination) keeps the event.
    if (page) await rt.pager.send(page).catch(() => undefined);
    throw err;
  }
}

/** The plan, carried out the same way for every runbook. */
async function carryOut<A, F, X>(definition: RunbookIntake<A, F, X>, plan: IntakePlan<X>, rt: Runtime): Promise<IntakeResult> {
  if (plan.kind === 'ignore') return plan.incidentKey ? { status: 'ignored', reason: plan.reason, incidentKey: plan.incidentKey } : { status: 'ignored', reason: plan.reason };
  const { init } = plan.record;
  const session = await rt.openSession(init, plan.record.kind === 'continue' ? (plan.record.loaded ?? openIncident(init)) : openIncident(init));
  for (const entry of plan.entries) session.record(entry);
  const ledger = session.ledger();
  if (plan.patch) ledger.set(plan.patch);
  // A page that refuses says so on the record too (the report's "Refused by guardrails", `autopilot incidents`).
  const refusals = plan.refusals ?? (plan.kind === 'page' ? plan.page.refused.map((r) => `${r.action}: ${r.reason}`) : []);
  for (const refusal of refusals) ledger.addRefusal(refusal);
  switch (plan.kind) {
    case 'page':
      await makePage(rt.pager, rt.clock, session)(plan.page);
      await save(session, plan.record, rt);
      return plan.reason ? { status: 'paged', incidentKey: init.key, reason: plan.reason } : { status: 'paged', incidentKey: init.key };
    case 'start':
      return startOrJoin(definition.runbook, plan, session, rt);
    case 'act': {
      if (!definition.act) throw new Error(`${definition.runbook} planned an act at the intake but carries out none`);
      const result = await definition.act(plan.act, session, rt);
      await save(session, plan.record, rt);
      return result;
    }
  }
}

/** A new episode's record replaces the finished one's; any other is saved (merged with concurrent writers). */
function save(session: IncidentSession, record: PlannedRecord, rt: Runtime): Promise<void> {
  return record.kind === 'new-episode' ? rt.store.replaceIncident(session.incident) : session.flush();
}

async function startOrJoin(runbook: RunbookId, plan: Extract<IntakePlan<unknown>, { kind: 'start' }>, session: IncidentSession, rt: Runtime): Promise<IntakeResult> {
  const { executionName, input } = plan.workflow;
  // A new incident's record exists before its workflow starts; a running workflow owns its record.
  if (!plan.joining) await save(session, plan.record, rt);
  let started: 'started' | 'joined';
  try {
    started = await rt.startWorkflow(runbook, executionName, input);
  } catch (err) {
    if (plan.startFailurePage) {
      const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await rt.pager.send({ ...plan.startFailurePage, diagnosis: [...plan.startFailurePage.diagnosis, `start failed: ${why}`], at: rt.clock.now() });
    }
    throw err;
  }
  // Logged, not saved: the workflow now owns the record.
  if (started === 'joined' && !plan.joining) session.record({ kind: 'note', runbook, summary: `a workflow named ${executionName} was already running: this event joined it` });
  return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: plan.record.init.key };
}
