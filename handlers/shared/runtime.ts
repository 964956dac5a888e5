/**
 * Wiring: the Runtime every handler receives (runtime-types.ts), built once per container
 * in production (productionRuntime) or per scenario by the drill (createRuntime with the
 * simulated region's ClientSetup and a simulated clock), and the intake wrapper
 * (intakeHandler: middy + Powertools logger) every runbook's EventBridge target uses.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import type { AutopilotConfig, RunbookId, Severity } from '../../domain/config';
import { RUNBOOKS } from '../../domain/config';
import { openIncident, type TimelineEntry } from '../../domain/incident';
import { redactDeep, redactingJsonReplacer, redactSecrets } from '../../domain/redact';
import { preemptedPage } from '../../domain/arbiter';
import { circuitOpenKey, circuitOpenPage, runbookOfIncidentKey, type CircuitOpenEvent } from '../../domain/circuit-breaker';
import { controlsAnomalyKey, controlsAnomalyPage, type ControlsAnomalyEvent } from '../../domain/controls';
import { quoteUntrusted } from '../../domain/untrusted-text';
import type { Clock, GuardrailStore, Pager } from '../../domain/ports';
import type { Page } from '../../domain/paging';
import { AwsRegions, type ClientSetup, type ObservedCall } from '../../adapters/aws/clients';
// The clients the runtime itself uses (state table, pages, workflow starts, hand-offs).
import '../../adapters/aws/sdk/dynamodb';
import '../../adapters/aws/sdk/lambda';
import '../../adapters/aws/sdk/sns';
import type { WorkflowClock } from '../../adapters/durable';
import { DynamoGuardrailStore } from '../../adapters/dynamo/guardrail-store';
import { Actuator } from '../../adapters/runtime/actuator';
import { IncidentSession, type EntrySink } from '../../adapters/runtime/incident-session';
import { SnsPager, regionOfArn } from '../../adapters/sns/pager';
import { SystemClock } from '../../adapters/system-clock';
import { FieldRejection, type Rejection } from '../../events/fields';
import { configFromValue } from '../../config/load';
import { stampPage, type ModeReading } from '../../domain/modes';
import { chatbotConfigured } from '../../domain/features';
import { DynamoModeReader } from '../../adapters/dynamo/mode-reader';
import { AUTOPILOT_EVENT_SOURCE, ENV } from './contract';
import type { Runtime } from './runtime-types';

export const SERVICE_NAME = 'runbook-autopilot';

/**
 * Every logger of the autopilot redacts as it writes (domain/redact.ts): secret-like field
 * names, credentials in URLs and key=value text, task-definition environments (names only),
 * at every level.
 */
export function createAutopilotLogger(options: ConstructorParameters<typeof Logger>[0] = {}): Logger {
  return new Logger({ serviceName: SERVICE_NAME, ...options, jsonReplacerFn: redactingJsonReplacer });
}

/** The logger of the deployed functions; injectLambdaContext adds the Lambda context to it. */
export const autopilotLogger = createAutopilotLogger();

export type WorkflowStarter = (runbook: RunbookId, executionName: string, input: unknown) => Promise<'started' | 'joined'>;
export type HandoffEmitter = (detailType: string, detail: Record<string, unknown>) => Promise<void>;

export interface RuntimeOptions {
  config: AutopilotConfig;
  clock: WorkflowClock;
  /** State table (GuardrailStore). */
  tableName: string;
  /** Production: onCall logger only. Drill: the simulated region's plugins, credentials, retry strategy, onCall. */
  clientSetup?: ClientSetup;
  /** dynalite locally; overrides clientSetup.dynamoEndpoint. */
  dynamoEndpoint?: string;
  /** Region the autopilot runs in: state table, event bus, page context. Default config.primaryRegion. */
  homeRegion?: string;
  sinks?: EntrySink[];
  logger?: Logger;
  /** RunbookId -> qualified (alias) ARN of its durable workflow (ENV.workflowArns in production). */
  workflowArns?: Partial<Record<RunbookId, string>>;
  /** Bus for hand-off events (ENV.eventBus); default 'default'. */
  eventBusName?: string;
  /** Replaces the Lambda Invoke dispatcher (the drill starts workflows in its local runner). */
  workflowStarter?: WorkflowStarter;
  /** Replaces EventBridge PutEvents (the drill delivers hand-offs itself). */
  eventEmitter?: HandoffEmitter;
  /** Wraps the SNS pager (the drill records every page, the runtime's own P1 included). */
  wrapPager?: (pager: Pager) => Pager;
}

