/**
 * The drill's Lambda durable-execution service: runs each runbook workflow in
 * LocalDurableTestRunner (time skipping on), dedupes executions by name like Lambda does
 * (a second start with the same name joins the running or completed execution), and
 * answers the human gates: a workflow parked in waitForApproval is "blocked"; the engine
 * answers it from the scenario (approve/reject) or lets it expire at its deadline.
 *
 * Simulated time stays in order: a workflow that wakes from a durable wait moves only its
 * own view of the clock (DrillClock), and its next AWS or state-table call is held at the
 * time gate (timeGatePlugin) until the drill has delivered every timeline step due before
 * that time and moved the shared clock there. The local runner skips the wait itself at
 * once; the gate is what keeps the workflow from running ahead of the incident.
 *
 * Why an expiry is sent by hand: the local runner times callbacks out on real timers in
 * its checkpoint worker, which the simulated clock cannot move. The drill marks the
 * callback TIMED_OUT through the runner's checkpoint API instead, so the workflow sees
 * the genuine CallbackTimeoutError (EXPIRED), at the simulated deadline.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pluggable } from '@smithy/types';
import * as fakeTimers from '@sinonjs/fake-timers';
import { LocalDurableTestRunner, WaitingOperationStatus, type DurableOperation, type TestResult } from '@aws/durable-execution-sdk-js-testing';
import type { DurableLambdaHandler } from '@aws/durable-execution-sdk-js';
import type { RunbookId } from '../domain/config';
import type { SimClock } from '../test/simulated-region/clock';
import type { WorkflowClock } from '../adapters/durable';

type FakeClock = ReturnType<typeof fakeTimers.install>;

/** Real (not faked) timers and time: the runner installs fake timers process-wide. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
export const realNow: () => number = performance.now.bind(performance);

let environmentUsers = 0;

/** The runner's statics behind `setupTestEnvironment({ skipTime: true })` (private in its types). */
interface RunnerTimeSkipping {
  skipTime: boolean;
  fakeClock: FakeClock | undefined;
}

/**
 * Once per process (refcounted): the runner's checkpoint worker and time skipping.
 *
 * setupTestEnvironment({ skipTime: true }) installs fake timers that follow real time in
 * 20 ms steps, so every short timer the SDK and dynalite set (socket and retry timers)
 * costs up to 20 ms of real time: a 100-event storm took half a minute of idle waiting.
 * The drill installs the same fake timers (same library) with 1 ms steps, faking timers
 * and Date only, and hands them to the runner exactly as setupTestEnvironment does.
 */
