/**
 * The drill engine: one scenario against a fresh simulated region, a fresh state table and
 * the real runbook handlers.
 *
 * Per scenario: SimClock + SimWorld from the prepared WorldSpec; a new dynalite table;
 * createRuntime wired to the simulated region (its onCall observer feeds the timeline, one
 * entry per attempt so retries show), the drill's durable host (workflows run in
 * LocalDurableTestRunner, deduped by execution name) and the drill's bus (hand-off events
 * are routed with routeEvent and delivered to the target intakes, like EventBridge).
 * Timeline steps are delivered in time order; between steps the engine lets every workflow
 * run until it completes or parks at a human gate, which it answers from the scenario or
 * lets expire at its deadline.
 */
import { DRILL_LOG_LEVEL } from './quiet';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { preflightScheduleOf, type AutopilotConfig, type RunbookId } from '../domain/config';
import { fnv1a, type TimelineEntry } from '../domain/incident';
import type { Page } from '../domain/paging';
import type { EventBusId } from '../domain/event-patterns';
import { routeEvent } from '../runbooks/routing';
import { SimSts } from '../test/simulated-region/sts';
import { sha256Hex } from '../adapters/aws/caller-identity';
import { buildOperatorHandler, type OperatorCommand, type OperatorResult } from '../pipeline/operator-request';
import { buildScheduledPreflightHandler, type ScheduledPreflightResult } from '../pipeline/scheduled-preflight';
import { loadSample } from '../events/samples/load';
import { recordRelay } from '../pipeline/relayed-requests';
import type { ObservedCall } from '../adapters/aws/clients';
import { SimClock } from '../test/simulated-region/clock';
import type { WorkflowClock } from '../adapters/durable';
import { SimWorld } from '../test/simulated-region/world';
import { findDbInstance } from '../test/simulated-region/services/rds';
import { simClientSetup } from '../test/simulated-region/plugin';
import type { AwsEvent } from '../test/simulated-region/api';
import type { WorldChange } from '../test/simulated-region/spec';
import { AUTOPILOT_EVENT_SOURCE, deployedName, OPERATOR_FUNCTION, PREFLIGHT_FUNCTION, RUNBOOK_FUNCTIONS } from '../handlers/shared/contract';
import { type IntakeResult } from '../pipeline/intake';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { ensureStateTable, localDynamoClient } from '../test/support/dynalite';
import { DrillDurableHost, realNow, type BlockedGate } from './durable-host';
import { formatOffset, formatSeconds, parseSignedDuration } from './duration';
import type { PlannedStep, PreparedScenario } from './load';
import { intakeFactory, workflowFactory, type IntakeInvoker, type RunbookModules } from './runbooks';
import type { ApprovalStep, RequestStep } from './scenario';
import type { CallRecord, DrillEntry, ExhaustedIntake, PageRecord, MutationRecord, ScenarioRun } from './run-types';
import { isMutatingCall } from '../adapters/aws/clients';
import { setStepCrashHook } from '../adapters/durable';
import { runbooksOf } from './validate';
import { moveAlarmState } from './sample-time';
import { triggeringSeries } from './metrics';
import { functionPolicies } from '../infra/iam-policy';
import { deployedFunctions } from '../infra/functions';
import { preflightRuleName } from '../infra/preflight';

export interface DrillEnvironment {
  dynamoEndpoint: string;
  modules: RunbookModules;
  /** Real-time limit for workflows to settle between two steps (a stuck workflow fails the scenario). Default 20 s. */
  settleTimeoutMs?: number;
  /** Told about each entry as it happens (live printing). */
  onEntry?: (entry: DrillEntry) => void;
  /**
   * Chaos: every durable step of every workflow crashes once, after its side effects and
   * before its checkpoint (adapters/durable setStepCrashHook); the SDK retries it.
   */
  crashEachStepOnce?: boolean;
  /** Authorise every call against its function's role (default on; off for test-injected handler modules). */
  iam?: boolean;
}

/** Lambda retries a failed asynchronous invocation twice (then the on-failure destination). */
const ASYNC_ATTEMPTS = 3;
/** Hand-off and AWS events queued behind one another before the drill calls it a loop. */
const MAX_QUEUED_DELIVERIES = 500;

/** A scenario's workflows must be done within this much simulated time (restore approvals wait a day). */
const MAX_SIMULATED_MS = 7 * 24 * 3600 * 1000;

let tableSeq = 0;

/** The identity of the drill's on-call engineer in the simulated region's IAM. */
export const OPERATOR = 'operator (on-call engineer)';

interface QueuedEvent {
  event: Record<string, unknown>;
  origin: 'hand-off' | 'simulated region';
}

