/**
 * The bad-input corpus (issue 8): inputs an attacker, a misconfigured account or a broken
 * producer could deliver, each with the outcome the autopilot owes it: a named rejection
 * from parseEvent, or "unrouted" (well-formed, but no rule delivers it: unknown alarm
 * names, other resources). Built from the samples, relative to `now`, so the same corpus
 * serves the parser tests, the handler tests (no AWS mutation may follow) and the figures.
 */
import type { AutopilotConfig } from '../domain/config';
import { routeEvent } from '../runbooks/routing';
import type { RejectionCode } from './fields';
import { MAX_EVENT_BYTES, parseEvent } from './parse';
import { loadSample } from './samples/load';

export type BadInputOutcome = RejectionCode | 'unrouted';

export interface BadInput {
  name: string;
  /** JSON text or a decoded object, as a handler could receive it */
  input: unknown;
  expected: BadInputOutcome;
}

type Json = Record<string, unknown>;

/** A sample stamped `ageSeconds` before now, then changed. */
function fromSample(name: string, now: number, change: (event: Json, detail: Json) => void = () => {}, ageSeconds = 10): Json {
  const event = loadSample(name);
  event.time = new Date(now - ageSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  change(event, event.detail as Json);
  return event;
}

export function badInputCorpus(config: AutopilotConfig, now: number): BadInput[] {
  const fresh = (name: string, change?: (event: Json, detail: Json) => void) => fromSample(name, now, change);
  const foreignAccount = '999999999999';
  const foreignRegion = ['eu-west-1', 'ap-southeast-2'].find((r) => r !== config.primaryRegion && r !== config.secondaryRegion) as string;
  return [
    { name: 'truncated JSON', input: JSON.stringify(fresh('alarm-5xx-alarm')).slice(0, 120), expected: 'malformed-json' },
    { name: 'empty body', input: '', expected: 'malformed-json' },
    { name: 'JSON with a trailing comma', input: '{"id": "x", "detail": {},}', expected: 'malformed-json' },
    { name: 'JSON array', input: '[{"source": "aws.cloudwatch"}]', expected: 'not-an-object' },
    { name: 'JSON number', input: '42', expected: 'not-an-object' },
    { name: 'null', input: null, expected: 'not-an-object' },
    {
      name: 'oversized (300 KB of detail)',
      input: JSON.stringify(fresh('alarm-5xx-alarm', (_e, d) => (d.padding = 'x'.repeat(MAX_EVENT_BYTES + 44_000)))),
      expected: 'oversized',
    },
    { name: 'missing detail', input: fresh('alarm-5xx-alarm', (e) => delete e.detail), expected: 'missing-field' },
    { name: 'missing alarm name', input: fresh('alarm-5xx-alarm', (_e, d) => delete d.alarmName), expected: 'missing-field' },
    { name: 'missing RDS EventID', input: fresh('rds-instance-storage-full', (_e, d) => delete d.EventID), expected: 'missing-field' },
    { name: 'restore request with neither snapshot nor time', input: fresh('autopilot-restore-requested', (_e, d) => delete d.snapshotId), expected: 'missing-field' },
    { name: 'alarm state as a number', input: fresh('alarm-5xx-alarm', (_e, d) => ((d.state as Json).value = 1)), expected: 'wrong-type' },
    { name: 'containers not an array', input: fresh('ecs-task-stopped-oom', (_e, d) => (d.containers = 'app')), expected: 'wrong-type' },
    { name: 'scale request evidence as text', input: fresh('autopilot-scale-requested', (_e, d) => (d.evidence = 'cpu high')), expected: 'wrong-type' },
    { name: 'S3 restore dryRun as a string', input: fresh('autopilot-s3-restore-requested', (_e, d) => (d.dryRun = 'false')), expected: 'wrong-type' },
    { name: 'unknown alarm state', input: fresh('alarm-5xx-alarm', (_e, d) => ((d.state as Json).value = 'FOO')), expected: 'bad-value' },
    { name: 'RDS EventID that is not an ID', input: fresh('rds-instance-storage-full', (_e, d) => (d.EventID = 'failover')), expected: 'bad-value' },
    { name: 'unparseable event time', input: fresh('alarm-5xx-alarm', (e) => (e.time = 'yesterday')), expected: 'bad-value' },
    {
      name: 'restore request with both snapshot and time',
      input: fresh('autopilot-restore-requested', (_e, d) => (d.restoreTime = new Date(now - 3_600_000).toISOString())),
      expected: 'bad-value',
    },
    { name: 'empty cluster name in a rollback request', input: fresh('autopilot-rollback-requested', (_e, d) => (d.cluster = ' ')), expected: 'bad-value' },
    { name: 'account that is not 12 digits', input: fresh('alarm-5xx-alarm', (e) => (e.account = 'root')), expected: 'bad-value' },
    { name: 'EC2 state change', input: fresh('alarm-5xx-alarm', (e) => ((e.source = 'aws.ec2'), (e['detail-type'] = 'EC2 Instance State-change Notification'))), expected: 'unknown-event-type' },
    { name: 'alarm configuration change', input: fresh('alarm-5xx-alarm', (e) => (e['detail-type'] = 'CloudWatch Alarm Configuration Change')), expected: 'unknown-event-type' },
    { name: 'our source, unknown request', input: fresh('autopilot-scale-requested', (e) => (e['detail-type'] = 'Delete Everything')), expected: 'unknown-event-type' },
    { name: 'alarm from another account', input: fresh('alarm-5xx-alarm', (e) => (e.account = foreignAccount)), expected: 'foreign-account' },
    { name: 'rollback request from another account', input: fresh('autopilot-rollback-requested', (e) => (e.account = foreignAccount)), expected: 'foreign-account' },
    { name: 'alarm from another region', input: fresh('alarm-5xx-alarm', (e) => (e.region = foreignRegion)), expected: 'foreign-region' },
    { name: 'replayed alarm, older than the age limit', input: fromSample('alarm-db-down-composite', now, undefined, config.maxEventAgeSeconds + 60), expected: 'too-old' },
    { name: 'replayed deployment failure from yesterday', input: fromSample('ecs-deployment-failed', now, undefined, 86_400), expected: 'too-old' },
    // Issue 14 item 9: time from the future, unknown fields in our own events, look-alike identities, ids too long for the state table, resources of another account.
    { name: 'alarm stamped an hour in the future', input: fromSample('alarm-5xx-alarm', now, undefined, -3600), expected: 'future-time' },
    { name: 'restore request with an unknown field ("approved")', input: fresh('autopilot-restore-requested', (_e, d) => (d.approved = true)), expected: 'unknown-field' },
    { name: 'S3 restore request with an unknown field ("skipDryRun")', input: fresh('autopilot-s3-restore-requested', (_e, d) => (d.skipDryRun = true)), expected: 'unknown-field' },
    { name: 'rollback request with a misspelt field ("requestedby")', input: fresh('autopilot-rollback-requested', (_e, d) => (d.requestedby = 'ops')), expected: 'unknown-field' },
    { name: 'requester with a zero-width space', input: fresh('autopilot-restore-requested', (_e, d) => (d.requestedBy = 'ali\u200bce@regami.com')), expected: 'bad-identity' },
    { name: 'requester with a newline', input: fresh('autopilot-rollback-requested', (_e, d) => (d.requestedBy = 'ops\nAPPROVED')), expected: 'bad-identity' },
    { name: 'requester with a right-to-left override', input: fresh('autopilot-s3-restore-requested', (_e, d) => (d.requestedBy = 'bob\u202emoc.imager')), expected: 'bad-identity' },
    { name: 'database id longer than the state table allows', input: fresh('autopilot-restore-requested', (_e, d) => (d.dbInstanceId = 'd'.repeat(300))), expected: 'too-long' },
    { name: 'event id of 2,000 bytes', input: fresh('alarm-5xx-alarm', (e) => (e.id = 'e'.repeat(2000))), expected: 'too-long' },
    { name: 'hand-off incident key longer than the state table allows', input: fresh('autopilot-scale-requested', (_e, d) => (d.incidentKey = 'k'.repeat(1100))), expected: 'too-long' },
    {
      name: 'RDS event about another account\'s database',
      input: fresh('rds-instance-storage-full', (e, d) => {
        e.resources = [`arn:aws:rds:${config.primaryRegion}:${foreignAccount}:db:${config.database.primaryInstanceId}`];
        d.SourceArn = (e.resources as string[])[0];
      }),
      expected: 'foreign-account',
    },
    { name: 'ECS deployment failure of another account\'s service', input: fresh('ecs-deployment-failed', (e) => (e.resources = [String((e.resources as string[])[0]).replace(/:\d{12}:/, `:${foreignAccount}:`)])), expected: 'foreign-account' },
    { name: 'unknown alarm name', input: fresh('alarm-unrelated'), expected: 'unrouted' },
    { name: 'look-alike alarm name', input: fresh('alarm-5xx-alarm', (_e, d) => (d.alarmName = 'staging-regami-alb-5xx-high')), expected: 'unrouted' },
    {
      name: 'RDS failure of another instance',
      input: fresh('rds-instance-storage-full', (e, d) => {
        e.resources = [`arn:aws:rds:${config.primaryRegion}:${e.account as string}:db:someone-elses-db`];
        d.SourceArn = (e.resources as string[])[0];
      }),
      expected: 'unrouted',
    },
    { name: 'failed deployment of another service', input: fresh('ecs-deployment-failed', (e) => (e.resources = [String((e.resources as string[])[0]).replace('regami-service', 'billing')])), expected: 'unrouted' },
    { name: 'scale request for another service', input: fresh('autopilot-scale-requested', (_e, d) => (d.service = 'billing')), expected: 'unrouted' },
  ];
}

export interface BadInputResult {
  name: string;
  expected: BadInputOutcome;
  actual: BadInputOutcome | 'accepted';
  message?: string;
}

/** What parseEvent and the rules make of each input: the figures for the README. */
export function runBadInputCorpus(config: AutopilotConfig, now: number): { results: BadInputResult[]; tried: number; rejected: number; unrouted: number; accepted: number } {
  const results = badInputCorpus(config, now).map(({ name, input, expected }): BadInputResult => {
    const parsed = parseEvent(input, { config, now });
    if (!parsed.ok) return { name, expected, actual: parsed.rejection.code, message: parsed.rejection.message };
    const raw: unknown = typeof input === 'string' ? JSON.parse(input) : input;
    return { name, expected, actual: routeEvent(config, raw).length === 0 ? 'unrouted' : 'accepted' };
  });
  const count = (p: (r: BadInputResult) => boolean) => results.filter(p).length;
  return {
    results,
    tried: results.length,
    rejected: count((r) => r.actual !== 'unrouted' && r.actual !== 'accepted'),
    unrouted: count((r) => r.actual === 'unrouted'),
    accepted: count((r) => r.actual === 'accepted'),
  };
}