/** The controls-unreadable P1 is sent once per distinct anomaly set in this long. */
const CONTROLS_PAGE_CLAIM_TTL_SECONDS = 24 * 3600;

/** What the production hand-off emitter needs from the runtime. */
export interface HandoffTarget {
  aws: AwsRegions;
  region: string;
  eventBusName: string;
  source: string;
}

/**
 * The production hand-off emitter (EventBridge PutEvents), registered by handlers/shared/handoff.ts.
 * Only the entry modules that hand off import it: a workflow never does, so its bundle does not
 * carry the EventBridge client (bundle size goal).
 */
let eventBridgeEmitter: ((target: HandoffTarget) => HandoffEmitter) | undefined;

export function registerHandoffEmitter(factory: (target: HandoffTarget) => HandoffEmitter): void {
  eventBridgeEmitter = factory;
}

/** A duplicate start is remembered this long; Lambda keeps execution names unique on its own as well. */
const WORKFLOW_CLAIM_TTL_SECONDS = 24 * 3600;

export function createRuntime(opts: RuntimeOptions): Runtime {
  const { config, clock } = opts;
  const logger = opts.logger ?? autopilotLogger;
  const homeRegion = opts.homeRegion ?? config.primaryRegion;
  const setup: ClientSetup = { ...opts.clientSetup };
  if (opts.dynamoEndpoint) setup.dynamoEndpoint = opts.dynamoEndpoint;
  const aws = new AwsRegions(setup);

  const store = new DynamoGuardrailStore(aws.in(homeRegion).dynamodb, opts.tableName, {
    onTruncated: (key, dropped) =>
      logger.warn('incident timeline truncated to fit one DynamoDB item', { correlation_id: key, droppedAwsCalls: dropped.awsCalls, droppedOther: dropped.other }),
  });
  const accountId = config.accountIds[0] ?? '000000000000';
  const snsPager = new SnsPager((region) => aws.in(region).sns, config.paging.topics, { region: homeRegion, accountId, chatbot: chatbotConfigured(config) }, (page, routed, messageId) =>
    logger.info('page published', {
      correlation_id: page.incidentKey,
      action: page.action,
      severity: page.severity,
      topicArn: routed.topicArn,
      format: routed.format,
      subject: routed.subject,
      messageId,
    }),
  );
  const routed = resolvesWhereTriggered(snsPager, store, clock);
  // Per-runbook modes (domain/modes.ts): the config default, overridden in the controls item.
  const modeReader = new DynamoModeReader(aws.in(homeRegion).dynamodb, opts.tableName);
  const modeOf = (runbook: RunbookId): Promise<ModeReading> => modeReader.read(runbook, config);
  // Outermost, so every observer (the drill's recorder included) sees the page as sent: with its
  // mode, and worded "would" when nothing was changed (shadow, or dry-run in config or the table).
  const pager = modeStampingPager(opts.wrapPager ? opts.wrapPager(routed) : routed, modeOf, async () => config.dryRun || (await store.readControls()).dryRun);
  const actuator = new Actuator(store, clock, config, {
    modeOf,
    onCircuitOpen: async (event: CircuitOpenEvent) => {
      // One P1 per window whichever runbook asks (the dedup key also makes PagerDuty update one alert).
      const key = circuitOpenKey(event.at, event.policy.windowSeconds);
      if (!(await store.claimOnce(key, event.at, event.policy.windowSeconds))) return;
      // Every incident key starts with its runbook id (domain/incident.ts incidentKey).
      const runbook = runbookOfIncidentKey(event.proposed.incidentKey) ?? 'scale-ecs';
      logger.error('automation circuit breaker open: paging P1', { correlation_id: key, reason: event.verdict.reason, askedBy: event.proposed.incidentKey });
      await pager.send(circuitOpenPage(event, runbook, killSwitchCommand(opts.tableName, homeRegion)));
    },
    onControlsUnreadable: async (event: ControlsAnomalyEvent) => {
      // One P1 per distinct anomaly set (a day), whichever runbook and step read it.
      const key = controlsAnomalyKey(event.anomalies);
      if (!(await store.claimOnce(key, event.at, CONTROLS_PAGE_CLAIM_TTL_SECONDS))) return;
      logger.error('controls item unreadable: every switch reads as ON, paging P1', { correlation_id: key, anomalies: event.anomalies.map((a) => quoteUntrusted(a, 200)) });
      const runbook = runbookOfIncidentKey(event.incidentKey) ?? 'scale-ecs';
      await pager.send(controlsAnomalyPage(event, runbook, `autopilot controls show --table ${opts.tableName} --region ${homeRegion}`));
    },
    onPreempted: async (event) => {
      logger.warn('arbiter: preempted another runbook', { correlation_id: event.preempted.incidentKey, by: event.by.incidentKey, resource: event.preempted.resource });
      await pager.send(preemptedPage({ preempted: event.preempted, byIncidentKey: event.by.incidentKey, byAction: event.by.action, at: event.at }));
    },
  });
  const sinks = opts.sinks ?? [];
  const workflowArns = opts.workflowArns ?? {};
  const eventBusName = opts.eventBusName ?? 'default';

  const startWorkflow: WorkflowStarter =
    opts.workflowStarter ??
    (async (runbook, executionName, input) => {
      const functionArn = workflowArns[runbook];
      if (!functionArn) throw new Error(`no workflow ARN for runbook ${runbook}: set it in ${ENV.workflowArns}`);
      // Lambda answers a repeated name with the same payload with the running execution,
      // and a different payload with DurableExecutionAlreadyStartedException: either way
      // there is one execution. The claim only tells the caller whether it was first.
      // The claim does not guard the Invoke (Lambda does), so both go out together: the start
      // does not wait for a state-table round trip.
      const claiming = store.claimOnce(`workflow#${runbook}#${executionName}`, clock.now(), WORKFLOW_CLAIM_TTL_SECONDS);
      claiming.catch(() => undefined); // awaited below; an Invoke failure must not leave it unhandled
      try {
        await aws.in(regionOfArn(functionArn) ?? homeRegion).lambda.send(
          new InvokeCommand({
            FunctionName: functionArn,
            InvocationType: 'Event',
            DurableExecutionName: executionName,
            Payload: Buffer.from(JSON.stringify(input)),
          }),
        );
      } catch (err) {
        if (isAlreadyStarted(err)) return 'joined';
        throw err;
      }
      return (await claiming) ? 'started' : 'joined';
    });

  const emit: HandoffEmitter =
    opts.eventEmitter ??
    (async (detailType, detail) => {
      if (!eventBridgeEmitter) throw new Error(`no hand-off emitter in this bundle: import handlers/shared/handoff in the entry module that sends ${detailType}`);
      await eventBridgeEmitter({ aws, region: homeRegion, eventBusName, source: AUTOPILOT_EVENT_SOURCE })(detailType, detail);
    });

  return {
    config,
    clock,
    simulated: opts.clientSetup?.simulated === true,
    aws,
    store,
    pager,
    actuator,
    logger,
    sinks,
    async openSession(init) {
      // From here on every log line of this invocation carries the incident key.
      logger.appendKeys({ correlation_id: init.key });
      const [existing, mode] = await Promise.all([store.loadIncident(init.key), modeOf(init.runbook)]);
      const record = existing ?? openIncident(init);
      const session = new IncidentSession(record, clock, store, [logEntrySink(logger), ...sinks]);
      session.mode = mode.mode;
      if (mode.note) session.record({ kind: 'note', runbook: init.runbook, summary: mode.note });
      return session;
    },
    modeOf,
    startWorkflow,
    emit,
  };
}

