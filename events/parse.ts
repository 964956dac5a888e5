/**
 * parseEvent: the one door every event comes through.
 *
 * Order of checks, cheapest and most fundamental first: size, JSON, envelope, who sent it
 * (account, region), when (age), what it is (source + detail-type), then its detail.
 * The result is either a fully typed event or a rejection naming the field; it never
 * throws and never returns a partly read event.
 */
import type { AutopilotConfig } from '../domain/config';
import { AUTOPILOT_EVENT_SOURCE } from '../handlers/shared/contract';
import { readAlarmDetail } from './alarm';
import { readRestoreRequest, readRollbackRequest, readS3RestoreRequest, readScaleRequest } from './autopilot';
import { readCodeDeployDetail } from './codedeploy';
import { readEcsDeploymentDetail, readEcsTaskDetail } from './ecs';
import { Fields, FieldRejection, MAX_CLOCK_SKEW_SECONDS, describe, isObject, reject, type Rejection } from './fields';
import { readRdsInstanceDetail, readRdsSnapshotDetail } from './rds';
import { readScheduledDetail } from './scheduled';
import { AUTOPILOT_DETAIL_TYPES, AWS_EVENT_TYPES, type AutopilotEvent, type EventEnvelope, type EventKind, type EventOf } from './types';

/** EventBridge's maximum event entry size. */
export const MAX_EVENT_BYTES = 256 * 1024;

export interface ParseContext {
  config: AutopilotConfig;
  /** epoch ms */
  now: number;
  /**
   * Skip the age check. Only for offline tools (`autopilot route`) that ask "where would
   * this event go", never for the handlers, which must ignore stale events.
   */
  ignoreAge?: boolean;
}

export type ParseResult = { ok: true; event: AutopilotEvent } | { ok: false; rejection: Rejection };

/** A kind with its detail, before the envelope is attached. */
type Detail = { [K in EventKind]: { kind: K; detail: EventOf<K>['detail'] } }[EventKind];

