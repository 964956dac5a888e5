import { defaultConfig } from '../domain/config';
import { MAX_EVENT_BYTES, parseEvent, type ParseResult } from './parse';
import { SAMPLE_NAMES, loadSample, sampleText, sampleTime } from './samples/load';
import type { AutopilotEvent, EventKind } from './types';

const config = defaultConfig;

function parseSample(name: string, mutate?: (e: Record<string, unknown>) => void): ParseResult {
  const raw = loadSample(name);
  mutate?.(raw);
  return parseEvent(raw, { config, now: sampleTime(name) + 5_000 });
}

function accepted(result: ParseResult): AutopilotEvent {
  if (!result.ok) throw new Error(`expected the event to parse, got ${result.rejection.message}`);
  return result.event;
}

function rejected(result: ParseResult) {
  if (result.ok) throw new Error(`expected a rejection, got a ${result.event.kind} event`);
  return result.rejection;
}

function detailOf(e: Record<string, unknown>): Record<string, unknown> {
  return e.detail as Record<string, unknown>;
}

const EXPECTED_KIND: Record<string, EventKind> = {
  'alarm-5xx-alarm': 'alarm',
  'alarm-5xx-ok': 'alarm',
  'alarm-cpu-insufficient-data': 'alarm',
  'alarm-cpu-metric-math': 'alarm',
  'alarm-db-down-composite': 'alarm',
  'alarm-unrelated': 'alarm',
  'autopilot-restore-requested': 'restore-request',
  'autopilot-restore-requested-pitr': 'restore-request',
  'autopilot-rollback-requested': 'rollback-request',
  'autopilot-s3-restore-requested': 's3-restore-request',
  'autopilot-scale-requested': 'scale-request',
  'codedeploy-failure': 'codedeploy',
  'codedeploy-success': 'codedeploy',
  'ecs-deployment-completed': 'ecs-deployment',
  'ecs-deployment-failed': 'ecs-deployment',
  'ecs-deployment-in-progress': 'ecs-deployment',
  'ecs-task-stopped-oom': 'ecs-task',
  'rds-instance-backups-disabled': 'rds-instance',
  'rds-instance-failover-completed': 'rds-instance',
  'rds-instance-storage-full': 'rds-instance',
  'rds-snapshot-created': 'rds-snapshot',
  'rds-snapshot-export-failed': 'rds-snapshot',
  'scheduled-preflight': 'scheduled',
};

