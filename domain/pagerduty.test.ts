import { defaultConfig, type Severity } from './config';
import type { Page } from './paging';
import { MAX_SUBJECT_LENGTH, alarmNameFor, routePage, toPlainTextMessage, toSnsMessage } from './pagerduty';

const AT = Date.UTC(2026, 0, 15, 3, 4, 5, 678);
const CONTEXT = { region: 'us-east-1', accountId: '123456789012' };
const TOPICS = defaultConfig.paging.topics;

function page(overrides: Partial<Page> = {}): Page {
  return {
    incidentKey: 'database-failover-regami-db-primary',
    action: 'trigger',
    severity: 'P1',
    runbook: 'database-failover',
    title: 'Primary database unreachable; failover refused',
    resource: 'arn:aws:rds:us-east-1:123456789012:db:regami-db-primary',
    at: AT,
    diagnosis: ['DatabaseConnections = 0 for 3 checks', 'replica lag 12s (budget 60s)'],
    done: ['paused regami-service (desired 2 -> 0)'],
    refused: [{ action: 'promote-replica', guardrail: 'KillSwitch', reason: 'kill switch is ON (set by oncall)' }],
    nextStep: 'aws rds promote-read-replica --db-instance-identifier regami-db-replica --region us-west-2',
    ...overrides,
  };
}

const alarmDocument = (p: Page): Record<string, unknown> => JSON.parse(toSnsMessage(p, CONTEXT).message) as Record<string, unknown>;