export async function runScenario(prepared: PreparedScenario, env: DrillEnvironment): Promise<ScenarioRun> {
  const wallStart = realNow();
  const { scenario, config } = prepared;
  const run: ScenarioRun = {
    prepared,
    entries: [],
    calls: [],
    pages: [],
    snsMessages: [],
    intakes: [],
    incidents: [],
    workflows: { started: 0, joined: 0 },
    mutations: [],
    exhaustedIntakes: [],
    crashedSteps: [],
    runErrors: [],
    endedAt: prepared.startMs,
    wallMs: 0,
  };
  /** The one shared simulated clock (world, intakes); workflows see it through host.clock(). */
  const shared = new SimClock(prepared.startMs);
  let clock: WorkflowClock = shared;
  const add = (entry: Omit<DrillEntry, 'at'> & { at?: number }): void => {
    const full: DrillEntry = { ...entry, at: entry.at ?? clock.now() };
    run.entries.push(full);
    env.onEntry?.(full);
  };
  const fail = (reason: string, runbook?: RunbookId): void => {
    run.runErrors.push(reason);
    add({ kind: 'error', summary: reason, runbook });
  };

  // Not runnable: say so before touching anything.
  for (const rb of runbooksOf(scenario)) {
    const why = intakeFactory(env.modules, rb);
    if (typeof why === 'string') fail(`not runnable: ${why}`, rb);
  }
  if (run.runErrors.length > 0) return finish(run, clock, wallStart);

  let world: SimWorld;
  try {
    world = SimWorld.create(prepared.world, shared);
  } catch (err) {
    fail(`the simulated world could not be built: ${err instanceof Error ? err.message : String(err)}`);
    return finish(run, clock, wallStart);
  }

  // Unique per run: jest loads this module afresh per test file in one worker (same pid, the
  // counter restarts), and a reused table hands a scenario the last run's incident (issue 13's
  // episodes then ignore the trigger as belonging to a failed-over episode).
  const tableName = `drill-${scenario.name}-${process.pid}-${randomUUID().slice(0, 8)}-${++tableSeq}`.slice(0, 255);
  await ensureStateTable(localDynamoClient(env.dynamoEndpoint), tableName);

  const queue: QueuedEvent[] = [];
  const incidentKeys = new Set<string>();
  let eventSeq = 0;
  const idPrefix = fnv1a(scenario.name);
  const nextEventId = (): string => `${idPrefix}-0000-4000-8000-${(++eventSeq).toString(16).padStart(12, '0')}`;

  /** The drill's operator is acting (a `controls` step): their calls are not a function's. */
  const operatorActs = new AsyncLocalStorage<boolean>();
  /** Which runbook's intake is running the current code (for attributing its AWS calls). */
  const intakeRunbook = new AsyncLocalStorage<RunbookId>();
  /** The operator-request function is running the current code (its calls are authorised by its own role). */
  const operatorFunctionActs = new AsyncLocalStorage<boolean>();
  /** The scheduled preflight is running the current code (a `schedule` step: its own role). */
  const preflightActs = new AsyncLocalStorage<boolean>();
  const onCall = (call: ObservedCall): void => {
    if (call.service === 'DynamoDB') return; // the state table: bookkeeping, not the incident
    const record: CallRecord = { at: clock.now(), service: call.service, operation: call.operation, region: call.region, attempt: call.attempt, error: call.error, mutating: call.mutating };
    run.calls.push(record);
    const retry = call.attempt > 1 ? ` [retry, attempt ${call.attempt}]` : '';
    const outcome = call.error ? ` -> ${call.error}` : '';
    add({
      kind: 'aws-call',
      runbook: host.currentRunbook() ?? intakeRunbook.getStore(),
      summary: `${call.service}.${call.operation} (${call.region})${retry}${outcome}${call.mutating && !call.error ? ' [mutation]' : ''}`,
      service: call.service,
      operation: call.operation,
      region: call.region,
      attempt: call.attempt,
      error: call.error,
      mutating: call.mutating,
    });
  };

  const sink = (incidentKey: string, entry: TimelineEntry): void => {
    incidentKeys.add(incidentKey);
    // AWS calls come from the client observer and pages from the pager wrapper (one entry each, not two).
    if (entry.kind === 'aws-call' || entry.kind === 'page') return;
    add({
      at: entry.at,
      kind: entry.kind,
      summary: entry.summary,
      runbook: entry.runbook,
      incidentKey,
      severity: entry.severity,
      verdict: entry.verdict ? { guardrail: entry.verdict.guardrail, pass: entry.verdict.pass, reason: entry.verdict.reason } : undefined,
    });
  };

  const host = new DrillDurableHost({
    workflowFor: (rb) => {
      const factory = workflowFactory(env.modules, rb);
      return typeof factory === 'string' ? factory : factory(getRuntime);
    },
    clock: shared,
    record: (e) => add({ at: e.at, kind: e.kind, summary: e.summary, runbook: e.runbook }),
  });
  clock = host.clock();
  if (env.crashEachStepOnce) {
    // Keyed by execution and step: each step crashes on its first attempt only, so its retry must find its own work done.
    const crashed = new Set<string>();
    setStepCrashHook((stepName) => {
      const key = `${host.currentExecution() ?? 'outside-workflow'}/${stepName}`;
      if (crashed.has(key)) return;
      crashed.add(key);
      run.crashedSteps?.push(key);
      add({ kind: 'note', runbook: host.currentRunbook(), summary: `chaos: ${key} crashes after its side effects, before its checkpoint` });
      throw new Error(`chaos: crash after step ${stepName}, before its checkpoint`);
    });
  }

  // IAM on: each call is authorised against the role of the function making it (the workflow the
  // running code belongs to, else the intake being invoked), built from infra/permissions.ts like the template.
  const policies = functionPolicies(config, { account: world.account, region: config.primaryRegion, tableName });
  // The on-call engineer (the scenario's `controls` steps) acts with their own, administrator, credentials.
  policies.set(OPERATOR, [{ Sid: 'OnCallAdministrator', Effect: 'Allow', Action: ['*'], Resource: ['*'] }]);
  if (env.iam !== false) world.setIam({
    policies,
    // Each function's role is named like the function (infra/functions.ts): IAM SimulatePrincipalPolicy finds it by that name.
    roleName: (fn) => deployedName(config.stage, fn),
    caller: () => {
      if (operatorActs.getStore()) return OPERATOR;
      if (preflightActs.getStore()) return PREFLIGHT_FUNCTION.key;
      const workflow = host.currentRunbook();
      if (workflow !== undefined) return RUNBOOK_FUNCTIONS[workflow].workflow;
      const intake = intakeRunbook.getStore();
      if (intake !== undefined) return RUNBOOK_FUNCTIONS[intake].intake;
      return operatorFunctionActs.getStore() ? OPERATOR_FUNCTION.key : undefined;
    },
  });

  const base = createRuntime({
    config,
    clock,
    tableName,
    dynamoEndpoint: env.dynamoEndpoint,
    // The stage's own region (a standby stage runs in the secondary region: issue 15).
    homeRegion: config.deployment.region,
    clientSetup: simClientSetup(world, { onCall, plugins: [host.timeGatePlugin()] }),
    sinks: [sink],
    logger: new Logger({ serviceName: 'runbook-autopilot-drill', logLevel: DRILL_LOG_LEVEL }),
    // A workflow starting another or emitting a hand-off does so at its own time, like its AWS calls.
    workflowStarter: async (runbook, executionName, input) => {
      await host.holdUntilItsTime();
      return host.start(runbook, executionName, input);
    },
    eventEmitter: async (detailType, detail) => {
      await host.holdUntilItsTime();
      const event = {
        version: '0',
        id: nextEventId(),
        'detail-type': detailType,
        source: AUTOPILOT_EVENT_SOURCE,
        account: config.accountIds[0] ?? world.account,
        time: eventTime(clock.now()),
        region: config.primaryRegion,
        resources: [],
        detail,
      };
      add({ kind: 'event', summary: `hand-off emitted: ${detailType}` });
      queue.push({ event, origin: 'hand-off' });
    },
    // Every page, the runtime's own (the circuit breaker's P1) included, is recorded.
    wrapPager: (inner) => ({
      async send(page: Page): Promise<void> {
        incidentKeys.add(page.incidentKey);
        const record: PageRecord = { at: clock.now(), page };
        run.pages.push(record);
        add({ kind: 'page', summary: pageSummary(page), runbook: page.runbook, incidentKey: page.incidentKey, severity: page.severity });
        await inner.send(page);
        record.published = true;
      },
    }),
  });
  const runtime: Runtime = base;
  function getRuntime(): Runtime {
    return runtime;
  }

  // Lambda Invoke with DurableExecutionName / callback sends that reach the simulated region land in the same host.
  world.setDurableHost(
    (functionName, executionName, payload) => host.start(runbookOfFunction(functionName), executionName, payload),
    {
      success: async (callbackId, result) => {
        const gate = host.gates().find((g) => g.callbackId === callbackId);
        if (gate) host.release(gate);
        if (gate) await gate.op.sendCallbackSuccess(result);
      },
      failure: async (callbackId, error) => {
        const gate = host.gates().find((g) => g.callbackId === callbackId);
        if (gate) host.release(gate);
        if (gate) await gate.op.sendCallbackFailure({ ErrorType: error?.errorType, ErrorMessage: error?.errorMessage, ErrorData: error?.errorData });
      },
      executionArn: (callbackId) => {
        const gate = host.gates().find((g) => g.callbackId === callbackId);
        const fn = gate && deployedFunctions(config.stage).find((f) => f.kind === 'workflow' && f.runbook === gate.runbook);
        // The drill's workflows run as version 1 of their function (invoked through the alias).
        return gate && fn ? `arn:aws:lambda:${config.primaryRegion}:${world.account}:function:${fn.name}:1/durable-execution/${gate.executionName}/${fnv1a(gate.executionName)}` : undefined;
      },
    },
  );
  world.onAwsEvent((event: AwsEvent) => {
    if (scenario.awsEvents === 'ignore') {
      add({ at: Date.parse(event.time) || clock.now(), kind: 'world', summary: `simulated region emitted ${describeEvent(event as unknown as Record<string, unknown>)} (not delivered: awsEvents ignore)` });
      return;
    }
    queue.push({ event: event as unknown as Record<string, unknown>, origin: 'simulated region' });
  });

  const intakes = new Map<RunbookId, IntakeInvoker>();
  const intakeOf = (rb: RunbookId): IntakeInvoker | string => {
    const hit = intakes.get(rb);
    if (hit) return hit;
    const factory = intakeFactory(env.modules, rb);
    if (typeof factory === 'string') return factory;
    const built = factory(getRuntime);
    intakes.set(rb, built);
    return built;
  };

  async function deliver(event: Record<string, unknown>, label: string, explicit?: RunbookId[], bus: EventBusId = 'default'): Promise<void> {
    run.firstEventAt ??= clock.now();
    run.deliveries = (run.deliveries ?? 0) + 1;
    const targets = explicit ?? safeRoute(event, bus);
    const onBus = bus === 'private' ? ' [private bus]' : '';
    const where = explicit ? `delivered to ${explicit.join(', ')} (deliverTo)` : targets.length > 0 ? `-> ${targets.join(', ')}${onBus}` : `-> no rule matches${onBus} (not delivered)`;
    add({ kind: 'event', summary: `${label}${describeEvent(event)} ${where}` });
    for (const rb of targets) {
      const intake = intakeOf(rb);
      if (typeof intake === 'string') {
        fail(`not runnable: ${intake}`, rb);
        continue;
      }
      for (let attempt = 1; attempt <= ASYNC_ATTEMPTS; attempt++) {
        try {
          const context = lambdaContext(rb, config.primaryRegion, config.accountIds[0] ?? world.account, eventSeq);
          const result = await intakeRunbook.run(rb, () => intake(structuredClone(event), context));
          run.intakes.push({ at: clock.now(), runbook: rb, result });
          if (result.incidentKey) incidentKeys.add(result.incidentKey);
          add({ kind: 'intake', runbook: rb, incidentKey: result.incidentKey, summary: intakeSummary(rb, result) });
          break;
        } catch (err) {
          const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          if (attempt < ASYNC_ATTEMPTS) {
            add({ kind: 'error', runbook: rb, summary: `${rb} intake threw ${text}; Lambda retries the asynchronous invocation (attempt ${attempt + 1}/${ASYNC_ATTEMPTS})` });
          } else {
            const exhausted: ExhaustedIntake = { at: clock.now(), runbook: rb, event: describeEvent(event), error: text };
            run.exhaustedIntakes?.push(exhausted);
            fail(`${rb} intake threw ${text} on all ${ASYNC_ATTEMPTS} attempts: the event goes to the on-failure destination`, rb);
          }
        }
      }
    }
  }

  function safeRoute(event: Record<string, unknown>, bus: EventBusId): RunbookId[] {
    try {
      return routeEvent(config, event, bus);
    } catch (err) {
      fail(`routeEvent threw on ${describeEvent(event)}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }

  // People: the operator-request function, with proofs signed by the simulated STS.
  const sts = new SimSts(() => shared.now());
  const operatorHandler = buildOperatorHandler(getRuntime, () => ({ verifier: sts }));
  async function operatorCall(as: string, command: OperatorCommand): Promise<OperatorCallResult> {
    run.firstEventAt ??= clock.now();
    const headers = await sts.sign(as, config.primaryRegion, sha256Hex(JSON.stringify(command)));
    try {
      return await operatorFunctionActs.run(true, () => operatorHandler({ command, proof: { headers } }));
    } catch (err) {
      fail(`operator-request threw: ${err instanceof Error ? err.message : String(err)}`);
      return { status: 'threw', reason: err instanceof Error ? err.message : String(err) };
    }
  }

  // The scheduled readiness check, as its schedule rule invokes it (a `schedule` step).
  const preflightHandler = buildScheduledPreflightHandler(getRuntime, () => ({ tableName }));
  async function schedule(label: string): Promise<void> {
    run.deliveries = (run.deliveries ?? 0) + 1;
    const region = config.deployment.region;
    const account = config.accountIds[0] ?? world.account;
    const rule = preflightRuleName(config.stage);
    const event = { ...loadSample('scheduled-preflight'), id: nextEventId(), time: eventTime(clock.now()), region, account, resources: [`arn:aws:events:${region}:${account}:rule/${rule}`] };
    add({ kind: 'event', summary: `Scheduled Event of rule ${rule} (${preflightScheduleOf(config)}) -> ${PREFLIGHT_FUNCTION.key}${label}` });
    for (let attempt = 1; attempt <= ASYNC_ATTEMPTS; attempt++) {
      let result: ScheduledPreflightResult;
      try {
        result = await preflightActs.run(true, () => preflightHandler(structuredClone(event), preflightContext(region, account, eventSeq)));
      } catch (err) {
        const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (attempt < ASYNC_ATTEMPTS) add({ kind: 'error', summary: `${PREFLIGHT_FUNCTION.key} threw ${text}; Lambda retries the asynchronous invocation (attempt ${attempt + 1}/${ASYNC_ATTEMPTS})` });
        else fail(`${PREFLIGHT_FUNCTION.key} threw ${text} on all ${ASYNC_ATTEMPTS} attempts: the event goes to the on-failure destination`);
        continue;
      }
      if (result.status === 'rejected') {
        add({ kind: 'intake', summary: `${PREFLIGHT_FUNCTION.key}: rejected - ${result.reason}` });
        return;
      }
      for (const r of result.results) {
        add({ kind: 'decision', runbook: r.runbook, summary: r.ready ? `readiness: ${r.runbook} READY` : `readiness: ${r.runbook} NOT READY: ${r.failed.join('; ')}` });
      }
      return;
    }
  }

  const settleTimeout = env.settleTimeoutMs ?? 20_000;
  const approvals = prepared.plan.filter((p): p is PlannedStep & { step: ApprovalStep } => p.step.type === 'approve' || p.step.type === 'reject');
  const answered = new Set<PlannedStep>();
  /** An answer the scenario will still give to this gate, no later than its deadline. */
  const answerFor = (gate: BlockedGate): (PlannedStep & { step: ApprovalStep }) | undefined =>
    approvals.find((a) => !answered.has(a) && (a.step.callback === gate.name || a.step.callback === '*') && (gate.deadline === undefined || a.at <= gate.deadline));

  /**
   * Delivers queued events and lets workflows run until everything is quiet, moving the
   * shared clock to the next workflow wake-up or gate deadline, as long as that comes
   * before `until` (the next timeline step, which goes first on a tie).
   */
  async function drain(until: number): Promise<void> {
    for (let deliveries = 0; ; ) {
      const next = queue.shift();
      if (next) {
        if (++deliveries > MAX_QUEUED_DELIVERIES) {
          fail(`more than ${MAX_QUEUED_DELIVERIES} follow-up deliveries before the next timeline step: an event loop between runbooks?`);
          queue.length = 0;
          return;
        }
        const emitted = Date.parse(String(next.event.time));
        const when = Number.isFinite(emitted) && shared.now() - emitted >= 1000 ? ` (emitted at ${formatOffset(emitted - prepared.startMs)})` : '';
        // Hand-offs and relayed operator requests travel on the private bus; AWS's events on the default bus.
        await deliver(next.event, next.origin === 'hand-off' ? 'hand-off ' : `from the simulated region${when}: `, undefined, next.origin === 'hand-off' ? 'private' : 'default');
        continue;
      }
      try {
        await host.settle(settleTimeout);
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
        return;
      }
      if (queue.length > 0) continue;
      const gates = host.gates();
      // A gate the workflow reached at its own later time opens when the shared clock gets there.
      const opening = Math.min(...gates.map((g) => g.openedAt).filter((t) => t > shared.now()));
      const wake = Math.min(host.earliestWake() ?? Number.POSITIVE_INFINITY, opening);
      const expiring = gates
        .filter((g) => !answerFor(g))
        .sort((a, b) => (a.deadline ?? Infinity) - (b.deadline ?? Infinity))[0];
      const deadline = expiring ? (expiring.deadline ?? (until === Number.POSITIVE_INFINITY ? shared.now() : Number.POSITIVE_INFINITY)) : Number.POSITIVE_INFINITY;
      const horizon = Math.min(wake, deadline, until);
      if (horizon === Number.POSITIVE_INFINITY) return;
      if (horizon > prepared.startMs + MAX_SIMULATED_MS && horizon !== until) {
        fail(`workflow(s) still waking up after ${formatSeconds(MAX_SIMULATED_MS / 1000)} of simulated time (${host.running().join(', ')}): a workflow that never ends?`);
        return;
      }
      // Step through the world's own transitions on the way, so the events they emit are
      // delivered at their time, before a workflow wakes up later.
      const transition = world.pending().find((t) => !t.hung && t.at > shared.now())?.at ?? Number.POSITIVE_INFINITY;
      if (transition < horizon) {
        shared.advanceTo(transition);
        continue;
      }
      if (horizon === until && until <= Math.min(wake, deadline)) return;
      shared.advanceTo(horizon);
      if (expiring && deadline <= shared.now()) {
        add({ kind: 'approval', runbook: expiring.runbook, summary: `nobody answered gate "${expiring.name}" of ${expiring.executionName}: it expires` });
        await host.expire(expiring);
      }
      host.releaseDue();
    }
  }

  try {
    if (scenario.controls) {
      const initial = scenario.controls;
      await operatorActs.run(true, () => runtime.store.setControls(initial, clock.now()));
      add({ kind: 'world', summary: `state table controls before T+0: ${describeControls(scenario.controls)}` });
    }
    for (const f of prepared.world.faults ?? []) add({ kind: 'world', summary: `fault installed: ${JSON.stringify(f)}` });
    // Guardrail history before T+0 (an earlier failover, a spent budget, a held lock).
    for (const a of scenario.history?.actions ?? []) {
      const at = clock.now() + (parseSignedDuration(a.at) ?? 0) * 1000;
      // Seeded history is the world's past, written by the drill itself (operator credentials), not by a function.
      await operatorActs.run(true, () => runtime.store.recordAction({ scope: a.scope, action: a.action, at, incidentKey: a.incidentKey, ...(a.summary !== undefined ? { summary: a.summary } : {}) }));
      add({ kind: 'world', summary: `state table history before T+0: ${a.action} on ${a.scope} at ${new Date(at).toISOString()} by ${a.incidentKey}` });
    }
    for (const l of scenario.history?.locks ?? []) {
      const at = clock.now() + (parseSignedDuration(l.at ?? 0) ?? 0) * 1000;
      await operatorActs.run(true, () => runtime.store.acquireLock(l.resource, l.owner, at, l.ttlSeconds ?? runtime.config.guardrails.lockTtlSeconds));
      add({ kind: 'world', summary: `state table history before T+0: lock on ${l.resource} held by ${l.owner}` });
    }

    for (const planned of prepared.plan) {
      await drain(planned.at);
      if (run.runErrors.some((e) => e.startsWith('durable workflow(s) did not settle'))) break;
      const lateBy = shared.now() - planned.at;
      if (lateBy <= 0) shared.advanceTo(planned.at);
      // The clock move may have fired world transitions that emitted events at or before this step.
      await drain(planned.at);
      const late = lateBy > 0 ? ` (late by ${formatSeconds(lateBy / 1000)}: a workflow had moved the clock past T+${formatSeconds((planned.at - prepared.startMs) / 1000)})` : '';
      const note = planned.step.note ? ` [${planned.step.note}]` : '';
      const lateField = lateBy > 0 ? { lateBySeconds: Math.round(lateBy / 1000) } : {};
      switch (planned.step.type) {
        case 'event': {
          if (!('event' in planned)) break;
          const event = structuredClone(planned.event);
          if (!planned.step.keepId) event.id = nextEventId();
          if (!planned.step.keepTime) stampTime(event, clock.now());
          const storm = (planned.step.repeat ?? 1) > 1 ? `[${planned.copy + 1}/${planned.step.repeat}] ` : '';
          const before = run.entries.length;
          const relayedBy = planned.step.relayedBy;
          if (relayedBy !== undefined) {
            // As the operator-request function does before its PutEvents (pipeline/relayed-requests.ts),
            // so under that function's role.
            await operatorFunctionActs.run(true, () => recordRelay(runtime.store, String(event['detail-type']), (event.detail ?? {}) as Record<string, unknown>, relayedBy, clock.now()));
          }
          await deliver(event, storm, planned.step.deliverTo, planned.step.bus ?? (planned.step.relayedBy !== undefined ? 'private' : 'default'));
          const entry = run.entries[before];
          if (entry) {
            entry.summary += `${late}${note}`;
            Object.assign(entry, lateField);
          }
          break;
        }
        case 'world': {
          add({ kind: 'world', summary: `world change: ${describeChange(planned.step.change)}${late}${note}`, ...lateField });
          try {
            world.apply(planned.step.change as unknown as WorldChange, planned.step.note);
          } catch (err) {
            fail(`world change at timeline[${planned.index}] failed: ${err instanceof Error ? err.message : String(err)}`);
          }
          break;
        }
        case 'controls': {
          const controls = planned.step.controls;
          await operatorActs.run(true, () => runtime.store.setControls(controls, clock.now()));
          add({ kind: 'world', summary: `operator sets ${describeControls(planned.step.controls)}${late}${note}`, ...lateField });
          break;
        }
        case 'approve':
        case 'reject': {
          const step = planned.step;
          answered.add(planned);
          const gate = host.gates().find((g) => g.openedAt <= shared.now() && (step.callback === '*' || g.name === step.callback));
          const by = step.by ?? 'drill-operator';
          if (!gate) {
            add({ kind: 'approval', summary: `${step.type} "${step.callback}" by ${by}: no workflow waits at that gate${late}${note}`, ...lateField });
            break;
          }
          if (step.as !== undefined) {
            // As `autopilot approve` does: through the operator-request function, signed as `as`.
            const command: OperatorCommand = { action: step.type, incidentKey: gate.executionName, callbackId: gate.callbackId, ...(step.note ? { note: step.note } : {}) };
            const result = await operatorCall(step.as, command);
            add({ kind: 'approval', runbook: gate.runbook, summary: `${step.as} ${step.type === 'approve' ? 'APPROVES' : 'REJECTS'} gate "${gate.name}" of ${gate.executionName} via the operator-request function: ${describeOperatorResult(result)}${late}${note}`, ...lateField });
            if (result.status === 'refused' || result.status === 'threw') answered.delete(planned);
            break;
          }
          add({ kind: 'approval', runbook: gate.runbook, summary: `${by} ${step.type === 'approve' ? 'APPROVES' : 'REJECTS'} gate "${gate.name}" of ${gate.executionName}${late}${note}`, ...lateField });
          await host.answer(gate, step.type === 'approve' ? 'APPROVED' : 'REJECTED', by, step.note);
          break;
        }
        case 'schedule':
          await schedule(`${late}${note}`);
          break;
        case 'request': {
          const step: RequestStep = planned.step;
          const result = await operatorCall(step.as, { action: 'request', detailType: step.detailType, detail: step.detail });
          add({ kind: 'event', summary: `${step.as} asks (autopilot request): ${step.detailType} -> ${describeOperatorResult(result)}${late}${note}`, ...lateField });
          break;
        }
      }
    }
    await drain(Number.POSITIVE_INFINITY);
  } catch (err) {
    fail(`the drill crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  if (env.crashEachStepOnce) setStepCrashHook(undefined);
  run.mutations = world.calls
    .filter((c) => c.outcome === 'ok' && c.service !== 'DynamoDB' && isMutatingCall(c.service, c.operation))
    .map((c): MutationRecord => ({ at: c.at, service: c.service, operation: c.operation, region: c.region, input: c.input }));
  for (const f of host.failures()) if (!run.runErrors.some((e) => e.includes(f.name))) run.runErrors.push(`workflow ${f.name} (${f.runbook}) failed: ${f.failure}`);
  const stillRunning = host.running();
  if (stillRunning.length > 0) add({ kind: 'note', summary: `still running at the end of the drill: ${stillRunning.join(', ')}` });
  // Every scenario proves the permissions too: a denied call fails it.
  world.setIam(undefined);
  run.authorizations = world.authorizations;
  for (const a of world.authorizations) {
    for (const d of a.decisions.filter((x) => !x.allowed)) fail(`AccessDenied: ${a.caller ?? 'a call outside any function'} may not ${d.action} on ${d.resource} (${a.service}.${a.operation})`);
  }
  for (const c of world.unknownOperations()) {
    fail(`${c.service}.${c.operation} (${c.region}) is not implemented by the simulated region: ${c.errorMessage ?? c.error ?? 'unknown operation'}`);
  }
  run.workflows = { started: host.started, joined: host.joined };
  run.snsMessages = world.snsOutbox.map((m) => ({ at: m.at, topicArn: m.topicArn, subject: m.subject, message: m.message }));
  run.metrics = [...world.regions].flatMap(([region, r]) => r.cloudwatch.published.map((d) => ({ ...d, region })));
  for (const key of incidentKeys) {
    try {
      const rec = await runtime.store.loadIncident(key);
      if (rec) run.incidents.push(rec);
    } catch (err) {
      fail(`incident ${key} could not be loaded from the state table: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  run.incidents.sort((a, b) => a.detectedAt - b.detectedAt);
  run.triggerSeries = triggeringSeries(world, clock.now());
  recordFailoverTiming(run, world, prepared.config, add);
  return finish(run, clock, wallStart);
}

/** The failover's time after the replica became available (ground truth from the simulated region). */
function recordFailoverTiming(run: ScenarioRun, world: SimWorld, config: AutopilotConfig, add: (e: Omit<DrillEntry, 'at'> & { at?: number }) => void): void {
  const replicaAvailableAt = findDbInstance(world, config.database.replicaRegion, config.database.replicaInstanceId)?.promotedAt;
  const mitigatedAt = run.incidents.find((i) => i.runbook === 'database-failover' && i.mitigatedAt !== undefined)?.mitigatedAt;
  if (replicaAvailableAt === undefined || mitigatedAt === undefined) return;
  const secondsAfterReplicaAvailable = Math.round((mitigatedAt - replicaAvailableAt) / 1000);
  run.failover = { replicaAvailableAt, mitigatedAt, secondsAfterReplicaAvailable };
  add({ at: mitigatedAt, kind: 'note', runbook: 'database-failover', summary: `failover: mitigated ${secondsAfterReplicaAvailable}s after the promoted replica became available` });
}

function finish(run: ScenarioRun, clock: WorkflowClock, wallStart: number): ScenarioRun {
  run.entries.sort((a, b) => a.at - b.at);
  run.endedAt = clock.now();
  run.wallMs = Math.round(realNow() - wallStart);
  return run;
}

function runbookOfFunction(functionName: string): RunbookId {
  const entry = Object.entries(RUNBOOK_FUNCTIONS).find(([, f]) => f.workflow && functionName.includes(f.workflow));
  if (!entry) throw new Error(`no runbook workflow is deployed as ${functionName}`);
  return entry[0] as RunbookId;
}

/** EventBridge's envelope time format (seconds precision). */
export function eventTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** CloudWatch's alarm state timestamp format: 2026-01-15T03:00:00.000+0000. */
function alarmTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * The envelope time (and an alarm's state timestamps) become the simulated delivery time;
 * the dates in the states' reason texts move with them (drill/sample-time.ts).
 */
export function stampTime(event: Record<string, unknown>, ms: number): void {
  event.time = eventTime(ms);
  const detail = event.detail as Record<string, unknown> | undefined;
  const state = detail?.state as Record<string, unknown> | undefined;
  if (state && typeof state.timestamp === 'string') moveAlarmState(state, ms, alarmTimestamp);
  const previous = detail?.previousState as Record<string, unknown> | undefined;
  if (previous && typeof previous.timestamp === 'string') moveAlarmState(previous, ms - 300_000, alarmTimestamp);
}

/** What the drill saw of an operator call: the function's result, or that it threw (the drill has failed then). */
type OperatorCallResult = OperatorResult | { status: 'threw'; reason: string };

export function describeOperatorResult(result: OperatorCallResult): string {
  if (result.status === 'relayed') return `relayed to the private bus as requested by ${result.requestedBy}`;
  if (result.status === 'answered') return `${result.outcome} sent as the durable callback, by ${result.by}`;
  if (result.status === 'threw') return `THREW: ${result.reason}`;
  return `REFUSED ${result.code}: ${result.reason}`;
}

export function describeEvent(event: Record<string, unknown>): string {
  const type = String(event['detail-type'] ?? event.source ?? 'event');
  const d = (event.detail ?? {}) as Record<string, unknown>;
  const state = (d.state as Record<string, unknown> | undefined)?.value;
  const bits = [
    d.alarmName,
    typeof state === 'string' ? state : undefined,
    d.EventID,
    d.SourceIdentifier,
    d.eventName,
    d.state && typeof d.state === 'string' ? d.state : undefined,
    d.deploymentId,
  ].filter((b): b is string => typeof b === 'string');
  const account = typeof event.account === 'string' ? ` account ${event.account}` : '';
  return `${type}${bits.length ? ` ${bits.join(' ')}` : ''}${account}`;
}

function describeChange(change: Record<string, unknown>): string {
  const { kind, ...rest } = change;
  return `${String(kind)} ${JSON.stringify(rest)}`;
}

function describeControls(c: { killSwitch?: boolean; dryRun?: boolean; setBy?: string; reason?: string }): string {
  const parts: string[] = [];
  if (c.killSwitch !== undefined) parts.push(`kill switch ${c.killSwitch ? 'ON' : 'off'}`);
  if (c.dryRun !== undefined) parts.push(`dry-run ${c.dryRun ? 'ON' : 'off'}`);
  if (c.setBy) parts.push(`by ${c.setBy}`);
  if (c.reason) parts.push(`(${c.reason})`);
  return parts.join(' ');
}

function pageSummary(page: Page): string {
  const refused = page.refused.length > 0 ? ` refused: ${page.refused.map((r) => `${r.action} (${r.guardrail}: ${r.reason})`).join('; ')}` : '';
  const approval = page.approval ? ' [asks for approval]' : '';
  return `${page.severity} ${page.action} "${page.title}"${approval}${refused}`;
}

function intakeSummary(rb: RunbookId, r: IntakeResult): string {
  return `${rb} intake: ${r.status}${r.field ? ` at ${r.field}` : ''}${r.reason ? ` - ${r.reason}` : ''}`;
}

function preflightContext(region: string, account: string, seq: number): Context {
  const name = `runbook-autopilot-drill-${PREFLIGHT_FUNCTION.key}`;
  return { ...lambdaContext('database-failover', region, account, seq), functionName: name, invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${name}`, awsRequestId: `drill-preflight-${seq}`, logGroupName: `/aws/lambda/${name}`, getRemainingTimeInMillis: () => 300_000 };
}

function lambdaContext(rb: RunbookId, region: string, account: string, seq: number): Context {
  const name = `runbook-autopilot-drill-${RUNBOOK_FUNCTIONS[rb].intake}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: `drill-${rb}-${seq}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'drill',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

