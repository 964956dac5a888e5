/**
 * A page as an AWS Chatbot (Amazon Q Developer in chat applications) custom notification:
 * Chatbot delivers an SNS message to Slack only when it is a format it knows; for our own
 * events that is the custom notification schema
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html):
 * { version "1.0", source "custom", content { textType "client-markdown", title, description,
 * nextSteps[] }, metadata { threadId, summary } }. threadId = incident key, so repeats of one
 * incident thread together. Redacted like every page.
 */
import { ESCALATION_MATRIX, type Page } from './paging';
import { redactDeep } from './redact';
import type { SnsPageMessage } from './pagerduty';

/** Chatbot's limits are not published per field; keep the description well under SNS's 256 KB. */
const MAX_DESCRIPTION = 8000;

export function toChatbotMessage(page: Page): SnsPageMessage {
  const safe = redactDeep(page);
  const rule = ESCALATION_MATRIX[safe.severity];
  const lines = [
    `*${safe.action === 'trigger' ? 'INCIDENT' : 'RESOLVED'}* ${safe.severity} (${rule.meaning}) · runbook \`${safe.runbook}\`${safe.mode ? ` · mode ${safe.mode}` : ''} · \`${safe.incidentKey}\``,
    `Resource: ${safe.resource}`,
    ...(safe.diagnosis.length ? ['*Diagnosis*', ...safe.diagnosis.map((d) => `• ${d}`)] : []),
    '*Done by the autopilot*',
    ...(safe.done.length ? safe.done.map((d) => `• ${d}`) : ['• (nothing)']),
    ...(safe.refused.length ? ['*Refused*', ...safe.refused.map((r) => `• ${r.action}: ${r.guardrail} - ${r.reason}`)] : []),
  ];
  const description = lines.join('\n');
  const document = {
    version: '1.0',
    source: 'custom',
    id: `${safe.incidentKey}-${safe.at}`,
    content: {
      textType: 'client-markdown',
      title: `${safe.action === 'trigger' ? '' : 'Resolved: '}${safe.title}`.slice(0, 250),
      description: description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 3)}...` : description,
      nextSteps: safe.nextStep ? [safe.nextStep] : [],
    },
    metadata: { threadId: safe.incidentKey, summary: safe.title.slice(0, 250) },
  };
  return { subject: `${safe.action === 'trigger' ? 'ALARM' : 'OK'}: [${safe.severity}] ${safe.title}`.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 99), message: JSON.stringify(document) };
}