/** The command that turns the kill switch on (README: "Kill switch and dry-run live in the state table"). */
export function killSwitchCommand(tableName: string, region: string): string {
  return (
    `aws dynamodb update-item --region ${region} --table-name ${tableName} --key '{"pk":{"S":"controls"},"sk":{"S":"controls"}}' ` +
    `--update-expression 'SET killSwitch = :on, setBy = :by, reason = :why' ` +
    `--expression-attribute-values '{":on":{"BOOL":true},":by":{"S":"'$USER'"},":why":{"S":"automation circuit breaker open"}}'`
  );
}

/** Timeline entries as structured log lines (secrets redacted), correlation id = incident key. */
export function logEntrySink(logger: Logger): EntrySink {
  return (incidentKey: string, entry: TimelineEntry) => {
    const safe = redactDeep(entry);
    const attrs = { correlation_id: incidentKey, timeline: safe };
    if (entry.kind === 'error') logger.error(safe.summary, attrs);
    else if (entry.kind === 'aws-call') logger.debug(safe.summary, attrs);
    else if (entry.kind === 'guardrail' && entry.verdict && !entry.verdict.pass) logger.warn(safe.summary, attrs);
    else logger.info(safe.summary, attrs);
  };
}

function isAlreadyStarted(err: unknown): boolean {
  return err instanceof Error && err.name === 'DurableExecutionAlreadyStartedException';
}

