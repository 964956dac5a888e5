/**
 * Issue 8's bad-input figures, end to end: every input of the corpus (events/bad-input.ts)
 * is delivered to EVERY runbook's real intake handler — not only the one a rule would pick,
 * since a misrouted or forged delivery must be just as harmless — against a simulated region
 * and a real (dynalite) state table. Counts what the handlers answered, what workflows they
 * started, and every mutating AWS call that followed (must be 0).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { RUNBOOKS, defaultConfig, type AutopilotConfig, type RunbookId } from '../domain/config';
import { isMutatingCall } from '../adapters/aws/clients';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from '../test/simulated-region';
import { type IntakeResult } from '../pipeline/intake';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { badInputCorpus } from '../events/bad-input';
import { ensureStateTable, localDynamoClient } from '../test/support/dynalite';
import { intakeFactory, loadRunbookModules } from './runbooks';

export interface BadInputFigures {
  inputs: number;
  deliveries: number;
  rejected: number;
  ignored: number;
  /** Deliveries that got past the intake (a workflow started, an action, a page): must be 0. */
  accepted: number;
  workflowsStarted: number;
  mutations: number;
  pages: number;
  /** Handler threw (Lambda would retry, then the on-failure queue): must be 0 for bad input. */
  crashed: number;
  details: { input: string; runbook: RunbookId; status: string; reason?: string }[];
}

export async function measureBadInput(dynamoEndpoint: string, config: AutopilotConfig = defaultConfig): Promise<BadInputFigures> {
  const spec = baselineWorld();
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const tableName = `bad-input-${process.pid}-${Date.now()}`;
  await ensureStateTable(localDynamoClient(dynamoEndpoint), tableName);
  let workflowsStarted = 0;
  const rt: Runtime = createRuntime({
    config,
    clock,
    tableName,
    dynamoEndpoint,
    clientSetup: simClientSetup(world),
    logger: new Logger({ serviceName: 'runbook-autopilot', logLevel: 'SILENT' }),
    workflowStarter: async () => {
      workflowsStarted++;
      return 'started';
    },
    eventEmitter: async () => undefined,
  });
  const modules = loadRunbookModules();
  const corpus = badInputCorpus(config, clock.now());
  const figures: BadInputFigures = { inputs: corpus.length, deliveries: 0, rejected: 0, ignored: 0, accepted: 0, workflowsStarted: 0, mutations: 0, pages: 0, crashed: 0, details: [] };
  for (const item of corpus) {
    for (const runbook of RUNBOOKS) {
      const factory = intakeFactory(modules, runbook);
      if (typeof factory === 'string') throw new Error(factory);
      figures.deliveries++;
      let result: IntakeResult | undefined;
      try {
        result = await factory(() => rt)(item.input, {} as never);
      } catch (err) {
        figures.crashed++;
        figures.details.push({ input: item.name, runbook, status: 'crashed', reason: err instanceof Error ? err.message : String(err) });
        continue;
      }
      if (result.status === 'rejected') figures.rejected++;
      else if (result.status === 'ignored') figures.ignored++;
      else figures.accepted++;
      figures.details.push({ input: item.name, runbook, status: result.status, reason: result.reason });
    }
  }
  figures.workflowsStarted = workflowsStarted;
  figures.mutations = world.calls.filter((c) => c.outcome === 'ok' && isMutatingCall(c.service, c.operation)).length;
  figures.pages = world.snsOutbox.length;
  return figures;
}
