/**
 * Runbook 5, "Restore from Backup": the intake's decision, pure. What was admitted (a relayed
 * operator request, one that was not relayed, a backup problem) + the incident's record -> one
 * plan: start (or join, by the request's event id) the durable restore, refuse an unverified
 * request with a P2, or page a backup problem (P3: a human looks within 4 hours).
 */
import type { AutopilotConfig } from '../config';
import { fnv1a, incidentKey, type IncidentRecord } from '../incident';
import type { DecisionContext, IntakePlan } from '../intake-plan';
import { quoteUntrusted } from '../untrusted-text';
import type { EventOf } from '../../events/types';
import type { RestoreRequest } from './request';
import type { S3RestoreRequest } from './s3-workflow';

const RUNBOOK = 'restore-from-backup' as const;

export type RestoreWorkflowInput = { kind: 'db'; request: RestoreRequest } | { kind: 's3'; request: S3RestoreRequest };

export type RestoreAdmitted =
  | { kind: 'db-request'; event: EventOf<'restore-request'> }
  | { kind: 's3-request'; event: EventOf<'s3-restore-request'> }
  | { kind: 'unverified'; event: EventOf<'restore-request'> | EventOf<'s3-restore-request'> }
  | { kind: 'backup-problem'; event: EventOf<'rds-snapshot'> | EventOf<'rds-instance'>; resource: string; problem: string };

export interface RestoreIntakeFacts {
  /** The incident's record, as stored (a request's: its workflow was started when there is one). */
  loaded: IncidentRecord | undefined;
}

/** One incident per request (its event id) and per backup problem. */
export function restoreIncidentKey(admitted: RestoreAdmitted): string {
  switch (admitted.kind) {
    case 'db-request':
      return incidentKey(RUNBOOK, admitted.event.detail.dbInstanceId, fnv1a(admitted.event.id));
    case 's3-request':
      return incidentKey(RUNBOOK, `s3-${admitted.event.detail.bucket}`, fnv1a(admitted.event.id));
    case 'unverified':
      return incidentKey(RUNBOOK, 'unverified-request', fnv1a(admitted.event.id));
    case 'backup-problem':
      return incidentKey(RUNBOOK, `backup-${admitted.resource}`, admitted.event.detail.eventId);
  }
}

export function restoreIntakePlan(admitted: RestoreAdmitted, { loaded }: RestoreIntakeFacts, { config }: DecisionContext): IntakePlan {
  const key = restoreIncidentKey(admitted);
  switch (admitted.kind) {
    case 'db-request':
      return startDbRestore(admitted.event, key, loaded);
    case 's3-request':
      return startS3Restore(admitted.event, key, loaded);
    case 'unverified':
      return refuseUnverified(admitted.event, key, loaded);
    case 'backup-problem':
      return pageBackupProblem(admitted, key, loaded, config);
  }
}

// A request's workflow is named after its incident (its event id): a record means it was started, this joins it.
function startDbRestore(event: EventOf<'restore-request'>, key: string, loaded: IncidentRecord | undefined): IntakePlan {
  const d = event.detail;
  const request: RestoreRequest = { incidentKey: key, dbInstanceId: d.dbInstanceId, source: d.restorePoint, reason: d.reason, requestedBy: d.requestedBy, requestedAt: event.time };
  const from = d.restorePoint.kind === 'snapshot' ? d.restorePoint.snapshotId : new Date(d.restorePoint.restoreTime).toISOString();
  return {
    kind: 'start',
    record: { kind: 'continue', init: { key, runbook: RUNBOOK, title: `Restore ${d.dbInstanceId} from ${from}`, severity: 'P2', detectedAt: event.time }, loaded },
    // The requester is the identity the operator-request function verified; the reason is their free text.
    entries: [{ kind: 'event', runbook: RUNBOOK, summary: `restore requested by ${d.requestedBy}: ${quoteUntrusted(d.reason)}` }],
    joining: loaded !== undefined,
    workflow: { executionName: key, input: { kind: 'db', request } satisfies RestoreWorkflowInput },
  };
}