describe('PagerDuty (CloudWatch integration over SNS) message', () => {
  it('gives the same incident the same AlarmName and subject when paged twice', () => {
    const first = toSnsMessage(page(), CONTEXT);
    const second = toSnsMessage(page({ at: AT + 60_000, diagnosis: ['still down'] }), CONTEXT);
    const a = JSON.parse(first.message) as { AlarmName: string; AlarmArn: string };
    const b = JSON.parse(second.message) as { AlarmName: string; AlarmArn: string };
    expect(a.AlarmName).toBe(alarmNameFor('database-failover-regami-db-primary'));
    expect(b.AlarmName).toBe(a.AlarmName);
    expect(b.AlarmArn).toBe(a.AlarmArn);
    expect(second.subject).toBe(first.subject);
    expect(alarmDocument(page({ incidentKey: 'scale-ecs-regami-service' })).AlarmName).not.toBe(a.AlarmName);
  });

  it('carries every field of the CloudWatch alarm document PagerDuty parses', () => {
    const doc = alarmDocument(page());
    expect(doc).toMatchObject({
      AlarmName: 'runbook-autopilot-database-failover-regami-db-primary',
      AWSAccountId: '123456789012',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      NewStateReason: 'Primary database unreachable; failover refused',
      StateChangeTime: '2026-01-15T03:04:05.678+0000',
      Region: 'us-east-1',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:runbook-autopilot-database-failover-regami-db-primary',
    });
    expect(typeof doc.AlarmDescription).toBe('string');
    expect(doc.Trigger).toMatchObject({ Dimensions: expect.arrayContaining([{ name: 'IncidentKey', value: 'database-failover-regami-db-primary' }]) });
    expect(toSnsMessage(page(), CONTEXT).subject).toBe('ALARM: [P1] Primary database unreachable; failover refused | runbook-autopilot-database-failover...');
  });

  it('resolves with OK under the same AlarmName when the incident recovers', () => {
    const trigger = toSnsMessage(page(), CONTEXT);
    const resolve = toSnsMessage(page({ action: 'resolve', at: AT + 600_000 }), CONTEXT);
    const doc = JSON.parse(resolve.message) as Record<string, unknown>;
    expect(doc.NewStateValue).toBe('OK');
    expect(doc.OldStateValue).toBe('ALARM');
    expect(doc.AlarmName).toBe((JSON.parse(trigger.message) as Record<string, unknown>).AlarmName);
    expect(resolve.subject.startsWith('OK: [P1] Primary database unreachable')).toBe(true);
  });

  it('sends the resolve to the topic its trigger used', () => {
    for (const severity of ['P1', 'P2', 'P3', 'P4'] as Severity[]) {
      expect(routePage(page({ severity, action: 'resolve' }), TOPICS, CONTEXT).topicArn).toBe(routePage(page({ severity }), TOPICS, CONTEXT).topicArn);
    }
  });

  it('routes by severity: P1/P2 to the PagerDuty topics as alarm JSON, P3 email and P4 chat as plain text', () => {
    const routed = (severity: Severity) => routePage(page({ severity }), TOPICS, CONTEXT);
    expect(routed('P1')).toMatchObject({ topicArn: TOPICS.P1, format: 'cloudwatch-alarm-json' });
    expect(routed('P2')).toMatchObject({ topicArn: TOPICS.P2, format: 'cloudwatch-alarm-json' });
    expect(routed('P3')).toMatchObject({ topicArn: TOPICS.P3, format: 'plain-text' });
    expect(routed('P4')).toMatchObject({ topicArn: TOPICS.P4, format: 'plain-text' });
    expect(() => JSON.parse(routed('P3').message) as unknown).toThrow();
    expect(routed('P3').message).toContain('database-failover-regami-db-primary');
  });

  it('tells the human the diagnosis, what was done, what was refused and why, and the next step', () => {
    for (const body of [String(alarmDocument(page()).AlarmDescription), toPlainTextMessage(page()).message]) {
      expect(body).toContain('DatabaseConnections = 0 for 3 checks');
      expect(body).toContain('paused regami-service (desired 2 -> 0)');
      expect(body).toContain('promote-replica: KillSwitch - kill switch is ON (set by oncall)');
      expect(body).toContain('aws rds promote-read-replica --db-instance-identifier regami-db-replica --region us-west-2');
      expect(body).toContain('P1 Critical Outage');
    }
  });

  it('prints the approve and reject commands when a human gate waits', () => {
    const body = toPlainTextMessage(
      page({ approval: { callbackId: 'cb-1', approveCommand: 'aws lambda send-durable-execution-callback-success --callback-id cb-1', rejectCommand: 'aws lambda send-durable-execution-callback-failure --callback-id cb-1', expiresAt: AT + 900_000 } }),
    ).message;
    expect(body).toContain('Approve: aws lambda send-durable-execution-callback-success --callback-id cb-1');
    expect(body).toContain('Reject:  aws lambda send-durable-execution-callback-failure --callback-id cb-1');
    expect(body).toContain('expires 2026-01-15T03:19:05.678Z');
  });

  it('never carries a database password, even when a diagnosis line quotes DATABASE_URL', () => {
    const leaky = page({
      title: 'DB down at postgresql://regami:hunter2@regami-db-primary:5432/regami',
      diagnosis: ['task env DATABASE_URL=postgresql://regami:hunter2@regami-db-primary.abc.rds.amazonaws.com:5432/regami'],
      nextStep: 'psql postgresql://regami:hunter2@regami-db-replica/regami',
    });
    for (const severity of ['P1', 'P3'] as Severity[]) {
      const routed = routePage({ ...leaky, severity }, TOPICS, CONTEXT);
      expect(`${routed.subject}\n${routed.message}`).not.toContain('hunter2');
      expect(routed.message).toContain('postgresql://regami:***@regami-db-primary.abc.rds.amazonaws.com:5432/regami');
    }
  });

  it('keeps the SNS subject under 100 printable ASCII characters on one line (SNS rejects longer ones)', () => {
    const long = toSnsMessage(page({ title: `Very long title \u2014 with\nnewlines ${'x'.repeat(300)}` }), CONTEXT);
    expect(long.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(long.subject.length).toBeLessThan(100);
    expect(long.subject).toMatch(/^[\x20-\x7e]+$/);
  });
});
