/**
 * One arbiter per managed resource (a service, a database, a bucket): the record of what is
 * in progress there and by which runbook, and the pure precedence decision every mutation
 * passes before it runs. The Actuator reads and writes the record under the resource's lock
 * (adapters/runtime/actuator.ts), so two runbooks never both believe they own a resource.
 *
 * Precedence (highest first): failover > restore switch > rollback > scaling.
 * - A runbook never changes a resource on which a runbook of equal or higher precedence (for
 *   another incident) has work in progress: refused `Arbiter`, with who holds it.
 * - A higher one preempts a lower one: the lower claim is removed and its incident is marked
 *   preempted (every later mutation of that incident is refused), and the preempted incident
 *   is paged.
 * - A failover's pause of the primary-region service freezes that service for
 *   FREEZE_SECONDS after the failover ended: no scaling (out, in, or restoring an auto
 *   scaling minimum) and no rollback starts it against the failed primary.
 * - A rollback (a deployment is the cause) outranks scaling; scaling waits until it is done.
 *
 * Pure: times come in as arguments; no SDK, no clock.
 */
import { TUNABLES, type RunbookId } from './config';
import type { GuardrailName, Verdict } from './guardrails';
import type { Page } from './paging';

export const ARBITER_GUARDRAIL = 'Arbiter' satisfies GuardrailName;

/** What a runbook is doing on a resource, in precedence order (index 0 wins). */
export const ACTIVITIES = ['failover', 'restore', 'rollback', 'scaling'] as const;
export type Activity = (typeof ACTIVITIES)[number];

/** A failover's pause stays a freeze this long after it was made (the failback is a human's). */
export const FREEZE_SECONDS = TUNABLES.failoverFreezeSeconds;

export interface ResourceClaim {
  resource: string;
  activity: Activity;
  runbook: RunbookId;
  incidentKey: string;
  /** The action that took the claim (e.g. 'pause-primary-service'). */
  action: string;
  since: number;
  /** Epoch ms: a claim is history after this (a crashed execution never holds forever). */
  until: number;
  /** A freeze survives the end of its runbook's active phase (a paused service). */
  freeze?: boolean;
}

/** Which activity a runbook's mutation is; undefined = the arbiter does not order it. */
export function activityOf(runbook: RunbookId | undefined, action: string): Activity | undefined {
  switch (runbook) {
    case 'database-failover':
      return 'failover';
    case 'restore-from-backup':
      return 'restore';
    case 'rollback-deployment':
      return 'rollback';
    // A forced new deployment (memory leak) is a rollout of the service like a rollback.
    case 'investigate-5xx':
      return action === 'scale-out' || action === 'scale-in' ? 'scaling' : 'rollback';
    case 'scale-ecs':
      return 'scaling';
    default:
      return undefined;
  }
}

export function rank(activity: Activity): number {
  return ACTIVITIES.indexOf(activity);
}

/** Actions whose claim freezes the resource after the runbook is done with it. */
const FREEZING_ACTIONS = new Set(['pause-primary-service']);

export interface ArbiterRequest {
  resource: string;
  activity: Activity;
  runbook: RunbookId;
  incidentKey: string;
  action: string;
  now: number;
  /** How long an ordinary claim lives without being released (the lock TTL). */
  claimSeconds: number;
}

export interface ArbiterDecision {
  verdict: Verdict;
  /** The record to write when the verdict passes (ours added, preempted and expired removed). */
  next: ResourceClaim[];
  /** Claims of lower-precedence runbooks this request ends. */
  preempted: ResourceClaim[];
}

function describe(c: ResourceClaim): string {
  return `${c.activity} (${c.runbook}, incident ${c.incidentKey}, ${c.action} since ${new Date(c.since).toISOString()}${c.freeze ? `, frozen until ${new Date(c.until).toISOString()}` : ''})`;
}

/**
 * The decision for one mutation on one resource, given the live claims there.
 * `ResourceFrozen` (a failover or a restore switch holds it: lifts only by a human or after the
 * freeze) and `ResourceBusy` (a rollback is rolling it: lifts when the rollout is verified) are
 * the two codes a refusal carries (its reason starts with the same word, for people), so a
 * caller can tell waiting from handing over.
 */