describe('parseEvent on the samples', () => {
  it('has an expected kind for every sample file, and a sample for every kind', () => {
    expect([...SAMPLE_NAMES].sort()).toEqual(Object.keys(EXPECTED_KIND).sort());
    const kinds = new Set(Object.values(EXPECTED_KIND));
    expect(kinds.size).toBe(11);
  });

  it.each(SAMPLE_NAMES)('parses %s to its kind with the envelope read', (name) => {
    const event = accepted(parseSample(name));
    const raw = loadSample(name);
    expect(event.kind).toBe(EXPECTED_KIND[name]);
    expect(event).toMatchObject({
      id: raw.id,
      account: raw.account,
      region: raw.region,
      source: raw.source,
      detailType: raw['detail-type'],
      time: Date.parse(String(raw.time)),
    });
  });

  it('accepts JSON text as well as an object, with the same result', () => {
    const now = sampleTime('alarm-5xx-alarm') + 1000;
    expect(parseEvent(sampleText('alarm-5xx-alarm'), { config, now })).toEqual(parseEvent(loadSample('alarm-5xx-alarm'), { config, now }));
  });

  it('reads a single-metric alarm', () => {
    const event = accepted(parseSample('alarm-5xx-alarm'));
    expect(event).toMatchObject({
      kind: 'alarm',
      resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:regami-alb-5xx-high'],
      detail: {
        alarmName: 'regami-alb-5xx-high',
        alarmType: 'metric',
        state: { value: 'ALARM', timestamp: Date.parse('2026-11-26T14:04:40.989Z') },
        previousState: { value: 'OK', timestamp: Date.parse('2026-11-26T13:59:40.987Z') },
        metrics: [
          {
            returnData: true,
            metricStat: {
              namespace: 'AWS/ApplicationELB',
              name: 'HTTPCode_Target_5XX_Count',
              dimensions: { LoadBalancer: 'app/regami-alb/50dc6c495c0c9188' },
              period: 60,
              stat: 'Sum',
            },
          },
        ],
      },
    });
  });

  it('reads a metric-math alarm, keeping the expression and its inputs', () => {
    const event = accepted(parseSample('alarm-cpu-metric-math'));
    if (event.kind !== 'alarm' || event.detail.alarmType !== 'metric-math') throw new Error('expected a metric-math alarm');
    expect(event.detail.metrics.map((m) => m.id)).toEqual(['e1', 'm1', 'm2']);
    expect(event.detail.metrics[0]).toEqual({ id: 'e1', returnData: true, label: 'Smoothed service CPU', expression: 'AVG([m1, m2])' });
    expect(event.detail.previousState?.value).toBe('INSUFFICIENT_DATA');
  });

  it('reads a composite alarm with its rule and the triggering child alarms', () => {
    const event = accepted(parseSample('alarm-db-down-composite'));
    if (event.kind !== 'alarm' || event.detail.alarmType !== 'composite') throw new Error('expected a composite alarm');
    expect(event.detail.alarmRule).toContain('ALARM(');
    expect(event.detail.actionsSuppressor).toBe('regami-maintenance-window');
    expect(event.detail.triggeringAlarms).toEqual([
      {
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:regami-db-connections-zero',
        name: 'regami-db-connections-zero',
        state: 'ALARM',
        timestamp: Date.parse('2026-11-26T14:57:45.394Z'),
      },
    ]);
  });

  it('reads all three alarm states', () => {
    const states = ['alarm-5xx-alarm', 'alarm-5xx-ok', 'alarm-cpu-insufficient-data'].map((n) => {
      const e = accepted(parseSample(n));
      return e.kind === 'alarm' ? e.detail.state.value : undefined;
    });
    expect(states).toEqual(['ALARM', 'OK', 'INSUFFICIENT_DATA']);
  });

  it('reads an RDS instance event by EventID with the instance id from the ARN', () => {
    expect(accepted(parseSample('rds-instance-storage-full'))).toMatchObject({
      kind: 'rds-instance',
      detail: {
        eventId: 'RDS-EVENT-0221',
        categories: ['availability'],
        sourceType: 'DB_INSTANCE',
        dbInstanceId: 'regami-db-primary',
        sourceIdentifier: 'rds:regami-db-primary',
        date: Date.parse('2026-11-26T14:36:43.292Z'),
      },
    });
  });

  it('reads an RDS snapshot event with the snapshot id from the ARN', () => {
    expect(accepted(parseSample('rds-snapshot-export-failed'))).toMatchObject({
      kind: 'rds-snapshot',
      detail: { eventId: 'RDS-EVENT-0159', sourceType: 'SNAPSHOT', snapshotId: 'rds:regami-db-primary-2026-11-26-03-00' },
    });
  });

  it('reads an ECS deployment event, taking cluster and service from the resource ARN', () => {
    expect(accepted(parseSample('ecs-deployment-failed'))).toMatchObject({
      kind: 'ecs-deployment',
      detail: {
        eventType: 'ERROR',
        eventName: 'SERVICE_DEPLOYMENT_FAILED',
        deploymentId: 'ecs-svc/4503599627370496123',
        reason: 'ECS deployment circuit breaker: task failed to start.',
        clusterName: 'regami-cluster',
        serviceName: 'regami-service',
        serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/regami-cluster/regami-service',
      },
    });
  });

  it('reads a stopped ECS task with stop code and the container OOM reason', () => {
    expect(accepted(parseSample('ecs-task-stopped-oom'))).toMatchObject({
      kind: 'ecs-task',
      detail: {
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        serviceName: 'regami-service',
        stoppedAt: Date.parse('2026-11-26T13:57:58.000Z'),
        containers: [{ name: 'app', exitCode: 137, lastStatus: 'STOPPED', reason: 'OutOfMemoryError: Container killed due to memory usage' }],
      },
    });
  });

  it('reads a CodeDeploy state change', () => {
    expect(accepted(parseSample('codedeploy-failure'))).toMatchObject({
      kind: 'codedeploy',
      detail: { state: 'FAILURE', deploymentId: 'd-7K3QX9Z2A', application: 'regami-codedeploy', deploymentGroup: 'regami-deployment-group' },
    });
  });

  it('reads both forms of a restore request', () => {
    expect(accepted(parseSample('autopilot-restore-requested')).detail).toEqual({
      dbInstanceId: 'regami-db-primary',
      restorePoint: { kind: 'snapshot', snapshotId: 'rds:regami-db-primary-2026-11-26-03-00' },
      reason: 'Accidental deletion of availability rows at 14:12 UTC',
      requestedBy: 'alice@regami.com',
    });
    expect(accepted(parseSample('autopilot-restore-requested-pitr')).detail).toMatchObject({
      restorePoint: { kind: 'point-in-time', restoreTime: Date.parse('2026-11-26T14:10:00Z') },
    });
  });

  it('defaults an S3 restore request to a dry run', () => {
    const event = accepted(parseSample('autopilot-s3-restore-requested', (e) => delete detailOf(e).dryRun));
    expect(event.detail).toEqual({
      bucket: 'regami-uploads',
      prefix: 'dogs/photos/',
      restoreTime: Date.parse('2026-11-26T14:00:00Z'),
      dryRun: true,
      confirmWholeBucket: false,
      requestedBy: 'alice@regami.com',
    });
    const explicit = accepted(parseSample('autopilot-s3-restore-requested', (e) => (detailOf(e).dryRun = false)));
    expect(explicit.detail).toMatchObject({ dryRun: false });
  });

  it('reads confirmWholeBucket (default false: an empty prefix is not the whole bucket unless said so) and refuses a non-boolean', () => {
    const confirmed = accepted(parseSample('autopilot-s3-restore-requested', (e) => Object.assign(detailOf(e), { prefix: '', confirmWholeBucket: true })));
    expect(confirmed.detail).toMatchObject({ prefix: '', confirmWholeBucket: true });
    const typed = parseSample('autopilot-s3-restore-requested', (e) => Object.assign(detailOf(e), { prefix: '', confirmWholeBucket: 'yes' }));
    expect(rejected(typed)).toMatchObject({ field: 'detail.confirmWholeBucket' });
  });

  it('reads a rollback request with and without the optional hand-off fields', () => {
    expect(accepted(parseSample('autopilot-rollback-requested')).detail).toMatchObject({
      cluster: 'regami-cluster',
      service: 'regami-service',
      requestedBy: 'investigate-5xx',
      incidentKey: 'investigate-5xx#regami-alb-5xx-high#2026-11-26T14:04',
    });
    const operator = accepted(
      parseSample('autopilot-rollback-requested', (e) => {
        delete detailOf(e).incidentKey;
        delete detailOf(e).evidence;
      }),
    );
    expect(operator.detail).toEqual({ cluster: 'regami-cluster', service: 'regami-service', reason: expect.any(String), requestedBy: 'investigate-5xx' });
  });

  it('reads a scale request with its evidence', () => {
    expect(accepted(parseSample('autopilot-scale-requested')).detail).toMatchObject({
      cluster: 'regami-cluster',
      service: 'regami-service',
      evidence: expect.arrayContaining(['no deployment in the last 6 h']),
    });
  });
});

