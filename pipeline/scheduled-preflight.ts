/**
 * The readiness check as a scheduled function (issue 16 item 3), deployed as PREFLIGHT_FUNCTION
 * (handlers/scheduled-preflight.ts) behind its schedule rule (infra/preflight.ts, config
 * deployment.preflightSchedule, daily by default): the same checks as `autopilot preflight`
 * (domain/preflight.ts over adapters/aws/preflight.ts) plus the IAM policy simulation of every
 * function's role (adapters/aws/iam-simulation.ts), before any incident.
 *
 * For each runbook the stage deploys: stores the verdicts in the state table (each durable
 * workflow reads them at its start: pipeline/workflow-shell.ts), publishes RunbookReady
 * (1 ready / 0 not) in the RunbookAutopilot namespace, and pages P3 for each runbook NOT READY
 * with the failed checks; a runbook READY again resolves its page. Read-only towards the
 * estate (its writes: its state-table item, PutMetricData, SNS Publish).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { preflightScheduleOf, type AutopilotConfig, type RunbookId } from '../domain/config';
import { notReadyPage, preflight, readinessReport, type PreflightFacts, type RunbookReadiness } from '../domain/preflight';
import { READINESS_KEY_PREFIX } from '../domain/modes';
import { describeRejection, parseEvent } from '../events/parse';
import { readPreflightFacts } from '../adapters/aws/preflight';
import { publishReadiness } from '../adapters/aws/readiness-metric';
import { simulateRoles, type RoleToSimulate } from '../adapters/aws/iam-simulation';
import { autopilotLogger, errorForLog } from '../adapters/runtime/logging';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { functionPolicies, simulationTargets, type StackIdentity } from '../infra/iam-policy';

/** What the preflight knows of its own stack beyond the config: the state table, the paging key (for the IAM simulation). */
export interface PreflightStack {
  tableName: string;
  /** The paging topics' KMS key ARN (PREFLIGHT_ENV.pagingKeyArn); absent: the stand-in the drill's policies use. */
  pagingKeyArn?: string;
}

/**
 * A Scheduled Event is accepted this long after its time: EventBridge retries the delivery
 * for up to maxEventAgeSeconds and Lambda an async invocation for up to an hour
 * (infra/preflight.ts); a late readiness check is still a readiness check.
 */
export const SCHEDULED_EVENT_MAX_AGE_SECONDS = 2 * 3600;

/** Every deployed function's role with the calls its function makes (its statements), as IAM should allow them. */
export function rolesToSimulate(config: AutopilotConfig, stack: PreflightStack): RoleToSimulate[] {
  const account = config.accountIds[0] ?? '000000000000';
  const partition = config.paging.topics.P1.split(':')[1] || 'aws';
  const identity: StackIdentity = { account, partition, region: config.deployment.region, tableName: stack.tableName, ...(stack.pagingKeyArn ? { pagingKeyArn: stack.pagingKeyArn } : {}) };
  const policies = functionPolicies(config, identity);
  return simulationTargets(config).map((t) => ({ key: t.key, roleArn: `arn:${partition}:iam::${account}:role/${t.roleName}`, runbooks: t.runbooks, statements: policies.get(t.key) ?? [] }));
}

/** The IAM policy simulation as a preflight fact: the denials per runbook, or why it could not run (fail closed). */
export async function simulatedDenials(aws: Runtime['aws'], config: AutopilotConfig, stack: PreflightStack): Promise<NonNullable<PreflightFacts['iamDenied']>> {
  try {
    return { ok: true, value: await simulateRoles(aws, config.deployment.region, rolesToSimulate(config, stack)) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/**
 * One run of the check. `stack` absent: no IAM simulation (facts.iamDenied undefined, the
 * check is left out), as `autopilot preflight --no-iam` and some unit tests do.
 */
export async function runScheduledPreflight(rt: Runtime, stack?: PreflightStack): Promise<RunbookReadiness[]> {
  const { config } = rt;
  const now = rt.clock.now();
  const facts: PreflightFacts = await readPreflightFacts(rt.aws, config, now);
  if (stack) facts.iamDenied = await simulatedDenials(rt.aws, config, stack);
  // A standby stage judges only what it deploys (config deployment.runbooks: the failover alone).
  const deployed: readonly RunbookId[] = config.deployment.runbooks;
  const results = preflight(config, facts, now).filter((r) => deployed.includes(r.runbook));
  if (results.length !== deployed.length) throw new Error('preflight did not judge every deployed runbook');
  // First the verdicts the workflows read at their start, then the metric, then the pages.
  await rt.store.writeReadiness(readinessReport(results, now, config.stage, preflightScheduleOf(config)));
  await publishReadiness(rt.aws, config.deployment.region, config.stage, results, now);
  for (const r of results) {
    const page = notReadyPage(r, now, config.stage);
    if (!r.ready) await rt.pager.send(page);
    else if (await rt.store.isOwnChange(`paged:${READINESS_KEY_PREFIX}${r.runbook}:P3`)) {
      // It paged NOT READY before: resolve that alert (same incident key, same topic).
      await rt.pager.send({ ...page, action: 'resolve', title: `${r.runbook} READY again`, diagnosis: [], done: ['nothing: a readiness check'] });
    }
  }
  return results;
}

export type ScheduledPreflightResult =
  | { status: 'checked'; results: { runbook: RunbookId; ready: boolean; failed: string[] }[] }
  | { status: 'rejected'; reason: string };

export type ScheduledPreflightHandler = (event: unknown, context: Context) => Promise<ScheduledPreflightResult>;

/**
 * The Lambda handler: a Scheduled Event (source aws.events, events/scheduled.ts) from a
 * configured account runs the check; anything else is answered rejected and logged, never run.
 * A check that throws is rethrown: Lambda retries it, then the on-failure queue (its alarm pages P2).
 */
export function buildScheduledPreflightHandler(getRuntime: () => Runtime, getStack: () => PreflightStack | undefined): middy.MiddyfiedHandler<unknown, ScheduledPreflightResult, Error, Context> {
  const core = async (event: unknown): Promise<ScheduledPreflightResult> => {
    const rt = getRuntime();
    const parsed = parseEvent(event, { config: { ...rt.config, maxEventAgeSeconds: Math.max(rt.config.maxEventAgeSeconds, SCHEDULED_EVENT_MAX_AGE_SECONDS) }, now: rt.clock.now() });
    if (!parsed.ok || parsed.event.kind !== 'scheduled') {
      const reason = parsed.ok ? `a ${parsed.event.kind} event is not a Scheduled Event: the readiness check runs only on its schedule` : describeRejection(parsed.rejection);
      rt.logger.error(`scheduled preflight: event rejected: ${reason}`);
      return { status: 'rejected', reason };
    }
    try {
      const results = await runScheduledPreflight(rt, getStack());
      const out = results.map((r) => ({ runbook: r.runbook, ready: r.ready, failed: r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.reason}`) }));
      rt.logger.info(`scheduled preflight: ${out.filter((r) => r.ready).length} of ${out.length} runbook(s) READY`, { results: out, rule: parsed.event.resources[0] });
      return { status: 'checked', results: out };
    } catch (err) {
      rt.logger.error('scheduled preflight: failed, rethrown for retry / on-failure destination', { error: errorForLog(err) });
      throw err;
    }
  };
  return middy<unknown, ScheduledPreflightResult, Error, Context>(core).use(injectLambdaContext(autopilotLogger, { resetKeys: true }));
}
