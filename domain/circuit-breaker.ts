/**
 * The automation circuit breaker's P1 page (issue 8 item 4): when the global count of
 * automatic actions reaches the limit, every runbook's Actuator refuses, and a human is
 * paged once per window, whichever runbook asked, because an automation storm is an
 * incident in itself.
 */
import type { RunbookId } from './config';
import { RUNBOOKS } from './config';
import type { ProposedAction, Verdict } from './guardrails';
import type { Page } from './paging';

export interface CircuitOpenEvent {
  proposed: ProposedAction;
  /** The CircuitBreaker verdict that refused (evidence.used = actions counted in the window). */
  verdict: Verdict;
  policy: { maxActions: number; windowSeconds: number };
  at: number;
}

/** One window bucket: the P1 is claimed (store.claimOnce) once per bucket. */
export function circuitOpenBucket(at: number, windowSeconds: number): number {
  return Math.floor(at / (windowSeconds * 1000));
}

/** claimOnce key for the bucket; also the PagerDuty dedup key of the page, so repeats update one alert. */
export function circuitOpenKey(at: number, windowSeconds: number): string {
  return `automation-circuit-breaker-${circuitOpenBucket(at, windowSeconds)}`;
}

/** The runbook whose incident key this is (keys start with the runbook id: domain/incident.ts incidentKey). */
export function runbookOfIncidentKey(key: string): RunbookId | undefined {
  return RUNBOOKS.find((rb) => key === rb || key.startsWith(`${rb}-`));
}

export function circuitOpenPage(event: CircuitOpenEvent, runbook: RunbookId, killSwitchCommand: string): Page {
  const { proposed, verdict, policy, at } = event;
  const used = typeof verdict.evidence?.used === 'number' ? verdict.evidence.used : policy.maxActions;
  return {
    incidentKey: circuitOpenKey(at, policy.windowSeconds),
    action: 'trigger',
    severity: 'P1',
    runbook,
    title: `Automation circuit breaker open: ${used} automatic actions in ${policy.windowSeconds} s`,
    resource: 'runbook-autopilot',
    at,
    diagnosis: [verdict.reason, `refused: ${proposed.summary} (${proposed.scope}, incident ${proposed.incidentKey})`],
    done: [],
    refused: [{ action: proposed.summary, guardrail: 'CircuitBreaker', reason: verdict.reason }],
    nextStep:
      `Every runbook refuses to act until fewer than ${policy.maxActions} automatic actions fall in the last ${policy.windowSeconds} s. ` +
      `Review the recent actions (state table, partition "actions#global") and the incidents behind them; if the automation is misbehaving, turn it off: ${killSwitchCommand}`,
  };
}