describe('parseEvent rejections', () => {
  const now = sampleTime('alarm-5xx-alarm') + 5_000;

  it('malformed-json: text that is not JSON', () => {
    expect(rejected(parseEvent('{"id": "x", ', { config, now })).code).toBe('malformed-json');
  });

  it('not-an-object: JSON that is not an object, and non-object input', () => {
    expect(rejected(parseEvent('[1, 2]', { config, now })).code).toBe('not-an-object');
    expect(rejected(parseEvent('"text"', { config, now })).code).toBe('not-an-object');
    expect(rejected(parseEvent(42, { config, now })).code).toBe('not-an-object');
    expect(rejected(parseEvent(null, { config, now })).code).toBe('not-an-object');
    expect(rejected(parseEvent(undefined, { config, now })).code).toBe('not-an-object');
  });

  it('not-an-object: an object that cannot be read as JSON (a throwing getter, a cycle) is rejected, not thrown', () => {
    const hostile = Object.defineProperty({}, 'id', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(rejected(parseEvent(hostile, { config, now })).code).toBe('not-an-object');
    const cyclic: Record<string, unknown> = loadSample('alarm-5xx-alarm');
    cyclic.self = cyclic;
    expect(rejected(parseEvent(cyclic, { config, now })).code).toBe('not-an-object');
  });

  it('oversized: over 256 KB, as text or as an object', () => {
    const big = (e: Record<string, unknown>) => (detailOf(e).padding = 'x'.repeat(MAX_EVENT_BYTES));
    expect(rejected(parseSample('alarm-5xx-alarm', big))).toMatchObject({ code: 'oversized' });
    const text = JSON.stringify({ ...loadSample('alarm-5xx-alarm'), padding: 'é'.repeat(MAX_EVENT_BYTES / 2) });
    expect(rejected(parseEvent(text, { config, now })).code).toBe('oversized');
  });

  it('accepts an event just under the size limit', () => {
    const raw = loadSample('alarm-5xx-alarm');
    const base = JSON.stringify(raw).length;
    const padding = 'x'.repeat(MAX_EVENT_BYTES - base - ',"padding":""'.length);
    expect(parseEvent(JSON.stringify({ ...raw, padding }), { config, now }).ok).toBe(true);
  });

  it('missing-field: names the missing field', () => {
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => delete detailOf(e).alarmName))).toEqual({
      code: 'missing-field',
      field: 'detail.alarmName',
      message: 'detail.alarmName: missing',
    });
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => delete e.detail))).toMatchObject({ code: 'missing-field', field: 'detail' });
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => delete e.id))).toMatchObject({ code: 'missing-field', field: 'id' });
  });

  it('wrong-type: names the field and the types', () => {
    expect(rejected(parseSample('ecs-task-stopped-oom', (e) => ((detailOf(e).containers as Array<Record<string, unknown>>)[0]!.exitCode = '137')))).toEqual({
      code: 'wrong-type',
      field: 'detail.containers[0].exitCode',
      message: 'detail.containers[0].exitCode: expected a number, got string',
    });
    expect(rejected(parseSample('rds-instance-storage-full', (e) => (detailOf(e).EventCategories = 'failover')))).toMatchObject({
      code: 'wrong-type',
      field: 'detail.EventCategories',
    });
  });

  it('bad-value: an alarm state outside the enum', () => {
    const result = parseSample('alarm-5xx-alarm', (e) => ((detailOf(e).state as Record<string, unknown>).value = 'FOO'));
    expect(rejected(result)).toEqual({
      code: 'bad-value',
      field: 'detail.state.value',
      message: 'detail.state.value: expected one of ALARM|OK|INSUFFICIENT_DATA, got "FOO"',
    });
  });

  it('bad-value: malformed ids, times and ARNs', () => {
    expect(rejected(parseSample('rds-instance-storage-full', (e) => (detailOf(e).EventID = 'failover')))).toMatchObject({ code: 'bad-value', field: 'detail.EventID' });
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => (e.time = 'yesterday')))).toMatchObject({ code: 'bad-value', field: 'time' });
    expect(rejected(parseSample('rds-instance-storage-full', (e) => (detailOf(e).SourceArn = 'arn:aws:rds:us-east-1:123456789012:snapshot:x')))).toMatchObject({
      code: 'bad-value',
      field: 'detail.SourceArn',
    });
    expect(rejected(parseSample('ecs-deployment-failed', (e) => (e.resources = [])))).toMatchObject({ code: 'bad-value', field: 'resources' });
    expect(rejected(parseSample('alarm-db-down-composite', (e) => ((detailOf(e).state as Record<string, unknown>).reasonData = '{not json')))).toMatchObject({
      code: 'bad-value',
      field: 'detail.state.reasonData',
    });
  });

  it('bad-value / missing-field: a restore request needs exactly one of snapshotId | restoreTime', () => {
    const both = parseSample('autopilot-restore-requested', (e) => (detailOf(e).restoreTime = '2026-11-26T14:10:00Z'));
    expect(rejected(both)).toMatchObject({ code: 'bad-value', message: expect.stringContaining('exactly one of snapshotId | restoreTime') });
    const neither = parseSample('autopilot-restore-requested', (e) => delete detailOf(e).snapshotId);
    expect(rejected(neither)).toMatchObject({ code: 'missing-field', message: expect.stringContaining('exactly one of snapshotId | restoreTime') });
  });

  it('unknown-event-type: a source or detail-type we have no parser for', () => {
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => (e['detail-type'] = 'CloudWatch Alarm Configuration Change')))).toMatchObject({
      code: 'unknown-event-type',
      field: 'detail-type',
    });
    expect(rejected(parseSample('rds-instance-storage-full', (e) => (e['detail-type'] = 'RDS DB Parameter Group Event'))).code).toBe('unknown-event-type');
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => (e.source = 'aws.ec2'))).code).toBe('unknown-event-type');
    // Prototype keys must not be mistaken for parsers.
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => (e.source = 'constructor'))).code).toBe('unknown-event-type');
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => (e['detail-type'] = 'toString'))).code).toBe('unknown-event-type');
  });

  it('foreign-account: an account not in config.accountIds', () => {
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => (e.account = '999999999999')))).toMatchObject({ code: 'foreign-account', field: 'account' });
  });

  it('foreign-region: neither the primary nor the secondary region', () => {
    expect(rejected(parseSample('alarm-5xx-alarm', (e) => (e.region = 'eu-west-1')))).toMatchObject({ code: 'foreign-region', field: 'region' });
    expect(parseSample('alarm-5xx-alarm', (e) => (e.region = 'us-west-2')).ok).toBe(true);
  });

  it('too-old: older than maxEventAgeSeconds relative to now, unless the caller skips the age check', () => {
    const time = sampleTime('alarm-5xx-alarm');
    const limit = config.maxEventAgeSeconds * 1000;
    const raw = loadSample('alarm-5xx-alarm');
    expect(parseEvent(raw, { config, now: time + limit }).ok).toBe(true);
    expect(rejected(parseEvent(raw, { config, now: time + limit + 1000 }))).toMatchObject({ code: 'too-old', field: 'time' });
    expect(parseEvent(raw, { config, now: time + 30 * 86_400_000, ignoreAge: true }).ok).toBe(true);
  });

  it('checks who sent an event before looking at its detail', () => {
    const result = parseSample('alarm-5xx-alarm', (e) => {
      e.account = '999999999999';
      delete e.detail;
    });
    expect(rejected(result).code).toBe('foreign-account');
  });
});
