/**
 * A Page as an SNS message (pure formatting; adapters/sns/pager.ts publishes it).
 *
 * P1/P2 topics are subscribed to PagerDuty's "Amazon CloudWatch" integration over HTTPS
 * (raw message delivery off). Per ../shared/reference/PAGERDUTY.md section 2 (PagerDuty,
 * *Amazon CloudWatch Integration Guide*, https://support.pagerduty.com/docs/aws-cloudwatch-integration-guide):
 *   - the integration expects the SNS `Message` to be a JSON-encoded CloudWatch alarm
 *     document (AlarmName, NewStateValue, OldStateValue, NewStateReason, StateChangeTime,
 *     Region, AlarmArn, Trigger); without it the event is dropped;
 *   - NewStateValue ALARM triggers, OK resolves, and a resolve must come through the same
 *     topic/integration as its trigger (PagerDuty applies a resolve only through the same
 *     routing key: section 1, *Alert De-Duplication*);
 *   - correlation is configured on the integration ("Correlate events by" = Alarm Name),
 *     so AlarmName is the dedup key and is derived only from the incident key.
 * Third-party reverse engineering (same file, cetinich.net) adds that Subject should start
 * with "ALARM: " / "OK: " matching NewStateValue; we follow it, it costs nothing. The rest
 * of the subject is the severity and title, then the alarm name as far as it fits.
 *
 * P3 (email) and P4 (chat) topics reach people directly: they get a readable plain-text
 * body instead of JSON, with the same information and the incident key to search for.
 *
 * Every string of the page is redacted first (domain/redact.ts): a diagnosis line that
 * quotes DATABASE_URL never carries its password into a page.
 */
import type { Severity } from './config';
import { ESCALATION_MATRIX, type Page } from './paging';
import { redactDeep } from './redact';
import { toChatbotMessage } from './chatbot';

export interface SnsMessageAttribute {
  DataType: 'String';
  StringValue: string;
}

export interface SnsPageMessage {
  subject: string;
  message: string;
  messageAttributes?: Record<string, SnsMessageAttribute>;
}

export interface PageContext {
  /** Region the autopilot runs in (the alarm document's Region, and the AlarmArn). */
  region: string;
  accountId: string;
  /** P4 reaches chat through AWS Chatbot: its custom notification format (domain/chatbot.ts). */
  chatbot?: boolean;
}

export interface RoutedPage extends SnsPageMessage {
  topicArn: string;
  format: 'cloudwatch-alarm-json' | 'plain-text' | 'chatbot-custom';
}

/** SNS Publish: "Subjects must be ... no line breaks or control characters, and less than 100 characters long." */
export const MAX_SUBJECT_LENGTH = 99;
/** Leave room in the 256 KB SNS message for the envelope and the rest of the document. */
const MAX_DESCRIPTION_LENGTH = 64 * 1024;
const DEFAULT_CONTEXT: PageContext = { region: 'us-east-1', accountId: '000000000000' };

/** Stable per incident: PagerDuty correlates on it, so a repeat updates the open alert. */
export function alarmNameFor(incidentKey: string): string {
  return `runbook-autopilot-${incidentKey}`;
}

/** The topic for a severity (ESCALATION_MATRIX → config.paging.topics). A resolve carries its trigger's severity, so it lands on the same topic. */
export function topicFor(severity: Severity, topics: Record<Severity, string>): string {
  return topics[severity];
}

export function routePage(page: Page, topics: Record<Severity, string>, context: PageContext = DEFAULT_CONTEXT): RoutedPage {
  const topicArn = topicFor(page.severity, topics);
  if (ESCALATION_MATRIX[page.severity].channel === 'pagerduty') {
    return { topicArn, format: 'cloudwatch-alarm-json', ...toSnsMessage(page, context) };
  }
  if (ESCALATION_MATRIX[page.severity].channel === 'chat' && context.chatbot) return { topicArn, format: 'chatbot-custom', ...toChatbotMessage(page) };
  return { topicArn, format: 'plain-text', ...toPlainTextMessage(page) };
}

