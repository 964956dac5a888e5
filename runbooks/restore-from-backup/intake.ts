/**
 * Runbook 5: Restore from Backup: the intake, run by the shared pipeline (pipeline/intake.ts).
 *
 * Admit, then handle:
 *   - 'Restore Requested' (operator)      -> start the durable restore workflow
 *   - 'S3 Restore Requested' (operator)   -> start the durable S3 restore (dry-run by default)
 *   - RDS snapshot/backup failure events  -> P3 page with the details, nothing else
 * Workflow (durable): its own entry module, handlers/restore-from-backup-workflow.ts, so this
 * intake's bundle never loads the durable SDK.
 */
import { fnv1a, incidentKey } from '../../domain/incident';
import type { S3RestoreRequest } from '../../domain/restore/s3-workflow';
import type { RestoreRequest } from '../../domain/restore/request';
import { backupProblem } from '../../domain/restore/backup-events';
import type { EventOf } from '../../events/types';
import { makePage } from '../../adapters/runtime/wiring';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import { wasRelayed } from '../../pipeline/relayed-requests';
import type { Runtime } from '../../adapters/runtime/runtime-types';

const RUNBOOK = 'restore-from-backup' as const;

export type RestoreWorkflowInput = { kind: 'db'; request: RestoreRequest } | { kind: 's3'; request: S3RestoreRequest };

type Admitted =
  | { kind: 'db-request'; event: EventOf<'restore-request'> }
  | { kind: 's3-request'; event: EventOf<'s3-restore-request'> }
  | { kind: 'unverified'; event: EventOf<'restore-request'> | EventOf<'s3-restore-request'> }
  | { kind: 'backup-problem'; event: EventOf<'rds-snapshot'> | EventOf<'rds-instance'>; key: string; resource: string; problem: string };

export const restoreFromBackupIntakeDefinition: RunbookIntake<Admitted> = {
  runbook: RUNBOOK,
  async admit(event, rt, raw) {
    if (event.kind === 'restore-request' || event.kind === 's3-restore-request') {
      // A person's request acts only when the operator-request function relayed it (verified
      // caller, private bus). A direct invoke or a forged event is refused before anything exists.
      const rawDetail = (raw as { detail?: unknown }).detail;
      if (!(await wasRelayed(rt.store, event.detailType, rawDetail))) {
        const key = incidentKey(RUNBOOK, 'unverified-request', fnv1a(event.id));
        return { kind: 'admit', admitted: { kind: 'unverified', event }, claim: { key: `event:${event.id}`, duplicate: { status: 'ignored', incidentKey: key, reason: 'duplicate event' } } };
      }
      // No claim: the workflow is named after the request's event id, a duplicate joins it.
      return { kind: 'admit', admitted: event.kind === 'restore-request' ? { kind: 'db-request', event } : { kind: 's3-request', event } };
    }
    if (event.kind === 'rds-snapshot' || event.kind === 'rds-instance') {
      const d = event.detail;
      const resource = event.kind === 'rds-snapshot' ? event.detail.snapshotId : event.detail.dbInstanceId;
      const problem = backupProblem(
        rt.config,
        event.kind === 'rds-snapshot' ? { kind: 'rds-snapshot', eventId: d.eventId, snapshotId: event.detail.snapshotId } : { kind: 'rds-instance', eventId: d.eventId, dbInstanceId: event.detail.dbInstanceId },
      );
      if (!problem) {
        rt.logger.info('RDS event not about our backups: ignored', { eventId: d.eventId, resource });
        return { kind: 'ignore', result: { status: 'ignored', reason: `${d.eventId} on ${resource} does not put our backups at risk` } };
      }
      const key = incidentKey(RUNBOOK, `backup-${resource}`, d.eventId);
      return { kind: 'admit', admitted: { kind: 'backup-problem', event, key, resource, problem }, claim: { key: `event:${event.id}`, duplicate: { status: 'ignored', incidentKey: key, reason: 'duplicate event' } } };
    }
    rt.logger.warn('event not for this runbook', { kind: event.kind, id: event.id });
    return { kind: 'ignore', result: { status: 'ignored', reason: `${event.kind} is not handled by ${RUNBOOK}` } };
  },
  handle(admitted, _event, rt) {
    switch (admitted.kind) {
      case 'db-request':
        return startDbRestore(admitted.event, rt);
      case 's3-request':
        return startS3Restore(admitted.event, rt);
      case 'unverified':
        return refuseUnverified(admitted.event, rt);
      case 'backup-problem':
        return pageBackupProblem(admitted, rt);
    }
  },
};

export function handleRestoreEvent(raw: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(restoreFromBackupIntakeDefinition, raw, rt);
}

