/**
 * The domain's Workflow port on Lambda durable functions.
 *
 * - step: checkpointed; once it completed it is never re-run on replay. Steps default to
 *   a few retries with backoff; a step that mutates re-reads live state first, so a retry
 *   after a crash finds the change already made and does not make it twice.
 * - wait: a durable wait (the function is suspended, nothing is billed). The simulated
 *   clock of a drill is moved to the wake-up time inside a step, so the move happens once
 *   even though the code around the wait is replayed.
 * - waitForApproval: a callback. The page carries the callback id and the exact
 *   `aws lambda send-durable-execution-callback-{success,failure}` commands. A timeout is
 *   EXPIRED (never treated as approval), a failure callback is REJECTED.
 */
import { CallbackTimeoutError, type DurableContext } from '@aws/durable-execution-sdk-js';
import type { ApprovalOutcome, Clock, Workflow } from '../domain/ports';

/** A clock a durable wait can move forward (the drill's simulated clock); production clocks ignore it. */
export interface WorkflowClock extends Clock {
  advanceTo?(epochMs: number): void;
}

/**
 * Fault injection for drills and the chaos run only (never set in Lambda): called after a
 * step's function has done its work and before its result is checkpointed. Throwing from
 * it is a crash at the worst moment: the side effects happened, the checkpoint did not, so
 * the step runs again and must find its own work already done.
 */
export type StepCrashHook = (stepName: string) => void;
let stepCrashHook: StepCrashHook | undefined;

export function setStepCrashHook(hook: StepCrashHook | undefined): void {
  stepCrashHook = hook;
}

export function durableWorkflow(ctx: DurableContext, clock: WorkflowClock): Workflow {
  return {
    step<T>(name: string, fn: () => Promise<T>): Promise<T> {
      return ctx.step(name, async () => {
        const result = await fn();
        stepCrashHook?.(name);
        return result;
      }) as Promise<T>;
    },

    async wait(name: string, seconds: number): Promise<void> {
      const wakeAt = await ctx.step(`${name}:until`, async () => clock.now() + seconds * 1000);
      await ctx.wait(name, { seconds: Math.max(1, Math.ceil(seconds)) });
      await ctx.step(`${name}:woke`, async () => {
        clock.advanceTo?.(wakeAt);
        return clock.now();
      });
    },

    async waitForApproval(name: string, timeoutSeconds: number, submit: (callbackId: string) => Promise<void>): Promise<ApprovalOutcome> {
      const wakeAt = await ctx.step(`${name}:deadline`, async () => clock.now() + timeoutSeconds * 1000);
      let outcome: ApprovalOutcome;
      try {
        const raw = await ctx.waitForCallback(name, async (callbackId) => submit(callbackId), { timeout: { seconds: timeoutSeconds } });
        outcome = parseApproval(raw);
      } catch (err) {
        if (err instanceof CallbackTimeoutError) {
          outcome = { outcome: 'EXPIRED' };
          await ctx.step(`${name}:expired`, async () => {
            clock.advanceTo?.(wakeAt);
            return clock.now();
          });
        } else {
          // SendDurableExecutionCallbackFailure: the human said no.
          outcome = { outcome: 'REJECTED', note: err instanceof Error ? err.message : String(err) };
        }
      }
      return outcome;
    },
  };
}

/** The approve command sends {"outcome":"APPROVED","by":"..."}; anything else is not an approval. */
export function parseApproval(raw: unknown): ApprovalOutcome {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = { outcome: raw };
    }
  }
  const v = (value ?? {}) as { outcome?: unknown; by?: unknown; note?: unknown };
  const by = typeof v.by === 'string' ? v.by : undefined;
  const note = typeof v.note === 'string' ? v.note : undefined;
  if (v.outcome === 'APPROVED') return { outcome: 'APPROVED', by, note };
  return { outcome: 'REJECTED', by, note: note ?? `callback result was not an approval: ${JSON.stringify(value)}` };
}

/**
 * The commands a human pastes, printed in the approval page. They go through the
 * operator-request function (`autopilot approve|reject`), the only principal allowed to send
 * durable callbacks: it verifies who is answering and puts that verified ARN in `by`.
 */
export function approvalCommands(callbackId: string, region: string, incidentKey?: string): { approve: string; reject: string } {
  const incident = incidentKey ? ` --incident ${incidentKey}` : '';
  return {
    approve: `autopilot approve --region ${region}${incident} '${callbackId}'`,
    reject: `autopilot reject --region ${region}${incident} '${callbackId}' --note '<why>'`,
  };
}