/** source -> detail-type -> reader of that detail. */
const READERS: Record<string, Record<string, (detail: Fields, envelope: EventEnvelope) => Detail>> = {
  [AWS_EVENT_TYPES.alarm.source]: {
    [AWS_EVENT_TYPES.alarm.detailType]: (d) => ({ kind: 'alarm', detail: readAlarmDetail(d) }),
  },
  [AWS_EVENT_TYPES.rdsInstance.source]: {
    [AWS_EVENT_TYPES.rdsInstance.detailType]: (d) => ({ kind: 'rds-instance', detail: readRdsInstanceDetail(d) }),
    [AWS_EVENT_TYPES.rdsSnapshot.detailType]: (d) => ({ kind: 'rds-snapshot', detail: readRdsSnapshotDetail(d) }),
  },
  [AWS_EVENT_TYPES.ecsDeployment.source]: {
    [AWS_EVENT_TYPES.ecsDeployment.detailType]: (d, e) => ({ kind: 'ecs-deployment', detail: readEcsDeploymentDetail(d, e.resources) }),
    [AWS_EVENT_TYPES.ecsTask.detailType]: (d) => ({ kind: 'ecs-task', detail: readEcsTaskDetail(d) }),
  },
  [AWS_EVENT_TYPES.codeDeploy.source]: {
    [AWS_EVENT_TYPES.codeDeploy.detailType]: (d) => ({ kind: 'codedeploy', detail: readCodeDeployDetail(d) }),
  },
  [AWS_EVENT_TYPES.scheduled.source]: {
    [AWS_EVENT_TYPES.scheduled.detailType]: (d) => ({ kind: 'scheduled', detail: readScheduledDetail(d) }),
  },
  [AUTOPILOT_EVENT_SOURCE]: {
    [AUTOPILOT_DETAIL_TYPES.restoreRequested]: (d) => ({ kind: 'restore-request', detail: readRestoreRequest(d) }),
    [AUTOPILOT_DETAIL_TYPES.s3RestoreRequested]: (d) => ({ kind: 's3-restore-request', detail: readS3RestoreRequest(d) }),
    [AUTOPILOT_DETAIL_TYPES.rollbackRequested]: (d) => ({ kind: 'rollback-request', detail: readRollbackRequest(d) }),
    [AUTOPILOT_DETAIL_TYPES.scaleRequested]: (d) => ({ kind: 'scale-request', detail: readScaleRequest(d) }),
  },
};

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The JSON object behind the input, after the size check. */
function readRoot(raw: unknown): Fields {
  if (typeof raw === 'string') {
    if (byteLength(raw) > MAX_EVENT_BYTES) reject('oversized', undefined, `event is ${byteLength(raw)} bytes, over the ${MAX_EVENT_BYTES}-byte EventBridge limit`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      reject('malformed-json', undefined, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!isObject(parsed)) reject('not-an-object', undefined, `expected a JSON object, got ${describe(parsed)}`);
    return new Fields(parsed, '');
  }
  if (!isObject(raw)) reject('not-an-object', undefined, `expected an event object or JSON text, got ${describe(raw)}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(raw);
  } catch {
    reject('not-an-object', undefined, 'event object cannot be serialised as JSON');
  }
  if (text === undefined) reject('not-an-object', undefined, 'event object cannot be serialised as JSON');
  if (byteLength(text) > MAX_EVENT_BYTES) reject('oversized', undefined, `event is ${byteLength(text)} bytes, over the ${MAX_EVENT_BYTES}-byte EventBridge limit`);
  return new Fields(raw, '');
}

function readEnvelope(root: Fields, ctx: ParseContext): EventEnvelope {
  const envelope: EventEnvelope = {
    id: root.id('id'),
    account: root.matching('account', /^\d{12}$/, 'a 12-digit account ID'),
    region: root.string('region'),
    time: root.isoTime('time'),
    source: root.string('source'),
    detailType: root.string('detail-type'),
    resources: root.stringArrayOr('resources', []),
  };
  const { config } = ctx;
  if (!config.accountIds.includes(envelope.account)) {
    reject('foreign-account', 'account', `account ${envelope.account} is not one of the configured accounts (${config.accountIds.join(', ')})`);
  }
  const regions = [config.primaryRegion, config.secondaryRegion];
  if (!regions.includes(envelope.region)) {
    reject('foreign-region', 'region', `region ${envelope.region} is not one of the configured regions (${regions.join(', ')})`);
  }
  const ageSeconds = (ctx.now - envelope.time) / 1000;
  if (!ctx.ignoreAge && ageSeconds > config.maxEventAgeSeconds) {
    reject('too-old', 'time', `event is ${Math.round(ageSeconds)} s old, older than the ${config.maxEventAgeSeconds} s limit`);
  }
  // A time ahead of ours beyond the skew is forged or broken: it would also dodge the age check.
  if (!ctx.ignoreAge && -ageSeconds > MAX_CLOCK_SKEW_SECONDS) {
    reject('future-time', 'time', `event time is ${Math.round(-ageSeconds)} s in the future, beyond the ${MAX_CLOCK_SKEW_SECONDS} s clock skew allowed`);
  }
  envelope.resources.forEach((arn, i) => ownAccountArn(arn, `resources[${i}]`, envelope.account));
  return envelope;
}

/**
 * An event acts only on resources of its own account (which must be a configured one: by
 * default the deploying account alone). S3 ARNs carry no account and are checked by name.
 */
function ownAccountArn(arn: string, field: string, account: string): void {
  const m = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d*):/.exec(arn);
  if (m && m[1] !== '' && m[1] !== account) {
    reject('foreign-account', field, `resource of account ${m[1]}, not of the event's account ${account}`);
  }
}

/** ARNs inside the detail (RDS SourceArn, ECS clusterArn/taskArn/...): the same account rule. */
function checkDetailArns(detail: Fields, account: string): void {
  for (const [key, value] of Object.entries(detail.value)) {
    if (typeof value === 'string' && /arn$/i.test(key) && value.startsWith('arn:')) ownAccountArn(value, detail.at(key), account);
  }
}

function readEvent(raw: unknown, ctx: ParseContext): AutopilotEvent {
  const root = readRoot(raw);
  const envelope = readEnvelope(root, ctx);
  const bySource = Object.hasOwn(READERS, envelope.source) ? READERS[envelope.source] : undefined;
  const reader = bySource && Object.hasOwn(bySource, envelope.detailType) ? bySource[envelope.detailType] : undefined;
  if (!reader) {
    reject('unknown-event-type', 'detail-type', `no parser for source "${envelope.source}" with detail-type "${envelope.detailType}"`);
  }
  const detailFields = root.object('detail');
  checkDetailArns(detailFields, envelope.account);
  const { kind, detail } = reader(detailFields, envelope);
  return { ...envelope, kind, detail } as AutopilotEvent;
}

/** Parse and validate one event (JSON text or an already-decoded object). Never throws. */
export function parseEvent(raw: unknown, ctx: ParseContext): ParseResult {
  try {
    return { ok: true, event: readEvent(raw, ctx) };
  } catch (err) {
    if (err instanceof FieldRejection) return { ok: false, rejection: err.rejection };
    // A reader bug or an exotic input (a throwing getter): still a structured rejection.
    return { ok: false, rejection: { code: 'bad-value', message: `unreadable event: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/** One line for logs: `rejected <code> <message>`. */
export function describeRejection(rejection: Rejection): string {
  return `rejected ${rejection.code}: ${rejection.message}`;
}
