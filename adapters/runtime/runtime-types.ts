/**
 * What a handler receives: everything that touches the world, wired once per container
 * (production) or per drill scenario (simulated region + simulated clock).
 * Implementation: adapters/runtime/create-runtime.ts (createRuntime) and environment.ts (productionRuntime).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AutopilotConfig, RunbookId, Severity } from '../../domain/config';
import type { GuardrailStore, Pager } from '../../domain/ports';
import type { ModeReading, RunbookMode } from '../../domain/modes';
import type { IncidentRecord } from '../../domain/incident';
import type { AwsRegions } from '../aws/clients';
import type { WorkflowClock } from '../durable';
import type { Actuator } from './actuator';
import type { EntrySink, IncidentSession } from './incident-session';

export interface Runtime {
  config: AutopilotConfig;
  clock: WorkflowClock;
  aws: AwsRegions;
  store: GuardrailStore;
  pager: Pager;
  actuator: Actuator;
  logger: Logger;
  /** True in drills and tests (simulated region): probes that leave AWS, like HTTP, are replaced by control-plane reads. */
  simulated: boolean;
  /** Extra timeline sinks (the drill prints entries as they happen). */
  sinks: EntrySink[];
  /**
   * A session on the incident `init.key`: on `record` when the caller holds it (loaded with its
   * facts, or a new episode's fresh record), else the stored record or a new one. Entries go to
   * the store, the log and the sinks, stamped with the runbook's mode.
   */
  openSession(init: { key: string; runbook: RunbookId; title: string; severity: Severity; detectedAt: number }, record?: IncidentRecord): Promise<IncidentSession>;
  /**
   * A session on a record the caller already holds (a new episode's fresh record, one it just
   * loaded): the same sinks as openSession, timeline entries stamped with `mode` when given.
   */
  sessionOf(record: IncidentRecord, mode?: RunbookMode): IncidentSession;
  /**
   * Dispatcher: start the runbook's durable workflow with DurableExecutionName = executionName
   * (Lambda Invoke, InvocationType Event, on the workflow alias). A second start for the same
   * name joins the running execution instead of starting another.
   */
  startWorkflow(runbook: RunbookId, executionName: string, input: unknown): Promise<'started' | 'joined'>;
  /** The runbook's effective mode (config default, state-table override; domain/modes.ts). Absent: live. */
  modeOf?: (runbook: RunbookId) => Promise<ModeReading>;
  /** Hand-off between runbooks: an EventBridge event with source runbook-autopilot. */
  emit(detailType: string, detail: Record<string, unknown>): Promise<void>;
}
