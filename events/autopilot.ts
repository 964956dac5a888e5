/**
 * Our own events (source runbook-autopilot): operator requests and runbook hand-offs.
 * The schemas are ours, so they are strict: a request that is ambiguous (a restore with
 * both a snapshot and a time) is refused rather than guessed at.
 */
import { Fields, reject } from './fields';
import type { RestoreRequestDetail, RollbackRequestDetail, S3RestoreRequestDetail, ScaleRequestDetail } from './types';

export function readRestoreRequest(detail: Fields): RestoreRequestDetail {
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
    dbInstanceId: detail.string('dbInstanceId'),
    restorePoint: hasSnapshot
      ? { kind: 'snapshot', snapshotId: detail.string('snapshotId') }
      : { kind: 'point-in-time', restoreTime: detail.isoTime('restoreTime') },
    reason: detail.string('reason'),
    requestedBy: detail.string('requestedBy'),
  };
}

export function readS3RestoreRequest(detail: Fields): S3RestoreRequestDetail {
  return {
    bucket: detail.string('bucket'),
    // An empty prefix would mean the whole bucket: allowed, but it must be said explicitly.
    prefix: detail.text('prefix'),
    restoreTime: detail.isoTime('restoreTime'),
    dryRun: detail.booleanOr('dryRun', true),
    requestedBy: detail.string('requestedBy'),
  };
}

function optionalEvidence(detail: Fields): { evidence?: string[] } {
  return detail.has('evidence') ? { evidence: detail.stringArray('evidence') } : {};
}

export function readRollbackRequest(detail: Fields): RollbackRequestDetail {
  const incidentKey = detail.optionalString('incidentKey');
  return {
    cluster: detail.string('cluster'),
    service: detail.string('service'),
    reason: detail.string('reason'),
    requestedBy: detail.string('requestedBy'),
    ...(incidentKey !== undefined ? { incidentKey } : {}),
    ...optionalEvidence(detail),
  };
}

export function readScaleRequest(detail: Fields): ScaleRequestDetail {
  return {
    cluster: detail.string('cluster'),
    service: detail.string('service'),
    reason: detail.string('reason'),
    incidentKey: detail.string('incidentKey'),
    evidence: detail.stringArray('evidence'),
  };
}