/** The CloudWatch alarm document PagerDuty's CloudWatch integration parses. */
export function toSnsMessage(page: Page, context: PageContext = DEFAULT_CONTEXT): SnsPageMessage {
  const safe = redactDeep(page);
  const alarmName = alarmNameFor(safe.incidentKey);
  const state = safe.action === 'trigger' ? 'ALARM' : 'OK';
  const document = {
    AlarmName: alarmName,
    AlarmDescription: truncate(renderBody(safe), MAX_DESCRIPTION_LENGTH),
    AWSAccountId: context.accountId,
    NewStateValue: state,
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    NewStateReason: truncate(safe.action === 'trigger' ? safe.title : `Recovered: ${safe.title}`, 1023),
    StateChangeTime: cloudWatchTime(safe.at),
    Region: context.region,
    // No CloudWatch alarm of this name exists: the ARN form only gives strict parsers the
    // shape they expect, and it is as stable as the incident key.
    AlarmArn: `arn:aws:cloudwatch:${context.region}:${context.accountId}:alarm:${alarmName}`,
    Trigger: {
      MetricName: 'IncidentOpen',
      Namespace: 'RunbookAutopilot',
      StatisticType: 'Statistic',
      Statistic: 'MAXIMUM',
      Unit: null,
      Dimensions: [
        { name: 'Runbook', value: safe.runbook },
        { name: 'IncidentKey', value: safe.incidentKey },
        { name: 'Resource', value: safe.resource },
      ],
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: '',
      EvaluateLowSampleCountPercentile: '',
    },
  };
  return {
    // Title before alarm name: the subject is often the only line a human reads (email, a
    // ruleset-routed incident title) and must stay under 100 characters; correlation does
    // not depend on it (AlarmName in the message does).
    subject: subjectLine(`${state}: [${safe.severity}] ${safe.title} | ${alarmName}`),
    message: JSON.stringify(document),
    messageAttributes: attributes(safe),
  };
}

/** Email / chat: the same content, for a human to read. */
export function toPlainTextMessage(page: Page): SnsPageMessage {
  const safe = redactDeep(page);
  const state = safe.action === 'trigger' ? 'ALARM' : 'OK';
  return {
    subject: subjectLine(`${state}: [${safe.severity}] ${safe.title}`),
    message: renderBody(safe),
    messageAttributes: attributes(safe),
  };
}

/** The page as text: diagnosis, what was done, what was refused and why, the next step, the approval commands. */
export function renderBody(page: Page): string {
  const rule = ESCALATION_MATRIX[page.severity];
  const lines: string[] = [
    `${page.action === 'trigger' ? 'INCIDENT' : 'RESOLVED'} [${page.severity} ${rule.meaning}: ${rule.escalation}, respond within ${rule.responseMinutes} min] ${page.title}`,
    `Incident key: ${page.incidentKey}`,
    `Runbook: ${page.runbook}${page.mode ? ` (mode: ${page.mode})` : ''}`,
    `Resource: ${page.resource}`,
    `At: ${new Date(page.at).toISOString()}`,
    '',
    'DIAGNOSIS',
    ...bullets(page.diagnosis),
    '',
    'DONE BY THE AUTOPILOT',
    ...bullets(page.done),
    '',
    'REFUSED',
    ...bullets(page.refused.map((r) => `${r.action}: ${r.guardrail} - ${r.reason}`)),
    '',
    'NEXT STEP',
    page.nextStep || '(none)',
  ];
  if (page.approval) {
    lines.push(
      '',
      `APPROVAL NEEDED (expires ${new Date(page.approval.expiresAt).toISOString()})`,
      `Approve: ${page.approval.approveCommand}`,
      `Reject:  ${page.approval.rejectCommand}`,
    );
  }
  return lines.join('\n');
}

function bullets(items: string[]): string[] {
  return items.length === 0 ? ['- (nothing)'] : items.map((i) => `- ${i}`);
}

function attributes(page: Page): Record<string, SnsMessageAttribute> {
  const a = (value: string): SnsMessageAttribute => ({ DataType: 'String', StringValue: value });
  return { incident_key: a(page.incidentKey), severity: a(page.severity), event_action: a(page.action), runbook: a(page.runbook), ...(page.mode ? { mode: a(page.mode) } : {}) };
}

function subjectLine(text: string): string {
  // Printable ASCII only, no line breaks, fewer than 100 characters.
  const ascii = text.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  return truncate(ascii, MAX_SUBJECT_LENGTH);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** CloudWatch's own format in alarm notifications: 2015-06-03T17:43:27.123+0000. */
function cloudWatchTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/Z$/, '+0000');
}