export async function setupDurableEnvironment(): Promise<void> {
  environmentUsers += 1;
  if (environmentUsers > 1) return;
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
  const statics = LocalDurableTestRunner as unknown as RunnerTimeSkipping;
  statics.fakeClock = fakeTimers.install({
    shouldAdvanceTime: true,
    advanceTimeDelta: 1,
    shouldClearNativeTimers: true,
    now: Date.now(),
    // Timers only: setImmediate, nextTick and performance stay native (sockets and streams use them).
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
  statics.skipTime = true;
}

export async function teardownDurableEnvironment(): Promise<void> {
  environmentUsers = Math.max(0, environmentUsers - 1);
  if (environmentUsers === 0) await LocalDurableTestRunner.teardownTestEnvironment();
}

export interface BlockedGate {
  runbook: RunbookId;
  executionName: string;
  /** The waitForApproval name (e.g. 'approve-failover'). */
  name: string;
  callbackId: string;
  /** Simulated epoch ms the workflow reached the gate (its own time: may be ahead of the shared clock). */
  openedAt: number;
  /** Simulated epoch ms when the gate expires (from the workflow's `<name>:deadline` step), if known. */
  deadline?: number;
  op: DurableOperation;
}

export interface HostEntry {
  /** Simulated time of the entry when it is the workflow's own (ahead of the shared clock). */
  at?: number;
  kind: 'workflow' | 'approval' | 'error';
  runbook: RunbookId;
  summary: string;
}

interface Execution {
  runbook: RunbookId;
  name: string;
  runner: LocalDurableTestRunner;
  done: boolean;
  /** This execution's view of simulated time (ahead of the shared clock after a durable wait). */
  virtualNow: number;
  /** Held at the time gate until the shared clock reaches `until`. */
  parked?: { until: number; waiting: (() => void)[] };
  result?: TestResult;
  failure?: string;
  gates: Map<string, BlockedGate>;
  deadlines: Map<string, number>;
}

export interface DurableHostOptions {
  clock: SimClock;
  /** The runbook's durable handler (buildWorkflow), or a reason why there is none. */
  workflowFor(runbook: RunbookId): DurableLambdaHandler | string;
  record(entry: HostEntry): void;
}

/** Shape of the runner's internal checkpoint client (used only to time a callback out). */
interface CheckpointClient {
  updateCheckpointData(params: { executionId: string; operationId: string; operationData: { Status: string }; error?: { ErrorMessage: string } }): Promise<unknown>;
}

export class DrillDurableHost {
  private readonly executions = new Map<string, Execution>();
  /** Which execution the running code belongs to (each invocation of a workflow handler runs inside it). */
  private readonly context = new AsyncLocalStorage<Execution>();
  private waiters: (() => void)[] = [];
  started = 0;
  joined = 0;

  constructor(private readonly opts: DurableHostOptions) {}

  start(runbook: RunbookId, executionName: string, input: unknown): 'started' | 'joined' {
    const key = `${runbook}#${executionName}`;
    const existing = this.executions.get(key);
    if (existing) {
      this.joined += 1;
      this.opts.record({ kind: 'workflow', runbook, summary: `workflow ${executionName} joined (${existing.done ? 'already completed' : 'running'}): same execution name` });
      return 'joined';
    }
    const handler = this.opts.workflowFor(runbook);
    if (typeof handler === 'string') throw new Error(`not runnable: ${handler}`);
    const exec = { runbook, name: executionName, done: false, virtualNow: this.opts.clock.now(), gates: new Map(), deadlines: new Map() } as Omit<Execution, 'runner'> as Execution;
    const inContext: DurableLambdaHandler = (event, context) => this.context.run(exec, () => handler(event, context));
    exec.runner = new LocalDurableTestRunner({ handlerFunction: inContext });
    const runner = exec.runner;
    this.executions.set(key, exec);
    this.started += 1;
    this.opts.record({ kind: 'workflow', runbook, summary: `workflow ${executionName} started` });
    void this.watch(exec);
    runner
      .run({ payload: input })
      .then((result) => {
        exec.result = result;
        const status = result.getStatus();
        const at = Math.max(exec.virtualNow, this.opts.clock.now());
        if (status === 'SUCCEEDED') {
          this.opts.record({ at, kind: 'workflow', runbook, summary: `workflow ${executionName} completed: ${summarize(result.getResult())}` });
        } else {
          const err = result.getError();
          exec.failure = `${err?.errorType ?? 'Error'}: ${err?.errorMessage ?? 'no message'}`;
          this.opts.record({ at, kind: 'error', runbook, summary: `workflow ${executionName} ${status ?? 'ended'}: ${exec.failure}` });
        }
      })
      .catch((err: unknown) => {
        exec.failure = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        this.opts.record({ kind: 'error', runbook, summary: `workflow ${executionName} crashed: ${exec.failure}` });
      })
      .finally(() => {
        exec.done = true;
        exec.gates.clear();
        this.bump();
      });
    return 'started';
  }

  /** Follows the execution's operations as they start: deadlines of gates, and gates parked waiting for an answer. */
  private async watch(exec: Execution): Promise<void> {
    try {
      for (let i = 0; !exec.done; i++) {
        const op = await exec.runner.getOperationByIndex(i).waitForData(WaitingOperationStatus.STARTED);
        const name = op.getName() ?? '';
        if (name.endsWith(':deadline')) void this.captureDeadline(exec, name.slice(0, -':deadline'.length), op);
        if (op.isWaitForCallback()) void this.captureGate(exec, name, op);
      }
    } catch {
      // The execution completed: no further operation will start.
    }
  }

  private async captureDeadline(exec: Execution, gate: string, op: DurableOperation): Promise<void> {
    try {
      const done = await op.waitForData(WaitingOperationStatus.COMPLETED);
      const at = done.getStepDetails()?.result;
      if (typeof at === 'number') exec.deadlines.set(gate, at);
    } catch {
      /* completed without it */
    }
  }

  private async captureGate(exec: Execution, name: string, op: DurableOperation): Promise<void> {
    try {
      const submitted = await op.waitForData(WaitingOperationStatus.SUBMITTED);
      const callbackId = submitted.getCallbackDetails()?.callbackId;
      if (!callbackId || exec.done) return;
      const openedAt = Math.max(exec.virtualNow, this.opts.clock.now());
      exec.gates.set(callbackId, { runbook: exec.runbook, executionName: exec.name, name, callbackId, openedAt, deadline: exec.deadlines.get(name), op: submitted });
      this.opts.record({ at: openedAt, kind: 'approval', runbook: exec.runbook, summary: `workflow ${exec.name} waits for a human at gate "${name}"` });
      this.bump();
    } catch {
      /* completed without reaching the gate */
    }
  }

  private bump(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Quiet: every execution has completed, waits for a human, or is held at the time gate. */
  private quiet(): boolean {
    for (const e of this.executions.values()) if (!e.done && e.gates.size === 0 && !e.parked) return false;
    return true;
  }

  /** The runbook whose workflow is running the current code, if any. */
  currentRunbook(): RunbookId | undefined {
    return this.context.getStore()?.runbook;
  }

  /** The execution name of the workflow running the current code, if any (the chaos crash hook keys on it). */
  currentExecution(): string | undefined {
    return this.context.getStore()?.name;
  }

  // ---- simulated time ----------------------------------------------------------------

  /** The clock handlers and workflows see: inside a workflow, its own (possibly later) time. */
  clock(): WorkflowClock {
    const shared = this.opts.clock;
    return {
      now: () => {
        const e = this.context.getStore();
        return e && e.virtualNow > shared.now() ? e.virtualNow : shared.now();
      },
      advanceTo: (epochMs: number) => {
        const e = this.context.getStore();
        if (e) e.virtualNow = Math.max(e.virtualNow, epochMs);
        else shared.advanceTo(epochMs);
      },
    };
  }

  /** Holds the calling workflow until the shared clock reaches its time (no-op outside workflows). */
  async holdUntilItsTime(): Promise<void> {
    const e = this.context.getStore();
    if (!e || e.done || e.virtualNow <= this.opts.clock.now()) return;
    await new Promise<void>((resolve) => {
      // Calls made in parallel (Promise.all) wait together.
      if (e.parked) e.parked.waiting.push(resolve);
      else e.parked = { until: e.virtualNow, waiting: [resolve] };
      this.bump();
    });
  }

  /** Earliest time a held workflow waits for. */
  earliestWake(): number | undefined {
    let best: number | undefined;
    for (const e of this.executions.values()) if (e.parked && (best === undefined || e.parked.until < best)) best = e.parked.until;
    return best;
  }

  /** Lets every workflow held for a time at or before the shared clock's now continue. */
  releaseDue(): void {
    const now = this.opts.clock.now();
    for (const e of this.executions.values()) {
      if (e.parked && e.parked.until <= now) {
        const { waiting } = e.parked;
        e.parked = undefined;
        for (const release of waiting) release();
      }
    }
  }

  /** An SDK middleware: AWS and state-table calls made by a workflow wait at the time gate. */
  timeGatePlugin(): Pluggable<any, any> {
    return {
      applyToStack: (stack) => {
        stack.add(
          (next) => async (args) => {
            await this.holdUntilItsTime();
            return next(args);
          },
          { step: 'initialize', priority: 'high', name: 'drillTimeGate' },
        );
      },
    };
  }

  /** Waits until quiet. Rejects after `realTimeoutMs` of real time (a workflow stuck outside the simulation). */
  async settle(realTimeoutMs: number): Promise<void> {
    const deadline = realNow() + realTimeoutMs;
    while (!this.quiet()) {
      const left = deadline - realNow();
      if (left <= 0) {
        const stuck = [...this.executions.values()].filter((e) => !e.done && e.gates.size === 0 && !e.parked).map((e) => e.name);
        throw new Error(`durable workflow(s) did not settle within ${realTimeoutMs} ms of real time: ${stuck.join(', ')}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.changed(), new Promise<void>((resolve) => (timer = realSetTimeout(resolve, Math.min(left, 250))))]);
      if (timer) realClearTimeout(timer);
    }
  }

  gates(): BlockedGate[] {
    const out: BlockedGate[] = [];
    for (const e of this.executions.values()) for (const g of e.gates.values()) out.push({ ...g, deadline: g.deadline ?? e.deadlines.get(g.name) });
    return out;
  }

  async answer(gate: BlockedGate, outcome: 'APPROVED' | 'REJECTED', by: string, note?: string): Promise<void> {
    this.release(gate);
    if (outcome === 'APPROVED') await gate.op.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by, ...(note ? { note } : {}) }));
    else await gate.op.sendCallbackFailure({ ErrorType: 'Rejected', ErrorMessage: `rejected by ${by}${note ? `: ${note}` : ''}` });
  }

  /** Times the gate out (the workflow sees CallbackTimeoutError). */
  async expire(gate: BlockedGate): Promise<void> {
    this.release(gate);
    const decoded = decodeCallbackId(gate.callbackId);
    const client = checkpointClient();
    if (decoded && client) {
      await client.updateCheckpointData({
        executionId: decoded.executionId,
        operationId: decoded.operationId,
        operationData: { Status: 'TIMED_OUT' },
        error: { ErrorMessage: 'Callback timed out' },
      });
      return;
    }
    // Runner internals changed: the closest the public API allows (the workflow sees a rejection).
    await gate.op.sendCallbackFailure({ ErrorType: 'CallbackTimeoutError', ErrorMessage: 'Callback timed out (drill: no answer before the deadline)' });
  }

  /** The gate is answered (also by a callback that reached the simulated Lambda API). */
  release(gate: BlockedGate): void {
    for (const e of this.executions.values()) e.gates.delete(gate.callbackId);
  }

  /** Executions that failed or crashed (a workflow must never end in an unhandled error). */
  failures(): { runbook: RunbookId; name: string; failure: string }[] {
    return [...this.executions.values()].filter((e) => e.failure).map((e) => ({ runbook: e.runbook, name: e.name, failure: e.failure ?? '' }));
  }

  running(): string[] {
    return [...this.executions.values()].filter((e) => !e.done).map((e) => e.name);
  }
}

function summarize(value: unknown): string {
  const text = JSON.stringify(value) ?? 'no result';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function decodeCallbackId(callbackId: string): { executionId: string; operationId: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(callbackId, 'base64').toString('utf8')) as { executionId?: unknown; operationId?: unknown };
    return typeof v.executionId === 'string' && typeof v.operationId === 'string' ? { executionId: v.executionId, operationId: v.operationId } : undefined;
  } catch {
    return undefined;
  }
}

function checkpointClient(): CheckpointClient | undefined {
  const factory = (LocalDurableTestRunner as unknown as { createCheckpointApiClient?: () => CheckpointClient }).createCheckpointApiClient;
  if (typeof factory !== 'function') return undefined;
  const client = factory.call(LocalDurableTestRunner);
  return typeof client?.updateCheckpointData === 'function' ? client : undefined;
}
