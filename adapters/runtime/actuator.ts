/**
 * The only way a runbook mutates infrastructure.
 *
 * execute(): re-read guardrail state → domain `authorize` (kill switch, circuit breaker,
 * cooldown, budget, plus the runbook's own verdicts) → lock the resource → mutate →
 * record the action (cooldowns, budgets and the circuit breaker count it) → release.
 * Every verdict is recorded on the incident timeline. Dry-run records what would have
 * been done and mutates nothing. A refusal is returned to the caller, which pages it.
 */
import { authorize, lockVerdict, type ActionPolicy, type ProposedAction, type Verdict } from '../../domain/guardrails';
import type { AutopilotConfig } from '../../domain/config';
import type { Clock, GuardrailStore, Recorder } from '../../domain/ports';

export type ActuatorResult<T> =
  | { status: 'executed'; result: T; verdicts: Verdict[] }
  | { status: 'dry-run'; verdicts: Verdict[] }
  | { status: 'refused'; refusal: Verdict; verdicts: Verdict[] };

export interface ActuatorRequest<T> {
  proposed: ProposedAction;
  policy: ActionPolicy;
  /** Runbook-specific verdicts (bounds, gates) computed by the domain. */
  extraVerdicts?: Verdict[];
  /** Resource to lock for the duration of the mutation (defaults to the action scope). */
  lockResource?: string;
  /** Lock owner: the incident key, so a retry of the same incident re-enters its own lock. */
  owner?: string;
  /** The caller holds the lock for a whole remediation (a workflow): keep it after the mutation. */
  keepLock?: boolean;
  recorder: Recorder;
  mutate: () => Promise<T>;
}

export class Actuator {
  constructor(
    private readonly store: GuardrailStore,
    private readonly clock: Clock,
    private readonly config: AutopilotConfig,
  ) {}

  async execute<T>(req: ActuatorRequest<T>): Promise<ActuatorResult<T>> {
    const now = this.clock.now();
    const { proposed } = req;
    const widest = Math.max(
      req.policy.cooldownSeconds ?? 0,
      req.policy.budget?.windowSeconds ?? 0,
      this.config.guardrails.circuitBreaker.windowSeconds,
    );
    const since = now - widest * 1000;
    const [controls, scopeActions, globalActions] = await Promise.all([
      this.store.readControls(),
      this.store.recentActions(proposed.scope, since),
      this.store.recentActions('global', since),
    ]);
    const effectiveControls = { ...controls, dryRun: controls.dryRun || this.config.dryRun };
    const auth = authorize(proposed, { controls: effectiveControls, scopeActions, globalActions }, req.policy, this.config.guardrails.circuitBreaker, now, req.extraVerdicts);
    for (const v of auth.verdicts) {
      req.recorder.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
    }
    if (!auth.allowed && auth.refusal) {
      req.recorder.record({ kind: 'decision', summary: `refused ${proposed.action} on ${proposed.scope}: ${auth.refusal.reason}` });
      return { status: 'refused', refusal: auth.refusal, verdicts: auth.verdicts };
    }
    if (auth.dryRun) {
      req.recorder.record({ kind: 'action', summary: `DRY-RUN: would ${proposed.summary}` });
      return { status: 'dry-run', verdicts: auth.verdicts };
    }

    const resource = req.lockResource ?? proposed.scope;
    const owner = req.owner ?? proposed.incidentKey;
    const lock = await this.store.acquireLock(resource, owner, now, this.config.guardrails.lockTtlSeconds);
    if (!lock.acquired) {
      const refusal = lockVerdict(resource, lock.heldBy, owner, now);
      req.recorder.record({ kind: 'guardrail', summary: `${refusal.guardrail}: REFUSE - ${refusal.reason}`, verdict: refusal });
      return { status: 'refused', refusal, verdicts: [...auth.verdicts, refusal] };
    }
    try {
      const result = await req.mutate();
      await this.store.recordAction({ scope: proposed.scope, action: proposed.action, at: this.clock.now(), incidentKey: proposed.incidentKey, summary: proposed.summary });
      req.recorder.record({ kind: 'action', summary: proposed.summary });
      return { status: 'executed', result, verdicts: auth.verdicts };
    } finally {
      if (!req.keepLock) await this.store.releaseLock(resource, owner);
    }
  }
}