async function startDbRestore(event: EventOf<'restore-request'>, rt: Runtime): Promise<IntakeResult> {
  const d = event.detail;
  const key = incidentKey(RUNBOOK, d.dbInstanceId, fnv1a(event.id));
  const request: RestoreRequest = { incidentKey: key, dbInstanceId: d.dbInstanceId, source: d.restorePoint, reason: d.reason, requestedBy: d.requestedBy, requestedAt: event.time };
  const session = await rt.openSession({ key, runbook: RUNBOOK, title: `Restore ${d.dbInstanceId} from ${d.restorePoint.kind === 'snapshot' ? d.restorePoint.snapshotId : new Date(d.restorePoint.restoreTime).toISOString()}`, severity: 'P2', detectedAt: event.time });
  session.record({ kind: 'event', runbook: RUNBOOK, summary: `restore requested by ${d.requestedBy}: ${d.reason}` });
  await session.flush();
  const started = await rt.startWorkflow(RUNBOOK, key, { kind: 'db', request } satisfies RestoreWorkflowInput);
  return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: key };
}

async function startS3Restore(event: EventOf<'s3-restore-request'>, rt: Runtime): Promise<IntakeResult> {
  const d = event.detail;
  const key = incidentKey(RUNBOOK, `s3-${d.bucket}`, fnv1a(event.id));
  const request: S3RestoreRequest = { incidentKey: key, bucket: d.bucket, prefix: d.prefix, restoreTime: d.restoreTime, dryRun: d.dryRun, confirmWholeBucket: d.confirmWholeBucket, requestedBy: d.requestedBy };
  const session = await rt.openSession({ key, runbook: RUNBOOK, title: `${d.dryRun ? 'Dry-run ' : ''}S3 restore of s3://${d.bucket}/${d.prefix}`, severity: 'P2', detectedAt: event.time });
  session.record({ kind: 'event', runbook: RUNBOOK, summary: `S3 restore requested by ${d.requestedBy} (dry-run: ${d.dryRun})` });
  await session.flush();
  const started = await rt.startWorkflow(RUNBOOK, key, { kind: 's3', request } satisfies RestoreWorkflowInput);
  return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: key };
}

/** Backup and snapshot failures: a human looks within 4 hours (P3). Nothing to remediate. */
async function pageBackupProblem({ event, key, resource, problem }: Extract<Admitted, { kind: 'backup-problem' }>, rt: Runtime): Promise<IntakeResult> {
  const d = event.detail;
  const session = await rt.openSession({ key, runbook: RUNBOOK, title: `RDS backup problem on ${resource}: ${d.eventId}`, severity: 'P3', detectedAt: event.time });
  session.record({ kind: 'event', runbook: RUNBOOK, summary: `${d.eventId} on ${resource}: ${d.message}` });
  await makePage(rt.pager, rt.clock, session)({
    incidentKey: key,
    runbook: RUNBOOK,
    resource: d.sourceArn,
    action: 'trigger',
    severity: 'P3',
    title: `RDS ${d.eventId} on ${resource}`,
    diagnosis: [`event ${d.eventId} (${d.categories.join(', ')}) at ${new Date(d.date).toISOString()}: ${problem}`, d.message],
    done: ['nothing: backup problems are for a human'],
    refused: [],
    nextStep: `aws rds describe-db-snapshots --db-instance-identifier ${rt.config.database.primaryInstanceId} --snapshot-type automated --query 'DBSnapshots[].[DBSnapshotIdentifier,SnapshotCreateTime,Status]' --output table`,
  });
  await session.flush();
  return { status: 'paged', incidentKey: key };
}

async function refuseUnverified(event: { id: string; detailType: string; time: number; kind: string; detail: { requestedBy: string } }, rt: Runtime): Promise<IntakeResult> {
  const key = incidentKey(RUNBOOK, 'unverified-request', fnv1a(event.id));
  const claimed = event.detail.requestedBy;
  const reason = `UnverifiedRequest: this '${event.detailType}' was not relayed by the operator-request function (a direct invoke, or an event someone put on a bus): its requestedBy "${claimed.slice(0, 200)}" is only a claim`;
  const session = await rt.openSession({ key, runbook: RUNBOOK, title: `Unverified ${event.detailType} refused`, severity: 'P2', detectedAt: event.time });
  session.record({ kind: 'guardrail', runbook: RUNBOOK, summary: `VerifiedRequester: REFUSE - ${reason}`, verdict: { guardrail: 'VerifiedRequester', pass: false, reason } });
  await makePage(rt.pager, rt.clock, session)({
    incidentKey: key,
    runbook: RUNBOOK,
    resource: 'operator request',
    action: 'trigger',
    severity: 'P2',
    title: `Unverified ${event.detailType} refused: nothing restored`,
    diagnosis: [`event ${event.id} at ${new Date(event.time).toISOString()}`, `claimed requester (not verified): ${claimed.slice(0, 200)}`],
    done: ['nothing: no snapshot, no instance, no object was touched'],
    refused: [{ action: event.kind, guardrail: 'VerifiedRequester', reason }],
    nextStep: 'If the restore is wanted, ask through `autopilot request ...` (it verifies who you are). If nobody sent this, find the caller in CloudTrail (lambda:Invoke / events:PutEvents).',
  });
  session.incident.status = 'escalated';
  await session.flush();
  return { status: 'paged', incidentKey: key, reason };
}
