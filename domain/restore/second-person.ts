/**
 * A restore's human gate needs a second person: an approval by the requester (by the
 * verified ARN the operator-request function puts in `by`) is refused, recorded and paged,
 * and the gate opens again for someone else until the original deadline. A rejection is
 * honoured from anyone, the requester included (calling off your own restore is safe).
 */
import { TUNABLES } from '../config';
import { secondPerson } from '../operators';
import type { ApprovalOutcome, Recorder, Workflow } from '../ports';

/** Gates opened at most: the first, and two more after refused self-approvals. */
export const MAX_APPROVAL_ROUNDS = TUNABLES.restoreApprovalRounds;

export interface SecondPersonDeps {
  wf: Workflow;
  rec: Recorder;
  now(): Promise<number>;
  /** Pages the refusal (the gate stays open for another approver). */
  pageRefused(reason: string, round: number): Promise<void>;
}

export async function approvalBySecondPerson(
  deps: SecondPersonDeps,
  name: string,
  timeoutSeconds: number,
  requestedBy: string,
  submit: (callbackId: string, round: number) => Promise<void>,
): Promise<ApprovalOutcome> {
  const deadline = await deps.wf.step(`${name}:second-person-deadline`, async () => (await deps.now()) + timeoutSeconds * 1000);
  for (let round = 1; round <= MAX_APPROVAL_ROUNDS; round++) {
    const gate = round === 1 ? name : `${name}#${round}`;
    const left = round === 1 ? timeoutSeconds : await deps.wf.step(`${gate}:time-left`, async () => Math.floor((deadline - (await deps.now())) / 1000));
    if (left < 1) return { outcome: 'EXPIRED' };
    const outcome = await deps.wf.waitForApproval(gate, left, (callbackId) => submit(callbackId, round));
    if (outcome.outcome !== 'APPROVED') return outcome;
    const check = outcome.by === undefined ? { allowed: false as const, code: 'SelfApproval' as const, reason: 'the approval names no verified approver' } : secondPerson(requestedBy, outcome.by);
    if (check.allowed) return outcome;
    await deps.wf.step(`${gate}:refused`, async () => {
      deps.rec.record({ kind: 'guardrail', summary: `SecondPerson: REFUSE - ${check.reason}`, verdict: { guardrail: 'SecondPerson', pass: false, reason: check.reason } });
      await deps.pageRefused(check.reason, round);
    });
  }
  return { outcome: 'REJECTED', note: `no second person approved within ${MAX_APPROVAL_ROUNDS} rounds` };
}