export function arbitrate(claims: readonly ResourceClaim[], req: ArbiterRequest): ArbiterDecision {
  const live = claims.filter((c) => c.until > req.now);
  const others = live.filter((c) => c.incidentKey !== req.incidentKey);
  const mine = rank(req.activity);
  const blocking = others.filter((c) => rank(c.activity) <= mine).sort((a, b) => rank(a.activity) - rank(b.activity));
  const top = blocking[0];
  if (top) {
    const frozen = top.activity === 'failover' || top.activity === 'restore';
    return {
      verdict: {
        guardrail: ARBITER_GUARDRAIL,
        pass: false,
        code: frozen ? 'ResourceFrozen' : 'ResourceBusy',
        reason: `${frozen ? 'ResourceFrozen' : 'ResourceBusy'}: ${req.resource} is held by ${describe(top)}; ${req.activity} (${req.runbook}) ${rank(top.activity) < mine ? 'comes after it' : 'waits for it'} (precedence: ${ACTIVITIES.join(' > ')})`,
        evidence: { heldBy: top.incidentKey, activity: top.activity, runbook: top.runbook, until: new Date(top.until).toISOString() },
      },
      next: [...live],
      preempted: [],
    };
  }
  const preempted = others.filter((c) => rank(c.activity) > mine);
  const freeze = FREEZING_ACTIONS.has(req.action);
  const ownEarlier = live.filter((c) => c.incidentKey === req.incidentKey);
  const keepsFreeze = ownEarlier.some((c) => c.freeze);
  const until = req.now + (freeze ? FREEZE_SECONDS : req.claimSeconds) * 1000;
  const claim: ResourceClaim = {
    resource: req.resource,
    activity: req.activity,
    runbook: req.runbook,
    incidentKey: req.incidentKey,
    action: freeze || !keepsFreeze ? req.action : (ownEarlier.find((c) => c.freeze)?.action ?? req.action),
    since: ownEarlier[0]?.since ?? req.now,
    until: keepsFreeze ? Math.max(until, ...ownEarlier.map((c) => c.until)) : until,
    ...(freeze || keepsFreeze ? { freeze: true } : {}),
  };
  const next = [...others.filter((c) => rank(c.activity) <= mine), claim];
  return {
    verdict: {
      guardrail: ARBITER_GUARDRAIL,
      pass: true,
      reason:
        preempted.length > 0
          ? `${req.activity} (${req.runbook}) preempts ${preempted.map(describe).join('; ')} on ${req.resource}`
          : `${req.resource}: nothing of equal or higher precedence in progress; ${req.activity} recorded`,
      evidence: preempted.length > 0 ? { preempted: preempted.map((c) => c.incidentKey) } : undefined,
    },
    next,
    preempted,
  };
}

/** The refusal for an incident another runbook has preempted (it never mutates again). */
export function preemptedVerdict(incidentKey: string, by: string | undefined): Verdict {
  return {
    guardrail: ARBITER_GUARDRAIL,
    pass: false,
    code: 'Preempted',
    reason: `Preempted: incident ${incidentKey} was preempted by ${by ?? 'a runbook of higher precedence'} (precedence: ${ACTIVITIES.join(' > ')}); it makes no further change`,
    evidence: { preemptedBy: by },
  };
}

/** The record once a runbook's active phase is over: its ordinary claims go, its freezes stay. */
export function releaseClaims(claims: readonly ResourceClaim[], incidentKey: string, now: number): ResourceClaim[] {
  return claims.filter((c) => c.until > now && (c.incidentKey !== incidentKey || c.freeze === true));
}

/** Key of the mark that tells every later mutation of an incident that it was preempted. */
export function preemptionMark(incidentKey: string): string {
  return `preempted:${incidentKey}`;
}

/** The page to the incident a higher-precedence runbook preempted (P2: a human finishes or drops it). */
export function preemptedPage(args: { preempted: ResourceClaim; byIncidentKey: string; byAction: string; at: number }): Page {
  const { preempted, byIncidentKey, byAction, at } = args;
  return {
    incidentKey: preempted.incidentKey,
    action: 'trigger',
    severity: 'P2',
    runbook: preempted.runbook,
    title: `${preempted.runbook} on ${preempted.resource} preempted by ${byIncidentKey}`,
    resource: preempted.resource,
    at,
    diagnosis: [
      `${preempted.activity} was in progress on ${preempted.resource} since ${new Date(preempted.since).toISOString()} (${preempted.action})`,
      `${byAction} by ${byIncidentKey} takes precedence (${ACTIVITIES.join(' > ')})`,
    ],
    done: ['the autopilot makes no further change for this incident; what it already did stays in place'],
    refused: [{ action: `further ${preempted.activity} steps`, guardrail: ARBITER_GUARDRAIL, reason: `Preempted by ${byIncidentKey}` }],
    nextStep: `Finish or drop ${preempted.incidentKey} by hand once ${byIncidentKey} is done (see its incident record).`,
  };
}
