/**
 * Our own events (source runbook-autopilot): operator requests and runbook hand-offs.
 * The schemas are ours, so they are strict: a request that is ambiguous (a restore with
 * both a snapshot and a time) is refused rather than guessed at.
 */
import { Fields, reject } from './fields';
import type { RestoreRequestDetail, RollbackRequestDetail, S3RestoreRequestDetail, ScaleRequestDetail } from './types';

export const RESTORE_REQUEST_FIELDS = ['dbInstanceId', 'snapshotId', 'restoreTime', 'reason', 'requestedBy'] as const;
export const S3_RESTORE_REQUEST_FIELDS = ['bucket', 'prefix', 'restoreTime', 'dryRun', 'confirmWholeBucket', 'requestedBy'] as const;
export const ROLLBACK_REQUEST_FIELDS = ['cluster', 'service', 'reason', 'requestedBy', 'incidentKey', 'evidence'] as const;
export const SCALE_REQUEST_FIELDS = ['cluster', 'service', 'reason', 'incidentKey', 'evidence'] as const;

export function readRestoreRequest(detail: Fields): RestoreRequestDetail {
  detail.only(RESTORE_REQUEST_FIELDS);
  const hasSnapshot = detail.has('snapshotId');
  const hasTime = detail.has('restoreTime');
  if (hasSnapshot === hasTime) {
    reject(
      hasSnapshot ? 'bad-value' : 'missing-field',
      detail.at(hasSnapshot ? 'snapshotId' : 'restoreTime'),
      'expected exactly one of snapshotId | restoreTime',
    );
  }
  return {
    dbInstanceId: detail.id('dbInstanceId'),
    restorePoint: hasSnapshot
      ? { kind: 'snapshot', snapshotId: detail.id('snapshotId') }
      : { kind: 'point-in-time', restoreTime: detail.isoTime('restoreTime') },
    reason: detail.string('reason'),
    requestedBy: detail.identity('requestedBy'),
  };
}

export function readS3RestoreRequest(detail: Fields): S3RestoreRequestDetail {
  detail.only(S3_RESTORE_REQUEST_FIELDS);
  return {
    bucket: detail.id('bucket'),
    // An empty prefix would mean the whole bucket: allowed, but it must be said explicitly.
    prefix: detail.text('prefix'),
    restoreTime: detail.isoTime('restoreTime'),
    dryRun: detail.booleanOr('dryRun', true),
    // (confirmWholeBucket: true); the restore workflow refuses an empty prefix otherwise.
    confirmWholeBucket: detail.booleanOr('confirmWholeBucket', false),
    requestedBy: detail.identity('requestedBy'),
  };
}

function optionalEvidence(detail: Fields): { evidence?: string[] } {
  return detail.has('evidence') ? { evidence: detail.stringArray('evidence') } : {};
}

export function readRollbackRequest(detail: Fields): RollbackRequestDetail {
  detail.only(ROLLBACK_REQUEST_FIELDS);
  const incidentKey = detail.optionalId('incidentKey');
  return {
    cluster: detail.id('cluster'),
    service: detail.id('service'),
    reason: detail.string('reason'),
    requestedBy: detail.identity('requestedBy'),
    ...(incidentKey !== undefined ? { incidentKey } : {}),
    ...optionalEvidence(detail),
  };
}

export function readScaleRequest(detail: Fields): ScaleRequestDetail {
  detail.only(SCALE_REQUEST_FIELDS);
  return {
    cluster: detail.id('cluster'),
    service: detail.id('service'),
    reason: detail.string('reason'),
    incidentKey: detail.id('incidentKey'),
    evidence: detail.stringArray('evidence'),
  };
}
