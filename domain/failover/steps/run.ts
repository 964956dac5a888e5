/**
 * One run of runbook 1 as its steps see it: the ports, the input, and the state the steps
 * build up (the diagnosis and what was done, for the pages; how far the mutations got, for
 * the rollback). Every step takes it explicitly; the helpers below record, page, mutate
 * and stop on its behalf.
 */
import type { AutopilotConfig } from '../../config';
import type { Verdict } from '../../guardrails';
import type { TimelineEntry } from '../../incident';
import type { Page } from '../../paging';
import type { ActRequest, Workflow } from '../../ports';
import { GATES } from '../gates';
import { gateRefusedPage, manualCommands, primaryNotConfirmedPage, recoveredPage, type ManualCommands } from '../pages';
import { StopFailover, errorText, type RollbackContext } from '../rollback';
import type { FailoverDeps, FailoverInput, FailoverOutcome } from '../workflow';

export type Entry = Omit<TimelineEntry, 'at'> & { at?: number };

export type FailoverProgress = RollbackContext['progress'];

export interface FailoverRun {
  readonly wf: Workflow;
  readonly deps: FailoverDeps;
  readonly input: FailoverInput;
  readonly config: AutopilotConfig;
  readonly policy: AutopilotConfig['guardrails']['failover'];
  readonly db: AutopilotConfig['database'];
  readonly cmds: ManualCommands;
  /**
   * The evidence the pages carry, in order. Outside a `step` it grows only from step results,
   * so a replayed invocation rebuilds the same list.
   */
  readonly diagnosis: string[];
  /** What the failover changed, in order, for the pages. */
  readonly done: string[];
  readonly progress: FailoverProgress;
}

export function failoverRun(wf: Workflow, deps: FailoverDeps, input: FailoverInput): FailoverRun {
  const { config } = deps;
  return {
    wf,
    deps,
    input,
    config,
    policy: config.guardrails.failover,
    db: config.database,
    cmds: manualCommands(config),
    diagnosis: [`trigger: ${input.trigger}`],
    done: [],
    progress: { paused: undefined, promoted: false, secondaryStarted: false, dnsPrevious: undefined, dnsChanged: false },
  };
}

export function record(run: FailoverRun, e: Entry): void {
  run.deps.recorder.record({ runbook: 'database-failover', ...e });
}

export function recordVerdict(run: FailoverRun, v: Verdict): void {
  record(run, { kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
}

export async function sendPage(run: FailoverRun, page: Page): Promise<void> {
  await run.deps.pager.send(page);
  record(run, { kind: 'page', summary: `${page.severity} ${page.action}: ${page.title}`, severity: page.severity });
}

/** Gate refusal: nothing was changed; P1 names the gate and its evidence. */
export async function refuse(run: FailoverRun, name: string, gate: Verdict): Promise<FailoverOutcome> {
  const { deps, input, config, diagnosis } = run;
  await run.wf.step(name, async () => {
    record(run, { kind: 'decision', summary: `failover NOT started: gate ${gate.guardrail} refused - ${gate.reason}` });
    deps.incident.addRefusal(`${gate.guardrail}: ${gate.reason}`);
    deps.incident.set({ status: 'escalated' });
    const args = { incidentKey: input.incidentKey, config, at: deps.clock.now(), diagnosis, done: ['nothing: no mutation was made'], gate };
    await sendPage(run, gate.guardrail === GATES.primaryConfirmedDown ? primaryNotConfirmedPage(args) : gateRefusedPage(args));
  });
  return { result: 'refused', gate: gate.guardrail, reason: gate.reason };
}

export async function recovered(run: FailoverRun, name: string, verdict: Verdict): Promise<FailoverOutcome> {
  const { deps, input, config, diagnosis } = run;
  await run.wf.step(name, async () => {
    record(run, { kind: 'decision', summary: `no failover: ${verdict.reason}` });
    deps.incident.set({ status: 'resolved', resolvedAt: deps.clock.now() });
    await sendPage(run, recoveredPage({ incidentKey: input.incidentKey, config, at: deps.clock.now(), diagnosis, done: ['nothing: the primary recovered during confirmation'] }));
  });
  return { result: 'recovered' };
}

/** Runs an act inside the current step; a refusal stops the failover where it is. */
export async function mutate<T>(run: FailoverRun, stepName: string, req: ActRequest, fn: () => Promise<T>): Promise<T> {
  const outcome = await run.deps.act(req, fn);
  if (outcome.status === 'refused') {
    throw new StopFailover(stepName, `${outcome.guardrail} refused ${req.action}: ${outcome.reason}`, { guardrail: outcome.guardrail, pass: false, reason: outcome.reason });
  }
  if (outcome.status === 'dry-run') throw new StopFailover(stepName, `dry-run was switched on: ${req.action} not performed`);
  return outcome.result;
}

/** A step that may stop the failover: StopFailover is a result, not an error to retry. */
export async function guardedStep<T>(run: FailoverRun, name: string, fn: () => Promise<T>): Promise<T> {
  let r;
  try {
    r = await run.wf.step(name, async () => {
      try {
        return { ok: true as const, value: await fn() };
      } catch (err) {
        if (err instanceof StopFailover) {
          record(run, { kind: 'error', summary: `stopped at ${err.stoppedAt}: ${err.reason}` });
          return { ok: false as const, stoppedAt: err.stoppedAt, reason: err.reason, refusal: err.refusal };
        }
        throw err;
      }
    });
  } catch (err) {
    // The step kept failing through its retries (an AWS error, not a decision).
    throw new StopFailover(name, `step failed after its retries: ${errorText(err)}`);
  }
  if (!r.ok) throw new StopFailover(r.stoppedAt, r.reason, r.refusal);
  return r.value;
}

export function sameDnsName(a: string | undefined, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/\.$/, '');
  return a !== undefined && norm(a) === norm(b);
}
