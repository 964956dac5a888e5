/**
 * Runbook 1 steps 7 to 9: send clients to the secondary stack, verify the application
 * through its health endpoint, and document the incident.
 */
import { downtimeSeconds } from '../../incident';
import { failoverCompletedPages } from '../pages';
import { StopFailover, errorText } from '../rollback';
import type { DnsChange, FailoverRecords } from '../signals';
import type { FailoverOutcome } from '../workflow';
import { guardedStep, mutate, record, sameDnsName, sendPage, type FailoverRun } from './run';
import { DNS_POLL_SECONDS, DNS_SYNC_TIMEOUT_SECONDS, HEALTH_CHECKS, POLL_SECONDS } from './tunables';

/** How the failover record was switched: an UPSERT (and its change while not INSYNC), or Route 53's data plane alone. */
type DnsSwitch = { previous: FailoverRecords; changeId: string | undefined } | { previous: undefined; changeId: undefined; dataPlane: true };

/** What a completed failover runs on. */
export interface CompletedFailover {
  taskDefinitionArn: string;
  endpoint: string;
}

/** Runbook 1 step 7, "Update DNS (Route53)": UPSERT the failover record to the secondary ALB, wait for INSYNC. */
export async function updateDns(run: FailoverRun): Promise<void> {
  const { config, cmds, progress } = run;
  const dns = await switchFailoverRecords(run);
  if (dns.previous) progress.dnsPrevious = dns.previous;
  progress.dnsChanged = true;
  if ('dataPlane' in dns) {
    const pin = `Route 53's control plane was down: ${config.dns.recordName} answers ${config.secondaryService.albDnsName} through the failover records' health checks only. Once Route 53 answers, pin it: ${cmds.switchDnsToSecondary}`;
    run.diagnosis.push(pin);
    run.done.push(`${config.dns.recordName} answers the secondary on Route 53's data plane (UPSERT pending: ${cmds.switchDnsToSecondary})`);
  }
  if (dns.changeId) await waitForDnsInsync(run, dns.changeId);
  run.done.push(`${config.dns.recordName} -> ${config.secondaryService.albDnsName}`);
}

async function switchFailoverRecords(run: FailoverRun): Promise<DnsSwitch> {
  const { deps, config } = run;
  return guardedStep(run, 'update-dns', async (): Promise<DnsSwitch> => {
    let previous: FailoverRecords;
    try {
      previous = await deps.ops.readFailoverRecords();
    } catch (err) {
      return dnsDataPlaneFallback(run, err);
    }
    const already = previous.secondarySet?.failover === 'PRIMARY' && sameDnsName(previous.secondarySet.aliasDnsName, config.secondaryService.albDnsName);
    if (already) {
      record(run, { kind: 'note', summary: `${config.dns.recordName} (${config.dns.secondarySetIdentifier}) already PRIMARY -> ${config.secondaryService.albDnsName}` });
      return { previous, changeId: undefined };
    }
    let change: DnsChange;
    try {
      change = await mutate(run, 'update-dns', {
        action: 'switch-dns',
        scope: `dns:${config.dns.hostedZoneId}/${config.dns.recordName}`,
        summary: `UPSERT ${config.dns.recordName} SetIdentifier ${config.dns.secondarySetIdentifier} Failover PRIMARY -> ${config.secondaryService.albDnsName} (${config.dns.primarySetIdentifier} becomes SECONDARY)`,
      }, () => deps.ops.upsertFailoverRecord(previous));
    } catch (err) {
      if (err instanceof StopFailover) throw err;
      return dnsDataPlaneFallback(run, err);
    }
    return { previous, changeId: change.status !== 'INSYNC' ? change.changeId : undefined };
  });
}

/**
 * Route 53's control plane failed (the read or the UPSERT): the failover records' health
 * checks move the name on Route 53's data plane by themselves once the primary stack is
 * unhealthy. When DNS already answers the secondary, that is the switch (the records still
 * name us-east-1 PRIMARY: they must be UPSERTed once the control plane is back, or Route 53
 * fails back on its own when the old primary turns healthy). Otherwise the error stands.
 */
