/**
 * Pages: what a human receives when the autopilot cannot or must not act alone.
 *
 * The escalation matrix is the runbooks' own table. A page is data; formatting it for
 * PagerDuty (domain/pagerduty.ts) and publishing it to SNS (adapters) are separate steps.
 */
import type { RunbookId, Severity } from './config';
import type { GuardrailName } from './guardrails';
import type { RunbookMode } from './modes';

export interface EscalationRule {
  severity: Severity;
  meaning: string;
  responseMinutes: number;
  escalation: string;
  /** How the topic reaches people: PagerDuty over HTTPS for P1/P2, email for P3, chat for P4. */
  channel: 'pagerduty' | 'email' | 'chat';
}

/** ../shared/regami-incident-runbooks.md, "Escalation Matrix". */
export const ESCALATION_MATRIX: Record<Severity, EscalationRule> = {
  P1: { severity: 'P1', meaning: 'Critical Outage', responseMinutes: 15, escalation: 'Page all engineers', channel: 'pagerduty' },
  P2: { severity: 'P2', meaning: 'Degraded Service', responseMinutes: 60, escalation: 'Notify on-call + lead', channel: 'pagerduty' },
  P3: { severity: 'P3', meaning: 'Minor Issue', responseMinutes: 240, escalation: 'Email team', channel: 'email' },
  P4: { severity: 'P4', meaning: 'Maintenance', responseMinutes: 24 * 60, escalation: 'Slack notification', channel: 'chat' },
};

export interface RefusedAction {
  action: string;
  guardrail: GuardrailName;
  reason: string;
}

export interface ApprovalRequest {
  callbackId: string;
  /** Exact commands a human pastes to approve or reject (`autopilot approve|reject`: through the operator-request function). */
  approveCommand: string;
  rejectCommand: string;
  expiresAt: number;
}

export interface Page {
  /** Stable per incident: PagerDuty dedup_key, so repeats update one alert. */
  incidentKey: string;
  action: 'trigger' | 'resolve';
  severity: Severity;
  runbook: RunbookId;
  /** One line: becomes the PagerDuty summary / alarm name. */
  title: string;
  /** The affected resource (ARN or identifier): PagerDuty payload.source. */
  resource: string;
  at: number;
  /** What was seen: each line a signal with its value. */
  diagnosis: string[];
  /** What the autopilot did. */
  done: string[];
  /** What it refused to do and why. */
  refused: RefusedAction[];
  /** The next manual step from the runbook (a command to paste where there is one). */
  nextStep: string;
  approval?: ApprovalRequest;
  /** The runbook's mode when the page was sent (domain/modes.ts), stamped by the runtime's pager. */
  mode?: RunbookMode;
}
