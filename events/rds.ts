/**
 * RDS DB Instance Event / RDS DB Snapshot Event.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.overview.html#events-examples
 * IDs and categories: ../shared/reference/RDS_EVENT_IDS.md. Runbooks match on EventID only.
 */
import { Fields, reject } from './fields';
import type { RdsEventDetail, RdsInstanceDetail, RdsSnapshotDetail } from './types';

const EVENT_ID = /^RDS-EVENT-\d{4}$/;

function readCommon(detail: Fields): RdsEventDetail {
  return {
    eventId: detail.matching('EventID', EVENT_ID, 'an RDS event ID (RDS-EVENT-nnnn)'),
    categories: detail.stringArray('EventCategories'),
    sourceArn: detail.string('SourceArn'),
    sourceIdentifier: detail.string('SourceIdentifier'),
    date: detail.isoTime('Date'),
    message: detail.text('Message'),
  };
}

/** The resource id after `:<kind>:` in an RDS ARN (arn:aws:rds:region:account:<kind>:<id>). */
function idFromArn(detail: Fields, arn: string, kind: 'db' | 'snapshot'): string {
  const m = /^arn:[^:]+:rds:[^:]+:\d+:([a-z-]+):(.+)$/.exec(arn);
  if (!m || m[1] !== kind) reject('bad-value', detail.at('SourceArn'), `expected an RDS ${kind} ARN, got "${arn}"`);
  return m[2] as string;
}

export function readRdsInstanceDetail(detail: Fields): RdsInstanceDetail {
  const common = readCommon(detail);
  const sourceType = detail.oneOf('SourceType', ['DB_INSTANCE'] as const);
  return { ...common, sourceType, dbInstanceId: idFromArn(detail, common.sourceArn, 'db') };
}

export function readRdsSnapshotDetail(detail: Fields): RdsSnapshotDetail {
  const common = readCommon(detail);
  const sourceType = detail.oneOf('SourceType', ['SNAPSHOT'] as const);
  return { ...common, sourceType, snapshotId: idFromArn(detail, common.sourceArn, 'snapshot') };
}
