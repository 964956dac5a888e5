/**
 * Runbook 5: Restore from Backup: the intake, run by the shared pipeline (pipeline/intake.ts).
 *
 * Admit (verify), then decide (domain/restore/intake-plan, pure):
 *   - 'Restore Requested' (operator)      -> start the durable restore workflow
 *   - 'S3 Restore Requested' (operator)   -> start the durable S3 restore (dry-run by default)
 *   - either, not relayed by the operator-request function -> P2, nothing touched
 *   - RDS snapshot/backup failure events  -> P3 page with the details, nothing else
 * Workflow (durable): its own entry module, handlers/restore-from-backup-workflow.ts, so this
 * intake's bundle never loads the durable SDK.
 */
import { backupProblem } from '../../domain/restore/backup-events';
import { restoreIncidentKey, restoreIntakePlan, type RestoreAdmitted, type RestoreIntakeFacts, type RestoreWorkflowInput } from '../../domain/restore/intake-plan';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import { wasRelayed } from '../../pipeline/relayed-requests';
import type { Runtime } from '../../adapters/runtime/runtime-types';

export type { RestoreWorkflowInput };

const RUNBOOK = 'restore-from-backup' as const;

export const restoreFromBackupIntakeDefinition: RunbookIntake<RestoreAdmitted, RestoreIntakeFacts> = {
  runbook: RUNBOOK,
  async admit(event, rt, raw) {
    if (event.kind === 'restore-request' || event.kind === 's3-restore-request') {
      // A person's request acts only when the operator-request function relayed it (verified
      // caller, private bus). A direct invoke or a forged event is refused before anything exists.
      const rawDetail = (raw as { detail?: unknown }).detail;
      if (!(await wasRelayed(rt.store, event.detailType, rawDetail))) {
        const admitted: RestoreAdmitted = { kind: 'unverified', event };
        return { kind: 'admit', admitted, claim: { key: `event:${event.id}`, duplicate: { status: 'ignored', incidentKey: restoreIncidentKey(admitted), reason: 'duplicate event' } } };
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
      const admitted: RestoreAdmitted = { kind: 'backup-problem', event, resource, problem };
      return { kind: 'admit', admitted, claim: { key: `event:${event.id}`, duplicate: { status: 'ignored', incidentKey: restoreIncidentKey(admitted), reason: 'duplicate event' } } };
    }
    rt.logger.warn('event not for this runbook', { kind: event.kind, id: event.id });
    return { kind: 'ignore', result: { status: 'ignored', reason: `${event.kind} is not handled by ${RUNBOOK}` } };
  },
  readFacts: async (admitted, _event, rt) => ({ loaded: await rt.store.loadIncident(restoreIncidentKey(admitted)) }),
  decide: restoreIntakePlan,
};

export function handleRestoreEvent(raw: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(restoreFromBackupIntakeDefinition, raw, rt);
}
