/**
 * The one workflow shell every durable runbook runs in: it opens the incident, makes every
 * step checkpoint the incident record with it, remembers the step in progress, holds the
 * locks a mutation takes (renewal and release included), and turns a step out of retries
 * into a failure page naming the step that stopped.
 */
import type { DurableContext } from '@aws/durable-execution-sdk-js';
import type { RunbookId, Severity } from '../domain/config';
import type { Act, Workflow } from '../domain/ports';
import type { Page } from '../domain/paging';
import { durableWorkflow } from '../adapters/durable';
import type { IncidentSession } from '../adapters/runtime/incident-session';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { flushingWorkflow, makeAct, makePage, pageIfWorkflowFails, releaseHeldLocks } from '../adapters/runtime/wiring';

export interface ShellInit {
  runbook: RunbookId;
  incidentKey: string;
  title: string;
  severity: Severity;
  detectedAt: number;
}

/** Where to page when the workflow stops: its severity, the resource it was changing, and what a human does next. */
export type FailureNotice = { severity: Page['severity']; resource: string; nextStep: string };

export class WorkflowShell {
  /** The step in progress: a step out of retries is paged with where it stopped. */
  currentStep = 'start';
  /** Every step saves the incident record when it completes, and is remembered while it runs. */
  readonly workflow: Workflow;
  readonly page: (page: Omit<Page, 'at'>) => Promise<void>;

  constructor(
    readonly rt: Runtime,
    readonly session: IncidentSession,
    durable: Workflow,
    /** The lock owner: the execution name the intake started, so two executions never share a lock. */
    readonly owner: string,
  ) {
    const flushing = flushingWorkflow(durable, session);
    this.workflow = {
      step: (name, fn) => ((this.currentStep = name), flushing.step(name, fn)),
      wait: (name, seconds) => ((this.currentStep = name), flushing.wait(name, seconds)),
      waitForApproval: (name, timeout, submit) => ((this.currentStep = name), flushing.waitForApproval(name, timeout, submit)),
    };
    this.page = makePage(rt.pager, rt.clock, session);
  }

  get runbook(): RunbookId {
    return this.session.incident.runbook;
  }

  /** A mutation through the Actuator whose locks stay held until releaseLocks (the rollout is verified). */
  holdingAct(): Act {
    return makeAct(this.rt.actuator, this.session, { owner: this.owner, holdLocks: true });
  }

  /** Gives back every held lock, as a checkpointed step. */
  releaseLocks(stepName = 'release-locks'): Promise<void> {
    return this.workflow.step(stepName, () => this.giveBackLocks());
  }

  /** Gives back every held lock (call it inside a step). */
  giveBackLocks(): Promise<void> {
    return releaseHeldLocks(this.rt.store, this.session, this.owner);
  }

  /** Same owner re-acquires each held lock, extending it by lockTtlSeconds; a lock lost to another owner is recorded. */
  async renewLocks(): Promise<void> {
    const { store, clock, config } = this.rt;
    for (const resource of [...(this.session.incident.heldLocks ?? [])]) {
      const renewed = await store.acquireLock(resource, this.owner, clock.now(), config.guardrails.lockTtlSeconds);
      if (renewed.acquired) continue;
      // Expired and taken: it is not ours to renew or release any more (a later act re-checks it).
      this.session.record({ kind: 'error', runbook: this.runbook, summary: `lost the lock on ${resource} to ${renewed.heldBy.owner}` });
      this.session.incident.heldLocks = (this.session.incident.heldLocks ?? []).filter((r) => r !== resource);
    }
  }

  /**
   * Runs the runbook; a step out of retries records where it stopped (`describeStep` adds the
   * runbook's step name) and pages `failure` before the execution fails (the on-failure queue keeps it).
   */
  pageIfStopped<T>(failure: FailureNotice, run: () => Promise<T>, describeStep?: (step: string) => string): Promise<T> {
    return pageIfWorkflowFails(this.workflow, this.session, this.page, failure, async () => {
      try {
        return await run();
      } catch (err) {
        if (describeStep) this.session.record({ kind: 'error', runbook: this.runbook, summary: `stopped in step "${this.currentStep}" (${describeStep(this.currentStep)})` });
        throw err;
      }
    });
  }
}

/** Opens (or loads) the incident and the shell around it for one durable execution. */
export async function openWorkflowShell(rt: Runtime, ctx: DurableContext, init: ShellInit, owner: (session: IncidentSession) => string): Promise<WorkflowShell> {
  const session = await rt.openSession({ key: init.incidentKey, runbook: init.runbook, title: init.title, severity: init.severity, detectedAt: init.detectedAt });
  return new WorkflowShell(rt, session, durableWorkflow(ctx, rt.clock), owner(session));
}
