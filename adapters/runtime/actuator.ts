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
import type { CircuitOpenEvent } from '../../domain/circuit-breaker';
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

export interface ActuatorHooks {
  /**
   * The circuit breaker refused (an automation storm): the runtime pages P1, once per
   * window. Whatever it throws is recorded on the timeline, never thrown to the runbook,
   * which pages its own refusal in any case.
   */
  onCircuitOpen?: (event: CircuitOpenEvent) => Promise<void>;
}

export class Actuator {
  constructor(
    private readonly store: GuardrailStore,
    private readonly clock: Clock,
    private readonly config: AutopilotConfig,
    private readonly hooks: ActuatorHooks = {},
  ) {}

  async execute<T>(req: ActuatorRequest<T>): Promise<ActuatorResult<T>> {
    const now = this.clock.now();
    const { proposed } = req;
    const auth = await this.authorizeNow(req, now);
    for (const v of auth.verdicts) {
      req.recorder.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
    }
    if (!auth.allowed && auth.refusal) return this.refused(req, auth.refusal, auth.verdicts, now);
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
      // Check again under the lock: two executions that both passed the first check are now
      // serialised, and the second sees what the first recorded (no check-then-act race).
      const again = await this.authorizeNow(req, this.clock.now());
      if (!again.allowed && again.refusal) {
        req.recorder.record({ kind: 'guardrail', summary: `${again.refusal.guardrail}: REFUSE (re-checked under the lock) - ${again.refusal.reason}`, verdict: again.refusal });
        return await this.refused(req, again.refusal, again.verdicts, now);
      }
      const result = await req.mutate();
      await this.store.recordAction({ scope: proposed.scope, action: proposed.action, at: this.clock.now(), incidentKey: proposed.incidentKey, summary: proposed.summary });
      req.recorder.record({ kind: 'action', summary: proposed.summary });
      return { status: 'executed', result, verdicts: auth.verdicts };
    } finally {
      if (!req.keepLock) await this.store.releaseLock(resource, owner);
    }
  }

  /** Reads guardrail state fresh and runs the domain's `authorize`. */
  private async authorizeNow<T>(req: ActuatorRequest<T>, now: number) {
    const widest = Math.max(req.policy.cooldownSeconds ?? 0, req.policy.budget?.windowSeconds ?? 0, this.config.guardrails.circuitBreaker.windowSeconds);
    const since = now - widest * 1000;
    const [controls, scopeActions, globalActions] = await Promise.all([
      this.store.readControls(),
      this.store.recentActions(req.proposed.scope, since),
      this.store.recentActions('global', since),
    ]);
    const effectiveControls = { ...controls, dryRun: controls.dryRun || this.config.dryRun };
    return authorize(req.proposed, { controls: effectiveControls, scopeActions, globalActions }, req.policy, this.config.guardrails.circuitBreaker, now, req.extraVerdicts);
  }

  private async refused<T>(req: ActuatorRequest<T>, refusal: Verdict, verdicts: Verdict[], now: number): Promise<ActuatorResult<T>> {
    req.recorder.record({ kind: 'decision', summary: `refused ${req.proposed.action} on ${req.proposed.scope}: ${refusal.reason}` });
    if (refusal.guardrail === 'CircuitBreaker') await this.circuitOpen(req, refusal, now);
    return { status: 'refused', refusal, verdicts };
  }

  private async circuitOpen<T>(req: ActuatorRequest<T>, verdict: Verdict, at: number): Promise<void> {
    if (!this.hooks.onCircuitOpen) return;
    try {
      await this.hooks.onCircuitOpen({ proposed: req.proposed, verdict, policy: this.config.guardrails.circuitBreaker, at });
    } catch (err) {
      req.recorder.record({ kind: 'error', summary: `the circuit breaker P1 page failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` });
    }
  }
}
