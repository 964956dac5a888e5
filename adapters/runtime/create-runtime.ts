/**
 * The Runtime every handler receives (runtime-types.ts): built once per container in
 * production (environment.ts) or per scenario by the drill (with the simulated region's
 * ClientSetup and a simulated clock).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AutopilotConfig, RunbookId } from '../../domain/config';
import { TUNABLES } from '../../domain/config';
import { openIncident, type IncidentRecord } from '../../domain/incident';
import { preemptedPage } from '../../domain/arbiter';
import { circuitOpenKey, circuitOpenPage, runbookOfIncidentKey, type CircuitOpenEvent } from '../../domain/circuit-breaker';
import { controlsAnomalyKey, controlsAnomalyPage, type ControlsAnomalyEvent } from '../../domain/controls';
import { quoteUntrusted } from '../../domain/untrusted-text';
import type { Pager } from '../../domain/ports';
import type { ModeReading, RunbookMode } from '../../domain/modes';
import { chatbotConfigured } from '../../domain/features';
import { AwsRegions, type ClientSetup } from '../aws/clients';
// The clients the runtime itself uses (state table, pages, workflow starts).
import '../aws/sdk/dynamodb';
import '../aws/sdk/sns';
import { lambdaWorkflowStarter, type WorkflowStarter } from '../aws/workflow-starter';
import type { WorkflowClock } from '../durable';
import { DynamoGuardrailStore } from '../dynamo/guardrail-store';
import { DynamoModeReader } from '../dynamo/mode-reader';
import { SnsPager } from '../sns/pager';
import { AUTOPILOT_EVENT_SOURCE } from '../../handlers/shared/contract';
import { Actuator } from './actuator';
import { IncidentSession, type EntrySink } from './incident-session';
import { autopilotLogger, logEntrySink } from './logging';
import { killSwitchCommand, modeStampingPager, resolvesWhereTriggered } from './pagers';
import type { Runtime } from './runtime-types';

export type { WorkflowStarter };
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

/** What the production hand-off emitter needs from the runtime. */
export interface HandoffTarget {
  aws: AwsRegions;
  region: string;
  eventBusName: string;
  source: string;
}

/**
 * The production hand-off emitter (EventBridge PutEvents), registered by adapters/aws/handoff.ts.
 * Only the entry modules that hand off import it: a workflow never does, so its bundle does not
 * carry the EventBridge client (bundle size goal).
 */
let eventBridgeEmitter: ((target: HandoffTarget) => HandoffEmitter) | undefined;

export function registerHandoffEmitter(factory: (target: HandoffTarget) => HandoffEmitter): void {
  eventBridgeEmitter = factory;
}

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
    onStaleEpisode: (key, episodes) =>
      logger.warn('incident record write dropped: a later episode replaced the record this writer loaded', { correlation_id: key, writerEpisode: episodes.mine, storedEpisode: episodes.stored }),
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
      if (!(await store.claimOnce(key, event.at, TUNABLES.controlsPageClaimTtlSeconds))) return;
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
  const sessionOf = (record: IncidentRecord, mode?: RunbookMode): IncidentSession => {
    const session = new IncidentSession(record, clock, store, [logEntrySink(logger), ...sinks]);
    session.mode = mode;
    return session;
  };
  const workflowArns = opts.workflowArns ?? {};
  const eventBusName = opts.eventBusName ?? 'default';

  const startWorkflow: WorkflowStarter =
    opts.workflowStarter ?? lambdaWorkflowStarter({ aws, homeRegion, workflowArns, claimStart: (name) => store.claimOnce(name, clock.now(), TUNABLES.workflowClaimTtlSeconds) });

  const emit: HandoffEmitter =
    opts.eventEmitter ??
    (async (detailType, detail) => {
      if (!eventBridgeEmitter) throw new Error(`no hand-off emitter in this bundle: import adapters/aws/handoff in the entry module that sends ${detailType}`);
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
    async openSession(init, record) {
      // From here on every log line of this invocation carries the incident key.
      logger.appendKeys({ correlation_id: init.key });
      const [existing, mode] = await Promise.all([record ?? store.loadIncident(init.key), modeOf(init.runbook)]);
      const session = sessionOf(existing ?? openIncident(init), mode.mode);
      if (mode.note) session.record({ kind: 'note', runbook: init.runbook, summary: mode.note });
      return session;
    },
    sessionOf,
    modeOf,
    startWorkflow,
    emit,
  };
}
