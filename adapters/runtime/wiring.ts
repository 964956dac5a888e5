/**
 * Small adapters from the runtime to the domain's ports, shared by every runbook handler:
 * `act` (a mutation through the Actuator), `page` (send + record), and a Workflow wrapper
 * that saves the incident record at the end of every step (so what a step recorded is
 * durable exactly when the step's checkpoint is).
 */
import type { Page } from '../../domain/paging';
import type { Act, ActOutcome, Pager, Workflow } from '../../domain/ports';
import type { Clock } from '../../domain/ports';
import type { Actuator } from './actuator';
import type { IncidentSession } from './incident-session';

export function makeAct(actuator: Actuator, session: IncidentSession): Act {
  return async <T>(request: Parameters<Act>[0], mutate: () => Promise<T>): Promise<ActOutcome<T>> => {
    const result = await actuator.execute({
      proposed: { action: request.action, scope: request.scope, summary: request.summary, incidentKey: session.key },
      policy: { cooldownSeconds: request.cooldownSeconds, budget: request.budget },
      extraVerdicts: request.extraVerdicts,
      recorder: session,
      mutate,
    });
    if (result.status === 'executed') {
      session.incident.actionsTaken.push(request.summary);
      return { status: 'executed', result: result.result };
    }
    if (result.status === 'dry-run') return { status: 'dry-run' };
    session.incident.refusals.push(`${request.action}: ${result.refusal.reason}`);
    return { status: 'refused', guardrail: result.refusal.guardrail, reason: result.refusal.reason };
  };
}

export function makePage(pager: Pager, clock: Clock, session: IncidentSession): (page: Omit<Page, 'at'>) => Promise<void> {
  return async (page) => {
    const full: Page = { ...page, at: clock.now() };
    await pager.send(full);
    session.record({ kind: 'page', severity: page.severity, summary: `${page.severity} ${page.action}: ${page.title}` });
    if (page.action === 'trigger' && (page.severity === 'P1' || page.severity === 'P2')) session.incident.status = 'escalated';
  };
}

/** Every step flushes the incident record before it completes. */
export function flushingWorkflow(wf: Workflow, session: IncidentSession): Workflow {
  return {
    step: (name, fn) =>
      wf.step(name, async () => {
        const result = await fn();
        await session.flush();
        return result;
      }),
    wait: (name, seconds) => wf.wait(name, seconds),
    waitForApproval: (name, timeout, submit) =>
      wf.waitForApproval(name, timeout, async (callbackId) => {
        await submit(callbackId);
        await session.flush();
      }),
  };
}