async function dnsDataPlaneFallback(run: FailoverRun, err: unknown): Promise<DnsSwitch> {
  const { deps, config } = run;
  const answers = await deps.ops.serviceNameAnswersSecondary();
  if (answers !== true) throw err;
  record(run, { kind: 'decision', summary: `Route 53 control plane failed (${errorText(err)}); ${config.dns.recordName} already answers ${config.secondaryService.albDnsName} on Route 53's data plane (failover records' health checks): switched without the UPSERT` });
  return { previous: undefined, changeId: undefined, dataPlane: true };
}

async function waitForDnsInsync(run: FailoverRun, changeId: string): Promise<void> {
  let insync = false;
  const dnsPolls = Math.ceil(DNS_SYNC_TIMEOUT_SECONDS / DNS_POLL_SECONDS);
  for (let i = 1; i <= dnsPolls && !insync; i++) {
    if (i > 1) await run.wf.wait(`wait-dns-insync-${i}`, DNS_POLL_SECONDS);
    insync = await guardedStep(run, `wait-dns-insync-check-${i}`, async () => {
      const status = await run.deps.ops.dnsChangeStatus(changeId);
      record(run, { kind: 'signal', summary: `Route53 change ${changeId}: ${status}` });
      return status === 'INSYNC';
    });
  }
  if (!insync) throw new StopFailover('wait-dns-insync', `Route53 change ${changeId} not INSYNC within ${DNS_SYNC_TIMEOUT_SECONDS}s`);
}

/** Runbook 1 step 8, "Verify Application": through its health endpoint. */
export async function verifyApplication(run: FailoverRun): Promise<void> {
  const { wf, deps, config } = run;
  let healthy = false;
  for (let i = 1; i <= HEALTH_CHECKS && !healthy; i++) {
    if (i > 1) await wf.wait(`verify-application-wait-${i}`, POLL_SECONDS);
    healthy = await guardedStep(run, `verify-application-${i}`, async () => {
      const h = await deps.ops.checkHealth(config.service.healthCheckUrl);
      record(run, { kind: 'signal', summary: `health ${h.url}: ${h.healthy ? 'healthy' : 'UNHEALTHY'} (${h.detail})`, detail: { statusCode: h.statusCode ?? null } });
      return h.healthy;
    });
  }
  if (!healthy) throw new StopFailover('verify-application', `${config.service.healthCheckUrl} not healthy after ${HEALTH_CHECKS} checks`);
  run.done.push(`${config.service.healthCheckUrl} healthy`);
}

/** Runbook 1 step 9, "Document Incident": the times, downtime and actions on the record; P1 resolved, P2 follow-up. */
export async function documentIncident(run: FailoverRun, completed: CompletedFailover): Promise<FailoverOutcome> {
  const { deps, input, config, diagnosis, done } = run;
  return run.wf.step('document-incident', async () => {
    const now = deps.clock.now();
    deps.incident.set({ status: 'mitigated', mitigatedAt: now });
    const rec = deps.incident.current();
    const downtime = downtimeSeconds(rec);
    record(run, {
      kind: 'note',
      summary: `failover complete: detected ${iso(rec.detectedAt)}, started ${iso(rec.startedAt)}, completed ${iso(now)}, downtime ${downtime ?? '?'}s`,
      detail: { detectedAt: rec.detectedAt, startedAt: rec.startedAt ?? null, completedAt: now, downtimeSeconds: downtime ?? null, actions: rec.actionsTaken },
    });
    for (const page of failoverCompletedPages({ incidentKey: input.incidentKey, config, at: now, diagnosis, done, downtimeSeconds: downtime })) await sendPage(run, page);
    const outcome: FailoverOutcome = { result: 'failed-over', ...completed, ...(downtime !== undefined ? { downtimeSeconds: downtime } : {}) };
    return outcome;
  });
}

function iso(ms: number | undefined): string {
  return ms === undefined ? '?' : new Date(ms).toISOString();
}
