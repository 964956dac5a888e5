/**
 * The runbook's rollback procedure, run when a step after the gates fails or is refused:
 * scale the secondary down (when it was started), switch DNS back only when the primary is
 * healthy, and page P1 with exactly where it stopped and what remains manual. A promotion
 * cannot be undone; the page says so and which database to check before any write.
 */
import type { Verdict } from '../guardrails';
import type { TimelineEntry } from '../incident';
import type { Workflow } from '../ports';
import { assessPrimary } from './gates';
import { manualCommands, stoppedPage } from './pages';
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

/**
 * The runbook's rollback procedure when a step fails: scale the secondary down (when it
 * was started), switch DNS back only when the primary is healthy again, then page P1 with
 * where it stopped and what remains manual. The promotion itself cannot be undone.
 */
export async function rollback(wf: Workflow, deps: FailoverDeps, input: FailoverInput, ctx: RollbackContext): Promise<FailoverOutcome> {
  const { config, ops, clock, recorder } = deps;
  const cmds = manualCommands(config);
  const record = (e: Entry): void => recorder.record({ runbook: 'database-failover', ...e });
  const rolledBack: string[] = [];
  const manual: string[] = [];
  const { stop, progress } = ctx;

  await wf.step('rollback-start', async () => {
    record({ kind: 'error', summary: `failover stopped at ${stop.stoppedAt}: ${stop.reason}`, detail: { promoted: progress.promoted, secondaryStarted: progress.secondaryStarted, dnsChanged: progress.dnsChanged } });
  });

  if (progress.promoted) {
    // Rollback step 1: scale the secondary down.
    const scaled = await wf.step('rollback-scale-secondary-down', async () => {
      try {
        const svc = await ops.readSecondaryService();
        if (svc.desiredCount === 0) return 'already at 0';
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
        record({ kind: 'error', summary: `rollback: scaling ${config.secondaryService.serviceName} down failed: ${errorText(err)}` });
        return `failed (${errorText(err)})`;
      }
    });
    if (scaled === 'done') rolledBack.push(`scaled ${config.secondaryService.serviceName} to 0`);
    else if (scaled !== 'already at 0') manual.push(`Scale the secondary down: ${cmds.scaleSecondaryDown}`);

    // Rollback step 2: DNS back to the primary only when the primary is healthy.
    if (progress.dnsChanged) {
      const primaryHealthy = await wf.step('rollback-check-primary', async () => {
        const check = await ops.checkPrimary(clock.now());
        const a = assessPrimary(check);
        record({ kind: 'signal', summary: `rollback: primary ${a.condition} - ${a.signals.join('; ')}` });
        return a.condition === 'healthy';
      });
      if (primaryHealthy) {
        const switched = await wf.step('rollback-switch-dns-back', async () => {
          try {
            const out = await deps.act(
              {
                action: 'switch-dns-back',
                scope: `dns:${config.dns.hostedZoneId}/${config.dns.recordName}`,
                summary: `rollback: restored the ${config.dns.recordName} failover records to their pre-failover state`,
              },
              () => ops.restoreFailoverRecords(progress.dnsPrevious ?? {}),
            );
            return out.status === 'executed';
          } catch (err) {
            record({ kind: 'error', summary: `rollback: switching DNS back failed: ${errorText(err)}` });
            return false;
          }
        });
        if (switched) rolledBack.push(`switched ${config.dns.recordName} back`);
        else manual.push(`Switch DNS back: ${cmds.switchDnsBack}`);
      } else {
        manual.push(`DNS still points at the secondary and the primary is not healthy: restore the primary, then switch DNS back: ${cmds.switchDnsBack}`);
      }
    }
    manual.push(
      `${config.database.replicaInstanceId} is promoted (a standalone writer; this cannot be undone). Decide which database is authoritative before any writes: ${cmds.verifyPrimary} ; ${cmds.checkReplica}`,
    );
  } else {
    manual.push(`Nothing was promoted. Check the replica: ${cmds.checkReplica}; to fail over by hand follow runbook 1 from step 4: ${cmds.promote}`);
  }
  if (progress.paused && progress.paused.desiredCount > 0) {
    manual.push(`${config.service.serviceName} was scaled to 0 (from ${progress.paused.desiredCount}); once the primary is back: ${cmds.restorePrimaryService(progress.paused.desiredCount)}`);
  }

  await wf.step('rollback-page', async () => {
    deps.incident.update({ status: 'escalated' });
    record({ kind: 'decision', summary: `failover stopped at ${stop.stoppedAt}; rolled back: ${rolledBack.join(', ') || 'nothing'}; manual: ${manual.length} step(s)` });
    await deps.pager.send(
      stoppedPage({
        incidentKey: input.incidentKey,
        config,
        at: clock.now(),
        diagnosis: [...ctx.diagnosis, `stopped at ${stop.stoppedAt}: ${stop.reason}`],
        done: [...ctx.done, ...rolledBack.map((r) => `rollback: ${r}`)],
        stoppedAt: stop.stoppedAt,
        reason: stop.reason,
        remainingManual: manual,
        ...(stop.refusal ? { refused: [{ action: stop.stoppedAt, guardrail: stop.refusal.guardrail, reason: stop.refusal.reason }] } : {}),
      }),
    );
    record({ kind: 'page', summary: `P1 trigger: failover stopped at ${stop.stoppedAt}`, severity: 'P1' });
  });
  return { result: 'stopped', stoppedAt: stop.stoppedAt, reason: stop.reason, rolledBack };
}
