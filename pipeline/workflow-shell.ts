/**
 * The one workflow shell every durable runbook runs in: it opens the incident, makes every
 * step checkpoint the incident record with it, remembers the step in progress, holds the
 * locks a mutation takes (renewal and release included), and turns a step out of retries
 * into a failure page naming the step that stopped.
 *
 * At its start each execution reads its runbook's latest readiness (issue 16 item 3, "at the
 * start of each execution"): the verdict the scheduled preflight stored (one consistent
 * GetItem, a checkpointed step), recorded on the timeline; while that verdict is NOT READY
 * every trigger page of the execution carries its reasons. Not the whole preflight: ~20 reads
 * and ~110 IAM simulations would delay the first action of an incident by seconds to minutes,
 * add throttling exposure against the very APIs the remediation is about to call, and decide
 * nothing the runbook's own gates do not re-check live right after (replica exists and lags
 * within budget, service active, previous revision...). What the daily check adds is what
 * those gates cannot see in time: that a precondition broke yesterday, and since when.
 */
import type { DurableContext } from '@aws/durable-execution-sdk-js';
import type { RunbookId, Severity } from '../domain/config';
import type { Act, Pager, Workflow } from '../domain/ports';
import type { Page } from '../domain/paging';
import { readinessAtStart } from '../domain/preflight';
import { openIncident } from '../domain/incident';
import { durableWorkflow } from '../adapters/durable';
import type { IncidentSession } from '../adapters/runtime/incident-session';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { flushingWorkflow, makeAct, makePage, pageIfWorkflowFails, releaseHeldLocks } from '../adapters/runtime/wiring';

export interface ShellInit {
  runbook: RunbookId;
  incidentKey: string;
  title: string;
  severity: Severity;
  /** When this execution's episode was detected: a stored record detected later belongs to a later episode. */
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
  /** The runtime's pager, with the latest NOT READY verdict (when there is one) on every trigger page: what the runbooks page through. */
  readonly pager: Pager;
  /** The NOT READY line of the latest scheduled check for this runbook, read at the start (noteReadiness). */
  private notReady?: string;

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
    this.pager = { send: (page) => rt.pager.send(this.withReadiness(page)) };
    this.page = makePage(this.pager, rt.clock, session);
  }

  private withReadiness(page: Page): Page {
    if (this.notReady === undefined || page.action !== 'trigger') return page;
    return { ...page, diagnosis: [...page.diagnosis, this.notReady] };
  }

  /**
   * The runbook's readiness as the scheduled check last stored it, on the timeline (a step: read
   * once, replayed from its checkpoint). A read that fails is recorded and the workflow goes on:
   * readiness informs the human, the runbook's own gates decide.
   */
  async noteReadiness(): Promise<void> {
    const notReady = await this.workflow.step('readiness', async () => {
      let line: { summary: string; notReady?: string };
      try {
        line = readinessAtStart(await this.rt.store.readReadiness(), this.runbook, this.rt.clock.now());
      } catch (err) {
        line = { summary: `readiness: the scheduled check's verdicts could not be read (${err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 160) : String(err)}): preconditions unknown` };
      }
      this.session.record({ kind: 'note', runbook: this.runbook, summary: line.summary });
      return line.notReady ?? null;
    });
    this.notReady = notReady ?? undefined;
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
  const incidentInit = { key: init.incidentKey, runbook: init.runbook, title: init.title, severity: init.severity, detectedAt: init.detectedAt };
  let session = await rt.openSession(incidentInit);
  // Records of one episode merge to its earliest detection, so a stored record detected after this
  // execution's episode was opened by a later episode (the pipeline's new-episode replacement).
  // This execution runs on to its end on a record of its own, which it never saves over the later one.
  if (session.incident.detectedAt > init.detectedAt) {
    const later = session.incident.detectedAt;
    session = rt.sessionOf(openIncident(incidentInit), session.mode);
    session.detachedBecause = `a later episode (detected ${new Date(later).toISOString()}) replaced this incident's record`;
    session.record({ kind: 'note', runbook: init.runbook, summary: `${session.detachedBecause}: this execution's record is logged, not stored` });
  }
  const shell = new WorkflowShell(rt, session, durableWorkflow(ctx, rt.clock), owner(session));
  await shell.noteReadiness();
  return shell;
}
