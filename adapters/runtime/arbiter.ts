/**
 * The arbiter at run time (domain/arbiter.ts decides): read the resource's record, decide,
 * write it back, mark and announce whom the decision preempted. Called by the Actuator while
 * it holds the resource's lock, and by releaseHeldLocks before it gives the lock back.
 */
import { activityOf, arbitrate, rank, preemptedVerdict, preemptionMark, releaseClaims, type ResourceClaim } from '../../domain/arbiter';
import { runbookOfIncidentKey } from '../../domain/circuit-breaker';
import type { LockLease, ProposedAction, Verdict } from '../../domain/guardrails';
import type { GuardrailStore } from '../../domain/ports';

export interface PreemptionEvent {
  /** The mutation that preempted. */
  by: ProposedAction;
  preempted: ResourceClaim;
  at: number;
}

/**
 * The arbiter's verdict for `proposed` on `resource` (undefined: an action the arbiter does not
 * order). A pass has already recorded the claim; preempted incidents are marked before it returns.
 */
export async function arbitrateUnderLock(
  store: GuardrailStore,
  proposed: ProposedAction,
  resource: string,
  now: number,
  claimSeconds: number,
  onPreempted?: (event: PreemptionEvent) => Promise<void>,
): Promise<Verdict | undefined> {
  const runbook = runbookOfIncidentKey(proposed.incidentKey);
  const activity = activityOf(runbook, proposed.action);
  if (!runbook || !activity) return undefined;
  if (await store.isOwnChange(preemptionMark(proposed.incidentKey))) return preemptedVerdict(proposed.incidentKey, undefined);
  const claims = await store.readClaims(resource);
  const decision = arbitrate(claims, { resource, activity, runbook, incidentKey: proposed.incidentKey, action: proposed.action, now, claimSeconds });
  if (!decision.verdict.pass) return decision.verdict;
  await store.writeClaims(resource, decision.next, now);
  for (const preempted of decision.preempted) {
    await store.markOwnChange(preemptionMark(preempted.incidentKey), proposed.incidentKey, now);
    // The page is the preempted runbook's news; a failure to send it never stops the preemptor.
    await onPreempted?.({ by: proposed, preempted, at: now }).catch(() => undefined);
  }
  return decision.verdict;
}

/** Ends the ordinary claims of `incidentKey` on `resource` (freezes stay); the caller holds the lock. */
export async function releaseResourceClaims(store: GuardrailStore, resource: string, incidentKey: string, now: number): Promise<void> {
  const claims = await store.readClaims(resource);
  if (!claims.some((c) => c.incidentKey === incidentKey && !c.freeze)) return;
  await store.writeClaims(resource, releaseClaims(claims, incidentKey, now), now);
}

/**
 * A lock held by a runbook of lower precedence (its owner is named after its runbook: an
 * incident key or an execution name) does not stop one of higher precedence: a restore waiting
 * for its approval with the database locked must not block that database's failover. True when
 * the lock was taken over; the arbiter then preempts the holder's claims (and pages it).
 */
export async function preemptLowerLock(store: GuardrailStore, proposed: ProposedAction, resource: string, heldBy: LockLease, owner: string, now: number, ttlSeconds: number): Promise<boolean> {
  const mine = activityOf(runbookOfIncidentKey(proposed.incidentKey), proposed.action);
  const holderRunbook = runbookOfIncidentKey(heldBy.owner);
  const theirs = activityOf(holderRunbook, '');
  if (!mine || !theirs || rank(theirs) <= rank(mine)) return false;
  await store.releaseLock(resource, heldBy.owner);
  return (await store.acquireLock(resource, owner, now, ttlSeconds)).acquired;
}

/** The arbiter's verdict for `proposed` without writing anything (a preview before a workflow's first mutation). */
export async function previewArbiter(store: GuardrailStore, proposed: ProposedAction, resource: string, now: number, claimSeconds: number): Promise<Verdict | undefined> {
  const runbook = runbookOfIncidentKey(proposed.incidentKey);
  const activity = activityOf(runbook, proposed.action);
  if (!runbook || !activity) return undefined;
  if (await store.isOwnChange(preemptionMark(proposed.incidentKey))) return preemptedVerdict(proposed.incidentKey, undefined);
  return arbitrate(await store.readClaims(resource), { resource, activity, runbook, incidentKey: proposed.incidentKey, action: proposed.action, now, claimSeconds }).verdict;
}