// ---- production ----------------------------------------------------------------------

let production: Runtime | undefined;

/** The deployed functions' runtime: built on first use, then reused by every warm invocation. */
export function productionRuntime(): Runtime {
  production ??= runtimeFromEnv(process.env, new SystemClock(), autopilotLogger);
  return production;
}

/** Reads ENV.*; a missing or invalid variable is an error naming it. */
export function runtimeFromEnv(env: NodeJS.ProcessEnv, clock: WorkflowClock, logger: Logger): Runtime {
  const config = parseConfig(required(env, ENV.config));
  const tableName = required(env, ENV.table);
  const workflowArns = parseWorkflowArns(env[ENV.workflowArns]);
  return createRuntime({
    config,
    clock,
    tableName,
    logger,
    workflowArns,
    eventBusName: env[ENV.eventBus] || undefined,
    homeRegion: env.AWS_REGION || config.primaryRegion,
    clientSetup: { onCall: callLogger(logger) },
  });
}

/** Every AWS call attempt in the log: mutating ones at info (the audit trail), the rest at debug. */
export function callLogger(logger: Logger): (call: ObservedCall) => void {
  return (call) => {
    const attrs = {
      aws: { service: call.service, operation: call.operation, region: call.region, attempt: call.attempt, durationMs: call.durationMs, error: call.error },
    };
    const message = `aws ${call.service}.${call.operation} ${call.region}${call.error ? ` failed: ${call.error}` : ''}`;
    if (call.mutating) logger.info(message, { ...attrs, input: redactDeep(call.input) });
    else if (call.error) logger.warn(message, attrs);
    else logger.debug(message, attrs);
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** Shallow shape check: the full config is generated at deploy time from config/<stage>.json. */
export function parseConfig(json: string): AutopilotConfig {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`environment variable ${ENV.config} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const v = value as Partial<AutopilotConfig> | null;
  const missing = (['stage', 'accountIds', 'primaryRegion', 'service', 'database', 'guardrails', 'paging', 'alarms'] as const).filter(
    (k) => v === null || typeof v !== 'object' || v[k] === undefined,
  );
  if (missing.length > 0) throw new Error(`environment variable ${ENV.config} lacks ${missing.join(', ')}`);
  const topics = (v as AutopilotConfig).paging.topics;
  const noTopic = (['P1', 'P2', 'P3', 'P4'] as const).filter((s) => typeof topics?.[s] !== 'string');
  if (noTopic.length > 0) throw new Error(`environment variable ${ENV.config} lacks paging.topics.${noTopic.join(', ')}`);
  // Every nested value checked like a stage file: unknown keys, wrong types, non-positive windows.
  return configFromValue(v, `environment variable ${ENV.config}`);
}

function parseWorkflowArns(json: string | undefined): Partial<Record<RunbookId, string>> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`environment variable ${ENV.workflowArns} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`environment variable ${ENV.workflowArns} must be a JSON object of runbook id -> workflow alias ARN`);
  }
  const arns: Partial<Record<RunbookId, string>> = {};
  for (const [k, arn] of Object.entries(value)) {
    if (!(RUNBOOKS as readonly string[]).includes(k)) throw new Error(`environment variable ${ENV.workflowArns}: unknown runbook ${k}`);
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw new Error(`environment variable ${ENV.workflowArns}: ${k} is not an ARN`);
    arns[k as RunbookId] = arn;
  }
  return arns;
}

// ---- intake handlers -------------------------------------------------------------------

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

export type IntakeFunction = (event: unknown, rt: Runtime) => Promise<IntakeResult>;
export type IntakeLambdaHandler = (event: unknown, context: Context) => Promise<IntakeResult>;

/**
 * An intake Lambda handler. Bad input is answered, never thrown: a rejection is logged as
 * an error naming the field and returned as { status: 'rejected' } (retrying bad input is
 * pointless; the DLQ is for delivery failures). Anything else that throws (an AWS call
 * failing, the state table unreachable) is logged and rethrown, so Lambda's retries and
 * the on-failure destination keep the event: nothing is lost.
 */
