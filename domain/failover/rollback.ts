/**
 * The runbook's rollback procedure, run when a step after the gates fails or is refused.
 * It never creates an outage and never sends clients back to the old primary on its own
 * once they were sent to the promoted replica (see `rollback`); it pages P1 with exactly
 * where it stopped and what remains manual. A promotion cannot be undone.
 */
import { TUNABLES, type AutopilotConfig } from '../config';
import type { Verdict } from '../guardrails';
import type { TimelineEntry } from '../incident';
import type { Workflow } from '../ports';
import { manualCommands, stoppedPage, type ManualCommands } from './pages';
import type { FailoverRecords, ServiceReading } from './signals';
import type { FailoverDeps, FailoverInput, FailoverOutcome } from './workflow';

type Entry = Omit<TimelineEntry, 'at'> & { at?: number };

/** A step after which the workflow stops: the name of where it stopped and why. */
export class StopFailover extends Error {
  constructor(
    readonly stoppedAt: string,
    readonly reason: string,
    readonly refusal?: Verdict,
  ) {
    super(`${stoppedAt}: ${reason}`);
    this.name = 'StopFailover';
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export interface RollbackContext {
  stop: StopFailover;
  progress: { paused?: ServiceReading; promoted: boolean; secondaryStarted: boolean; dnsPrevious?: FailoverRecords; dnsChanged: boolean };
  done: string[];
  diagnosis: string[];
}

/** Poll interval of the rollback's durable waits (primary service stable). */
const ROLLBACK_POLL_SECONDS = TUNABLES.failover.rollbackPollSeconds;

/** Where the service name points, read live before the rollback decides. */
type DnsPosition = 'primary' | 'secondary' | 'unknown';

/** One rollback: the failover's run as it stopped, and what the rollback undoes and leaves to a human. */
interface RollbackRun {
  readonly wf: Workflow;
  readonly deps: FailoverDeps;
  readonly input: FailoverInput;
  readonly ctx: RollbackContext;
  readonly cmds: ManualCommands;
  /** The primary service's desired count before the pause (0: it was not paused). */
  readonly pausedCount: number;
  /** Undone automatically, for the page. */
  readonly rolledBack: string[];
  /** Left to a human, in order, for the page. */
  readonly manual: string[];
}

function record(run: RollbackRun, e: Entry): void {
  run.deps.recorder.record({ runbook: 'database-failover', ...e });
}

function waitPrimaryStableCommand(config: AutopilotConfig): string {
  return `aws ecs wait services-stable --cluster ${config.service.clusterName} --services ${config.service.serviceName} --region ${config.service.region}`;
}

/**
 * The runbook's rollback procedure when a step fails, with one rule that keeps it from
 * creating an outage or a second writer's history:
 *
 * - Nothing promoted: nothing to undo automatically (a promotion that failed after its
 *   retries may still have happened, so the paused primary service is left to a human);
 *   P1 with the commands.
 * - Promoted, DNS NEVER switched (read live: a DNS step that failed after its retries may
 *   have applied): traffic still goes to the primary stack. Scale the secondary down (the
 *   runbook's rollback), then, only once it is at 0, restore the primary service to its
 *   pre-pause desired count through act and wait until it is stable. If the secondary
 *   cannot be scaled down, the primary service is NOT restored (two applications on two
 *   writable databases). The promoted replica is a split-off copy nobody was sent to.
 * - Promoted AND DNS switched (or its position unknown): clients have been sent to the
 *   promoted replica and may have written to it. Pointing them back at the old primary
 *   would orphan those writes; that decision needs a human. The autopilot does NOT switch
 *   DNS back, does NOT scale the secondary down and does NOT restart the primary-region
 *   service (Route53 fails over to it if the secondary turns unhealthy): it keeps serving
 *   from the secondary and pages P1 with the ordered failback commands (decide the
 *   authoritative database, restore the primary service and wait until stable, switch DNS
 *   back, then scale the secondary down).
 */
export async function rollback(wf: Workflow, deps: FailoverDeps, input: FailoverInput, ctx: RollbackContext): Promise<FailoverOutcome> {
  const run: RollbackRun = { wf, deps, input, ctx, cmds: manualCommands(deps.config), pausedCount: ctx.progress.paused?.desiredCount ?? 0, rolledBack: [], manual: [] };
  const { stop, progress } = ctx;
  await wf.step('rollback-start', async () => {
    record(run, { kind: 'error', summary: `failover stopped at ${stop.stoppedAt}: ${stop.reason}`, detail: { promoted: progress.promoted, secondaryStarted: progress.secondaryStarted, dnsChanged: progress.dnsChanged } });
  });
  if (progress.promoted) await rollbackPromoted(run);
  else leaveUnpromotedToHuman(run);
  await pageStopped(run);
  return { result: 'stopped', stoppedAt: stop.stoppedAt, reason: stop.reason, rolledBack: run.rolledBack };
}

/**
 * Nothing promoted: nothing to undo automatically (a promotion that failed after its retries
 * may still have happened, so the paused primary service is left to a human).
 */
function leaveUnpromotedToHuman(run: RollbackRun): void {
  const { deps, ctx, cmds, pausedCount, manual } = run;
  const { config } = deps;
  if (ctx.stop.stoppedAt === 'pause-application') {
    manual.push(`The primary-region writers were NOT stopped: stop them first (a writer next to a promoted replica is a split brain): ${cmds.pausePrimary}`);
  }
  manual.push(`Nothing was promoted. Check the replica: ${cmds.checkReplica}; to fail over by hand follow runbook 1 from step 4: ${cmds.promote}`);
  if (pausedCount > 0) {
    manual.push(`${config.service.serviceName} was scaled to 0 (from ${pausedCount}); once the primary is back (and only if ${config.database.replicaInstanceId} is still a replica): ${cmds.restorePrimaryService(pausedCount)}`);
  }
}

/** Promoted: where DNS points (read live) decides between keeping the secondary and undoing it. */
async function rollbackPromoted(run: RollbackRun): Promise<void> {
  const { config } = run.deps;
  const dns = await readDnsPosition(run);
  if (dns !== 'primary') await keepServingFromSecondary(run, dns);
  else await undoBeforeDns(run);
  run.manual.push(
    `${config.database.replicaInstanceId} is promoted (a standalone writer; this cannot be undone). Decide which database is authoritative before any writes: ${run.cmds.verifyPrimary} ; ${run.cmds.checkReplica}`,
  );
}

/** A DNS step that failed after its retries may have applied: unless the workflow saw it switch, read the records. */
async function readDnsPosition(run: RollbackRun): Promise<DnsPosition> {
  const { deps, ctx } = run;
  const { config, ops } = deps;
  return run.wf.step('rollback-read-dns', async (): Promise<DnsPosition> => {
    if (ctx.progress.dnsChanged) return 'secondary';
    try {
      const records = await ops.readFailoverRecords();
      const onSecondary = records.secondarySet?.failover === 'PRIMARY' && sameDnsName(records.secondarySet.aliasDnsName, config.secondaryService.albDnsName);
      record(run, { kind: 'signal', summary: `rollback: ${config.dns.recordName} points at the ${onSecondary ? 'secondary' : 'primary'} stack` });
      return onSecondary ? 'secondary' : 'primary';
    } catch (err) {
      record(run, { kind: 'error', summary: `rollback: cannot read the ${config.dns.recordName} records (${errorText(err)}): treated as switched` });
      return 'unknown';
    }
  });
}

/**
 * DNS switched (or its position unknown): clients may have written to the promoted replica,
 * and pointing them back at the old primary would orphan those writes. Nothing is undone;
 * the page carries the ordered failback for a human.
 */
async function keepServingFromSecondary(run: RollbackRun, dns: Exclude<DnsPosition, 'primary'>): Promise<void> {
  const { deps, cmds, pausedCount } = run;
  const { config } = deps;
  await run.wf.step('rollback-keep-serving', async () => {
    record(run, {
      kind: 'decision',
      summary: `rollback: ${config.dns.recordName} ${dns === 'secondary' ? 'points at' : 'may point at'} the promoted ${config.database.replicaInstanceId}; NOT switching DNS back, NOT scaling ${config.secondaryService.serviceName} down: failback after promotion and DNS needs a human`,
    });
  });
  run.manual.push(
    `KEEP SERVING from ${config.secondaryRegion}: ${config.dns.recordName} ${dns === 'secondary' ? 'points at' : 'may point at'} ${config.secondaryService.albDnsName} and ${config.database.replicaInstanceId} is promoted; clients may have written to it, so the autopilot did not switch back. Check what serves now: ${cmds.verify}`,
    `Failback only by hand, in this order: (1) decide which database is authoritative (writes since the switch live on ${config.database.replicaInstanceId}): ${cmds.verifyPrimary} ; ${cmds.checkReplica}`,
    `(2) restore the primary service and wait until it is stable: ${cmds.restorePrimaryService(pausedCount > 0 ? pausedCount : config.secondaryService.desiredCount)} ; ${waitPrimaryStableCommand(config)}`,
    `(3) switch DNS back: ${cmds.switchDnsBack}`,
    `(4) only then scale the secondary down: ${cmds.scaleSecondaryDown}`,
  );
}

/** DNS never left the primary stack: the runbook's rollback, secondary down first, then the primary service back. */
async function undoBeforeDns(run: RollbackRun): Promise<void> {
  const { deps, cmds, pausedCount, rolledBack, manual } = run;
  const { config } = deps;
  const primaryName = `${config.service.clusterName}/${config.service.serviceName}`;
  const scaled = await scaleSecondaryDown(run);
  const secondaryDown = scaled === 'done' || scaled === 'already at 0';
  if (scaled === 'done') rolledBack.push(`scaled ${config.secondaryService.serviceName} to 0`);
  if (!secondaryDown) manual.push(`Scale the secondary down (${scaled}): ${cmds.scaleSecondaryDown}`);

  // Rollback step 2: the primary stack serves again, only once the secondary is down.
  if (pausedCount > 0 && !secondaryDown) {
    manual.push(`${primaryName} was left at 0 (from ${pausedCount}): restoring it while ${config.secondaryService.serviceName} still runs on the promoted ${config.database.replicaInstanceId} would run two writers. Once the secondary is at 0: ${cmds.restorePrimaryService(pausedCount)} ; ${waitPrimaryStableCommand(config)}`);
  } else if (pausedCount > 0) {
    const restored = await restorePrimaryService(run, pausedCount);
    if (restored === 'stable') rolledBack.push(`restored ${config.service.serviceName} to ${pausedCount} tasks (stable)`);
    else manual.push(`${primaryName} was not restored to ${pausedCount} stable tasks (${restored}): ${cmds.restorePrimaryService(pausedCount)} ; ${waitPrimaryStableCommand(config)}`);
  }
  manual.push(`DNS never left the primary stack; ${config.database.replicaInstanceId} is promoted but no client was sent to it: keep it out of service (a split-off copy) and rebuild a replica.`);
}

/** Rollback step 1: scale the secondary down (DNS never pointed at it). */
async function scaleSecondaryDown(run: RollbackRun): Promise<string> {
  const { deps } = run;
  const { config, ops } = deps;
  return run.wf.step('rollback-scale-secondary-down', async () => {
    try {
      const svc = await ops.readSecondaryService();
      if (svc.describeError === undefined && svc.desiredCount === 0) return 'already at 0';
      const out = await deps.act(
        {
          action: 'rollback-secondary-service',
          scope: `service:${config.secondaryService.clusterName}/${config.secondaryService.serviceName}`,
          summary: `rollback: scaled ${config.secondaryService.serviceName} (${config.secondaryService.region}) to 0`,
        },
        () => ops.updateSecondaryService(undefined, 0),
      );
      if (out.status !== 'executed') return `not done (${out.status === 'refused' ? `${out.guardrail}: ${out.reason}` : 'dry-run'})`;
      return 'done';
    } catch (err) {
      record(run, { kind: 'error', summary: `rollback: scaling ${config.secondaryService.serviceName} down failed: ${errorText(err)}` });
      return `failed (${errorText(err)})`;
    }
  });
}

/** P1 with exactly where the failover stopped, what was rolled back and what remains manual. */
async function pageStopped(run: RollbackRun): Promise<void> {
  const { deps, input, ctx, rolledBack, manual } = run;
  const { stop } = ctx;
  await run.wf.step('rollback-page', async () => {
    deps.incident.set({ status: 'escalated' });
    record(run, { kind: 'decision', summary: `failover stopped at ${stop.stoppedAt}; rolled back: ${rolledBack.join(', ') || 'nothing'}; manual: ${manual.length} step(s)` });
    await deps.pager.send(
      stoppedPage({
        incidentKey: input.incidentKey,
        config: deps.config,
        at: deps.clock.now(),
        diagnosis: [...ctx.diagnosis, `stopped at ${stop.stoppedAt}: ${stop.reason}`],
        done: [...ctx.done, ...rolledBack.map((r) => `rollback: ${r}`)],
        stoppedAt: stop.stoppedAt,
        reason: stop.reason,
        remainingManual: manual,
        ...(stop.refusal ? { refused: [{ action: stop.stoppedAt, guardrail: stop.refusal.guardrail, reason: stop.refusal.reason }] } : {}),
      }),
    );
    record(run, { kind: 'page', summary: `P1 trigger: failover stopped at ${stop.stoppedAt}`, severity: 'P1' });
  });
}

/** Restore the primary service to its pre-pause count through act, then wait (durably) until stable. */
async function restorePrimaryService(run: RollbackRun, count: number): Promise<string> {
  const { wf, deps } = run;
  const { config, ops } = deps;
  const f = config.guardrails.failover;
  const name = `${config.service.clusterName}/${config.service.serviceName}`;
  const started = await wf.step('rollback-restore-primary-service', async () => {
    try {
      const live = await ops.readPrimaryService();
      if (live.describeError !== undefined) return `cannot read ${name}: ${live.describeError}`;
      if (live.desiredCount === count) return 'ok';
      const out = await deps.act(
        {
          action: 'restore-primary-service',
          scope: `service:${name}`,
          summary: `rollback: restored ${name} (${config.service.region}) from ${live.desiredCount} to its pre-pause ${count} tasks`,
        },
        () => ops.scalePrimaryService(count),
      );
      return out.status === 'executed' ? 'ok' : `not done (${out.status === 'refused' ? `${out.guardrail}: ${out.reason}` : 'dry-run'})`;
    } catch (err) {
      record(run, { kind: 'error', summary: `rollback: restoring ${name} failed: ${errorText(err)}` });
      return `failed (${errorText(err)})`;
    }
  });
  if (started !== 'ok') return started;
  const polls = Math.max(1, Math.ceil(f.serviceStableTimeoutSeconds / ROLLBACK_POLL_SECONDS));
  for (let i = 1; i <= polls; i++) {
    if (i > 1) await wf.wait(`rollback-primary-stable-wait-${i}`, ROLLBACK_POLL_SECONDS);
    const state = await wf.step(`rollback-primary-stable-check-${i}`, async () => {
      try {
        const svc = await ops.readPrimaryService();
        record(run, { kind: 'signal', summary: `rollback: ${name} running ${svc.runningCount}/${svc.desiredCount}, ${svc.deployments} deployment(s)${svc.describeError ? ` (${svc.describeError})` : ''}` });
        if (svc.rolloutState === 'FAILED') return 'rollout FAILED';
        return svc.describeError === undefined && svc.desiredCount === count && svc.runningCount === count && svc.deployments <= 1 ? 'stable' : 'waiting';
      } catch (err) {
        return `waiting (${errorText(err)})`;
      }
    });
    if (state === 'stable' || state === 'rollout FAILED') return state;
  }
  return `not stable within ${f.serviceStableTimeoutSeconds}s`;
}

function sameDnsName(a: string | undefined, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/\.$/, '');
  return a !== undefined && norm(a) === norm(b);
}