function startS3Restore(event: EventOf<'s3-restore-request'>, key: string, loaded: IncidentRecord | undefined): IntakePlan {
  const d = event.detail;
  const request: S3RestoreRequest = { incidentKey: key, bucket: d.bucket, prefix: d.prefix, restoreTime: d.restoreTime, dryRun: d.dryRun, confirmWholeBucket: d.confirmWholeBucket, requestedBy: d.requestedBy };
  return {
    kind: 'start',
    record: { kind: 'continue', init: { key, runbook: RUNBOOK, title: `${d.dryRun ? 'Dry-run ' : ''}S3 restore of s3://${d.bucket}/${d.prefix}`, severity: 'P2', detectedAt: event.time }, loaded },
    entries: [{ kind: 'event', runbook: RUNBOOK, summary: `S3 restore requested by ${d.requestedBy} (dry-run: ${d.dryRun})` }],
    joining: loaded !== undefined,
    workflow: { executionName: key, input: { kind: 's3', request } satisfies RestoreWorkflowInput },
  };
}

/** A person's request acts only when the operator-request function relayed it: anything else is only a claim. */
function refuseUnverified(event: Extract<RestoreAdmitted, { kind: 'unverified' }>['event'], key: string, loaded: IncidentRecord | undefined): IntakePlan {
  // Someone's claim, never obeyed: quoted and bounded, so it cannot make the page say a restore happened or carry a link.
  const claimed = quoteUntrusted(event.detail.requestedBy, 200);
  const reason = `UnverifiedRequest: this '${event.detailType}' was not relayed by the operator-request function (a direct invoke, or an event someone put on a bus): its requestedBy ${claimed} is only a claim`;
  return {
    kind: 'page',
    record: { kind: 'continue', init: { key, runbook: RUNBOOK, title: `Unverified ${event.detailType} refused`, severity: 'P2', detectedAt: event.time }, loaded },
    entries: [{ kind: 'guardrail', runbook: RUNBOOK, summary: `VerifiedRequester: REFUSE - ${reason}`, verdict: { guardrail: 'VerifiedRequester', pass: false, reason } }],
    patch: { status: 'escalated' },
    page: {
      incidentKey: key,
      runbook: RUNBOOK,
      resource: 'operator request',
      action: 'trigger',
      severity: 'P2',
      title: `Unverified ${event.detailType} refused: nothing restored`,
      diagnosis: [`event ${event.id} at ${new Date(event.time).toISOString()}`, `claimed requester (not verified): ${claimed}`],
      done: ['nothing: no snapshot, no instance, no object was touched'],
      refused: [{ action: event.kind, guardrail: 'VerifiedRequester', reason }],
      nextStep: 'If the restore is wanted, ask through `autopilot request ...` (it verifies who you are). If nobody sent this, find the caller in CloudTrail (lambda:Invoke / events:PutEvents).',
    },
    reason,
  };
}

/** Backup and snapshot failures: a human looks within 4 hours (P3). Nothing to remediate. */
function pageBackupProblem({ event, resource, problem }: Extract<RestoreAdmitted, { kind: 'backup-problem' }>, key: string, loaded: IncidentRecord | undefined, config: AutopilotConfig): IntakePlan {
  const d = event.detail;
  return {
    kind: 'page',
    record: { kind: 'continue', init: { key, runbook: RUNBOOK, title: `RDS backup problem on ${resource}: ${d.eventId}`, severity: 'P3', detectedAt: event.time }, loaded },
    entries: [{ kind: 'event', runbook: RUNBOOK, summary: `${d.eventId} on ${resource}: ${d.message}` }],
    page: {
      incidentKey: key,
      runbook: RUNBOOK,
      resource: d.sourceArn,
      action: 'trigger',
      severity: 'P3',
      title: `RDS ${d.eventId} on ${resource}`,
      diagnosis: [`event ${d.eventId} (${d.categories.join(', ')}) at ${new Date(d.date).toISOString()}: ${problem}`, d.message],
      done: ['nothing: backup problems are for a human'],
      refused: [],
      nextStep: `aws rds describe-db-snapshots --db-instance-identifier ${config.database.primaryInstanceId} --snapshot-type automated --query 'DBSnapshots[].[DBSnapshotIdentifier,SnapshotCreateTime,Status]' --output table`,
    },
  };
}
