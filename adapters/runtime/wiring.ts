/**
 * Small adapters from the runtime to the domain's ports, shared by every runbook handler:
 * `act` (a mutation through the Actuator), `page` (send + record), and a Workflow wrapper
 * that saves the incident record at the end of every step (so what a step recorded is
 * durable exactly when the step's checkpoint is).
 */
import { holdLiftsAt } from '../../domain/guardrails';
import type { Page } from '../../domain/paging';
import type { Act, ActOutcome, GuardrailStore, Pager, Workflow } from '../../domain/ports';
import type { Clock } from '../../domain/ports';
import type { Actuator } from './actuator';
import { releaseResourceClaims } from './arbiter';
import type { IncidentSession } from './incident-session';

export interface ActOptions {
  /**
   * Lock owner: the durable execution name (two executions of one incident must not share a
   * lock). Default: the incident key.
   */
  owner?: string;
  /**
   * Keep each lock after the mutation, for the whole remediation (rollout, verification),
   * so no other runbook acts on the same resource meanwhile. The workflow gives them back
   * with releaseHeldLocks when its active phase ends; they expire after lockTtlSeconds anyway.
   */
  holdLocks?: boolean;
}

export function makeAct(actuator: Actuator, session: IncidentSession, options: ActOptions = {}): Act {
  return async <T>(request: Parameters<Act>[0], mutate: () => Promise<T>): Promise<ActOutcome<T>> => {
    const lockResource = request.lockResource ?? request.scope;
    const result = await actuator.execute({
      proposed: { action: request.action, scope: request.scope, summary: request.summary, incidentKey: session.key, ...(request.mutations !== undefined ? { mutations: request.mutations } : {}) },
      policy: { cooldownSeconds: request.cooldownSeconds, budget: request.budget, countsActions: request.countsActions },
      extraVerdicts: request.extraVerdicts,
      lockResource,
      owner: options.owner,
      keepLock: options.holdLocks,
      recorder: session,
      mutate,
    });
    if (options.holdLocks && result.status === 'executed') {
      const held = (session.incident.heldLocks ??= []);
      if (!held.includes(lockResource)) held.push(lockResource);
    }
    if (result.status === 'executed') {
      session.incident.actionsTaken.push(request.summary);
      return { status: 'executed', result: result.result };
    }
    if (result.status === 'dry-run') return { status: 'dry-run' };
    session.ledger().addRefusal(`${request.action}: ${result.refusal.reason}`);
    const { guardrail, reason, code } = result.refusal;
    const liftsAt = holdLiftsAt(result.refusal);
    return { status: 'refused', guardrail, reason, ...(code ? { code } : {}), ...(liftsAt !== undefined ? { liftsAt } : {}) };
  };
}

/** Gives back every lock the incident's remediation holds (call it inside a step). */
export async function releaseHeldLocks(store: GuardrailStore, session: IncidentSession, owner: string = session.key): Promise<void> {
  for (const resource of session.incident.heldLocks ?? []) {
    // What the remediation had in progress there ends with it (a failover's freeze stays).
    await releaseResourceClaims(store, resource, session.key, session.now());
    await store.releaseLock(resource, owner);
    session.record({ kind: 'note', summary: `released the lock on ${resource}` });
  }
  session.incident.heldLocks = [];
}

/**
 * Claims an event id so a duplicate delivery does nothing, and gives the claim back when the
 * work fails: Lambda's retry of the same event must run, not be dropped as a duplicate.
 * `incidentKey`: the incident the work will load; its read is started alongside the claim's
 * write (one state-table round trip instead of two). A duplicate discards the read.
 */
export async function withEventClaim<T>(
  store: GuardrailStore,
  claimKey: string,
  now: number,
  ttlSeconds: number,
  work: () => Promise<T>,
  incidentKey?: string,
): Promise<{ duplicate: true } | { duplicate: false; result: T }> {
  if (incidentKey !== undefined) store.prefetchIncident?.(incidentKey);
  try {
    if (!(await store.claimOnce(claimKey, now, ttlSeconds))) return { duplicate: true };
    try {
      return { duplicate: false, result: await work() };
    } catch (err) {
      await store.releaseClaim(claimKey).catch(() => undefined);
      throw err;
    }
  } finally {
    // Unused by the work (it returned early): never served to a later invocation of a warm container.
    if (incidentKey !== undefined) store.dropPrefetch?.(incidentKey);
  }
}

/**
 * A workflow whose step ran out of retries must not end in silence: page where it stopped
 * and what had been done, then let the execution fail (the on-failure queue keeps it).
 */
export async function pageIfWorkflowFails<T>(
  wf: Workflow,
  session: IncidentSession,
  page: (page: Omit<Page, 'at'>) => Promise<void>,
  failure: { severity: Page['severity']; resource: string; nextStep: string },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await wf.step('page-workflow-failed', async () => {
      session.record({ kind: 'error', summary: `workflow stopped: ${reason}` });
      session.ledger().set({ status: 'escalated' });
      await page({
        incidentKey: session.key,
        runbook: session.incident.runbook,
        action: 'trigger',
        severity: failure.severity,
        title: `${session.incident.title}: the autopilot stopped (${reason.slice(0, 80)})`,
        resource: failure.resource,
        diagnosis: [reason, ...session.incident.timeline.slice(-5).map((e) => `${new Date(e.at).toISOString()} ${e.kind}: ${e.summary}`)],
        done: session.incident.actionsTaken.length > 0 ? session.incident.actionsTaken : ['nothing was changed'],
        refused: [],
        nextStep: failure.nextStep,
      });
    });
    throw err;
  }
}

export function makePage(pager: Pager, clock: Clock, session: IncidentSession): (page: Omit<Page, 'at'>) => Promise<void> {
  return async (page) => {
    const full: Page = { ...page, at: clock.now() };
    await pager.send(full);
    session.record({ kind: 'page', severity: page.severity, summary: `${page.severity} ${page.action}: ${page.title}` });
    if (page.action === 'trigger' && (page.severity === 'P1' || page.severity === 'P2')) session.ledger().set({ status: 'escalated' });
  };
}

/** Every step flushes the incident record before it completes. */
export function flushingWorkflow(wf: Workflow, session: IncidentSession): Workflow {
  return {
    step: (name, fn) =>
      wf.step(name, async () => {
        const result = await fn();
        await session.flush();
        return result;
      }),
    wait: (name, seconds) => wf.wait(name, seconds),
    waitForApproval: (name, timeout, submit) =>
      wf.waitForApproval(name, timeout, async (callbackId) => {
        await submit(callbackId);
        await session.flush();
      }),
  };
}