export function intakeHandler(name: string, getRuntime: () => Runtime, fn: IntakeFunction): middy.MiddyfiedHandler<unknown, IntakeResult, Error, Context> {
  const core = async (event: unknown): Promise<IntakeResult> => {
    let rt: Runtime;
    try {
      rt = getRuntime();
    } catch (err) {
      // Configuration (environment) broken: every event would fail; rethrown so none is lost.
      autopilotLogger.error(`${name}: runtime could not be built`, { error: errorForLog(err) });
      throw err;
    }
    const logger = rt.logger;
    logger.appendKeys({ handler: name, correlation_id: eventId(event) ?? 'unknown-event' });
    try {
      // A runbook that is off does nothing: its events are logged and ignored (domain/modes.ts).
      const runbook = RUNBOOKS.find((rb) => rb === name);
      const mode = runbook && rt.modeOf ? await rt.modeOf(runbook) : undefined;
      if (mode?.mode === 'off') {
        const result: IntakeResult = { status: 'ignored', reason: `runbook ${name} is off (${mode.source}): no decision, no page, no action` };
        logOutcome(logger, name, result);
        return result;
      }
      const result = await fn(event, rt);
      logOutcome(logger, name, result);
      return result;
    } catch (err) {
      if (err instanceof FieldRejection) {
        const result = rejectedBy(err.rejection);
        logOutcome(logger, name, result);
        return result;
      }
      logger.error(`${name}: failed, rethrown for retry / on-failure destination`, { error: errorForLog(err) });
      throw err;
    } finally {
      // The runtime's logger outlives the invocation (warm container, drill): do not leak keys.
      logger.removeKeys(['handler', 'correlation_id']);
    }
  };
  return middy<unknown, IntakeResult, Error, Context>(core).use(injectLambdaContext(autopilotLogger, { resetKeys: true }));
}

function logOutcome(logger: Logger, name: string, result: IntakeResult): void {
  const attrs = { outcome: result, ...(result.incidentKey ? { correlation_id: result.incidentKey } : {}) };
  if (result.status === 'rejected') {
    logger.error(`${name}: event rejected${result.field ? ` at ${result.field}` : ''}: ${redactSecrets(result.reason ?? 'no reason given')}`, attrs);
  } else {
    logger.info(`${name}: ${result.status}${result.reason ? ` - ${redactSecrets(result.reason)}` : ''}`, attrs);
  }
}

function eventId(event: unknown): string | undefined {
  const id = event !== null && typeof event === 'object' ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}

function errorForLog(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: redactSecrets(err.message), stack: err.stack ? redactSecrets(err.stack) : undefined };
  return { message: redactSecrets(String(err)) };
}

/**
 * PagerDuty applies a resolve only through the routing key (topic) that opened the alert
 * (../shared/reference/PAGERDUTY.md section 1). An incident may trigger at P2 and resolve
 * with a P4 summary: the resolve goes to every severity that was triggered for the
 * incident, remembered in the state table, and to its own severity only when nothing was.
 */
export function resolvesWhereTriggered(inner: Pager, store: GuardrailStore, clock: Clock): Pager {
  const mark = (key: string, severity: Severity): string => `paged:${key}:${severity}`;
  return {
    async send(page: Page): Promise<void> {
      if (page.action === 'trigger') {
        await inner.send(page);
        await store.markOwnChange(mark(page.incidentKey, page.severity), page.incidentKey, clock.now());
        return;
      }
      const severities = ['P1', 'P2', 'P3', 'P4'] as const;
      const marks = severities.map((severity) => mark(page.incidentKey, severity));
      // One BatchGetItem for the four marks where the store has it, else one read each.
      const found = store.ownChanges ? await store.ownChanges(marks) : new Set(await Promise.all(marks.map(async (m) => ((await store.isOwnChange(m)) ? m : ''))));
      const triggered: Severity[] = severities.filter((_, i) => found.has(marks[i]!));
      for (const severity of triggered.length > 0 ? triggered : [page.severity]) await inner.send({ ...page, severity });
    },
  };
}


/** Stamps every page with its runbook's mode and words shadow / dry-run pages "would" (domain/modes.ts stampPage). */
export function modeStampingPager(inner: Pager, modeOf: (runbook: RunbookId) => Promise<ModeReading>, dryRunOn: () => Promise<boolean>): Pager {
  return {
    async send(page: Page): Promise<void> {
      const [mode, dryRun] = await Promise.all([modeOf(page.runbook), dryRunOn().catch(() => true)]);
      await inner.send(stampPage(page, mode.mode, dryRun));
    },
  };
}
