/**
 * The only way a runbook mutates infrastructure.
 *
 * execute(): re-read guardrail state → domain `authorize` (kill switch, circuit breaker,
 * cooldown, budget, plus the runbook's own verdicts) → lock the resource → authorize again
 * (dry-run included) → take the action and its mutations from the breaker's atomic counter →
 * record the action (before the call: nothing is lost) → re-read the switches → mutate → release.
 * Every verdict is recorded on the incident timeline. Dry-run records what would have
 * been done and mutates nothing. A refusal is returned to the caller, which pages it.
 */
import {
  authorize,
  killSwitchVerdict,
  lockVerdict,
  mutationsOf,
  type ActionPolicy,
  type ActionRecord,
  type Controls,
  type ProposedAction,
  type Verdict,
} from '../../domain/guardrails';
import { circuitOpenBucket, runbookOfIncidentKey, type CircuitOpenEvent } from '../../domain/circuit-breaker';
import { modeVerdict, type ModeReading } from '../../domain/modes';
import type { ControlsAnomalyEvent } from '../../domain/controls';
import type { AutopilotConfig, RunbookId } from '../../domain/config';
import type { Clock, GuardrailStore, Recorder } from '../../domain/ports';
import { arbitrateUnderLock, preemptLowerLock, previewArbiter, releaseResourceClaims, type PreemptionEvent } from './arbiter';

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
  /**
   * The controls item did not read cleanly (wrong type, case, unknown switch): the switches
   * read as ON and the runtime pages P1 once per distinct anomaly. Failures are recorded, not thrown.
   */
  onControlsUnreadable?: (event: ControlsAnomalyEvent) => Promise<void>;
  /** The arbiter ended another runbook's work on the resource (adapters/runtime/arbiter.ts): page that incident. */
  onPreempted?: (event: PreemptionEvent) => Promise<void>;
  /**
   * The runbook's mode (domain/modes.ts), read fresh before each mutation: shadow answers as a
   * dry run ("would ..."), off refuses. Absent: every runbook is live.
   */
  modeOf?: (runbook: RunbookId) => Promise<ModeReading>;
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
    const runbook = this.hooks.modeOf ? runbookOfIncidentKey(proposed.incidentKey) : undefined;
    if (runbook && this.hooks.modeOf) {
      const { dryRun: shadow, ...mode } = modeVerdict(await this.hooks.modeOf(runbook));
      req.recorder.record({ kind: 'guardrail', summary: `${mode.guardrail}: ${mode.pass ? 'pass' : 'REFUSE'} - ${mode.reason}`, verdict: mode });
      if (!mode.pass) return this.refused(req, mode, [...auth.verdicts, mode], now);
      if (shadow) {
        req.recorder.record({ kind: 'action', summary: `SHADOW: would ${proposed.summary}` });
        return { status: 'dry-run', verdicts: [...auth.verdicts, mode] };
      }
    }
    if (auth.dryRun) {
      req.recorder.record({ kind: 'action', summary: `DRY-RUN: would ${proposed.summary}` });
      return { status: 'dry-run', verdicts: auth.verdicts };
    }

    const resource = req.lockResource ?? proposed.scope;
    const owner = req.owner ?? proposed.incidentKey;
    const lock = await this.store.acquireLock(resource, owner, now, this.config.guardrails.lockTtlSeconds);
    if (!lock.acquired && (await preemptLowerLock(this.store, proposed, resource, lock.heldBy, owner, now, this.config.guardrails.lockTtlSeconds))) {
      req.recorder.record({ kind: 'note', summary: `took over the lock on ${resource} from ${lock.heldBy.owner} (lower precedence, domain/arbiter.ts)` });
    } else if (!lock.acquired) {
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
      if (again.dryRun) {
        req.recorder.record({ kind: 'action', summary: `DRY-RUN (switched on before the call, re-checked under the lock): would ${proposed.summary}` });
        return { status: 'dry-run', verdicts: again.verdicts };
      }
      // The resource's arbiter (domain/arbiter.ts), read and written under the lock just taken.
      const arbiter = await arbitrateUnderLock(this.store, proposed, resource, this.clock.now(), this.config.guardrails.lockTtlSeconds, this.hooks.onPreempted);
      if (arbiter) {
        req.recorder.record({ kind: 'guardrail', summary: `${arbiter.guardrail}: ${arbiter.pass ? 'pass' : 'REFUSE'} - ${arbiter.reason}`, verdict: arbiter });
        if (!arbiter.pass) return await this.refused(req, arbiter, [...again.verdicts, arbiter], now);
      }
      // The circuit breaker's count, taken atomically across executions (a conditional
      // counter): executions on different resources hold different locks, so the check above
      // alone cannot stop two of them taking the last slot.
      const at = this.clock.now();
      const breakerRefusal = await this.reserveBreaker(req, at);
      if (breakerRefusal) {
        req.recorder.record({ kind: 'guardrail', summary: `CircuitBreaker: REFUSE (counter) - ${breakerRefusal.reason}`, verdict: breakerRefusal });
        return await this.refused(req, breakerRefusal, [...again.verdicts, breakerRefusal], at);
      }
      // Recorded before the call: a crash or a failed write after the mutation can no
      // longer lose the action (cooldowns, budgets and the breaker always see it).
      const action: ActionRecord = { scope: proposed.scope, action: proposed.action, at, incidentKey: proposed.incidentKey, summary: proposed.summary };
      if (proposed.mutations !== undefined) action.mutations = mutationsOf(proposed);
      await this.store.recordAction(action);
      // The switches once more, just before the call: an operator's kill switch or dry-run
      // flipped while we locked and counted still wins.
      const last = this.effective(await this.readControls(req, at));
      if (last.killSwitch || last.dryRun) {
        await this.store.markActionOutcome(action, 'not-run').catch(() => undefined);
        if (last.killSwitch) {
          const refusal = killSwitchVerdict(last);
          req.recorder.record({ kind: 'guardrail', summary: `KillSwitch: REFUSE (re-read just before the call) - ${refusal.reason}`, verdict: refusal });
          return await this.refused(req, refusal, [...again.verdicts, refusal], at);
        }
        req.recorder.record({ kind: 'action', summary: `DRY-RUN (switched on just before the call): would ${proposed.summary}` });
        return { status: 'dry-run', verdicts: again.verdicts };
      }
      let result: T;
      try {
        result = await req.mutate();
      } catch (err) {
        // May have half-applied: the breaker keeps counting it; a retry is not held by its own cooldown.
        await this.store.markActionOutcome(action, 'failed').catch(() => undefined);
        throw err;
      }
      req.recorder.record({ kind: 'action', summary: proposed.summary });
      return { status: 'executed', result, verdicts: auth.verdicts };
    } finally {
      if (!req.keepLock) {
        // A one-shot change is over with its call: its claim goes with the lock (a freeze stays).
        await releaseResourceClaims(this.store, resource, proposed.incidentKey, this.clock.now());
        await this.store.releaseLock(resource, owner);
      }
    }
  }

  /** Takes one action and its mutations from the window's atomic counter; a refusal verdict when there is no room. */
  private async reserveBreaker<T>(req: ActuatorRequest<T>, at: number): Promise<Verdict | undefined> {
    const policy = this.config.guardrails.circuitBreaker;
    const maxMutations = policy.maxMutations ?? Number.MAX_SAFE_INTEGER;
    const mutations = mutationsOf(req.proposed);
    const bucket = circuitOpenBucket(at, policy.windowSeconds);
    const out = await this.store.reserveBreaker({ bucket, mutations, maxActions: policy.maxActions, maxMutations, expiresAt: (bucket + 2) * policy.windowSeconds * 1000 });
    if (out.reserved) return undefined;
    return {
      guardrail: 'CircuitBreaker',
      pass: false,
      reason:
        `CircuitOpen: the window's counter holds ${out.actions} action(s) and ${out.mutations} mutating call(s) across all runbooks ` +
        `(limits ${policy.maxActions} and ${maxMutations} per ${policy.windowSeconds}s); ${mutations} more refused; the autopilot stops acting`,
      evidence: { used: out.actions, mutations: out.mutations, asking: mutations, max: policy.maxActions, maxMutations },
    };
  }

  /** The controls as stored, with config.dryRun; an unreadable item (anomalies) is paged once. */
  private async readControls<T>(req: ActuatorRequest<T>, at: number): Promise<Controls> {
    const controls = await this.store.readControls();
    if (controls.anomalies && controls.anomalies.length > 0 && this.hooks.onControlsUnreadable) {
      try {
        await this.hooks.onControlsUnreadable({ anomalies: controls.anomalies, incidentKey: req.proposed.incidentKey, summary: req.proposed.summary, at });
      } catch (err) {
        req.recorder.record({ kind: 'error', summary: `the controls-unreadable P1 page failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` });
      }
    }
    return controls;
  }

  private effective(controls: Controls): Controls {
    return { ...controls, dryRun: controls.dryRun || this.config.dryRun };
  }

  /**
   * What execute() would decide for `req` now, without mutating, locking or recording anything:
   * the generic verdicts and the resource arbiter's. A workflow asks it for its later steps
   * before its first mutation (issue 13: no pausing the primary and then a refusal at promotion).
   */
  async preview<T>(req: Omit<ActuatorRequest<T>, 'mutate' | 'recorder'>): Promise<Verdict[]> {
    const now = this.clock.now();
    const auth = await this.authorizeNow({ ...req, recorder: { record: () => undefined }, mutate: async () => undefined as T }, now);
    const arbiter = await previewArbiter(this.store, req.proposed, req.lockResource ?? req.proposed.scope, now, this.config.guardrails.lockTtlSeconds);
    return arbiter ? [...auth.verdicts, arbiter] : auth.verdicts;
  }

  /** Reads guardrail state fresh and runs the domain's `authorize`. */
  private async authorizeNow<T>(req: ActuatorRequest<T>, now: number) {
    const widest = Math.max(req.policy.cooldownSeconds ?? 0, req.policy.budget?.windowSeconds ?? 0, this.config.guardrails.circuitBreaker.windowSeconds);
    const since = now - widest * 1000;
    const [controls, scopeActions, globalActions] = await Promise.all([
      this.readControls(req, now),
      this.store.recentActions(req.proposed.scope, since),
      this.store.recentActions('global', since),
    ]);
    return authorize(req.proposed, { controls: this.effective(controls), scopeActions, globalActions }, req.policy, this.config.guardrails.circuitBreaker, now, req.extraVerdicts);
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
