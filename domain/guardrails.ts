/**
 * Guardrails: named, pure verdicts. Every mutating call the autopilot makes is preceded by
 * `authorize`, whose verdicts are logged and recorded whether they pass or not. A refusal
 * becomes a page with the reason (see paging.ts); it is never a silent skip.
 */

/**
 * Every guardrail the autopilot names, closed: a verdict, a refusal outcome or a page's refused
 * entry with a misspelt name does not compile.
 */
export type GuardrailName =
  // Generic, every mutation (authorize, the Actuator).
  /** The operator's kill switch (or an unreadable controls item) stops every mutation. */
  | 'KillSwitch'
  /** Automatic actions across runbooks in a window: an automation storm opens it. */
  | 'CircuitBreaker'
  /** Minimum interval between actions of a kind on one scope. */
  | 'Cooldown'
  /** Maximum actions of a kind on one scope per window. */
  | 'ActionBudget'
  /** One runbook at a time holds the resource's lock. */
  | 'ResourceLock'
  /** The runbook's mode (live / shadow / off) in config (domain/modes.ts). */
  | 'RunbookMode'
  /** Precedence between runbooks on one resource (domain/arbiter.ts). */
  | 'Arbiter'
  /** The alarm that fired measures what the runbook was configured for (domain/alarm-binding.ts). */
  | 'AlarmBinding'
  // Scaling (domain/scaling, domain/investigation).
  /** No scaling of a service paused on purpose (desired count 0). */
  | 'ServiceActive'
  /** The desired count stays within the configured min/max. */
  | 'Bounds'
  /** One scale-out step at most doubles the count (and adds at most maxStepUp). */
  | 'StepLimit'
  /** Scale in only after the alarm has been OK for the stabilisation period. */
  | 'Stabilisation'
  /** Scale in never below the pre-incident floor. */
  | 'MinFloor'
  /** No scale-out when the cause is pool exhaustion or a dependency outage. */
  | 'ScalingWouldNotHelp'
  /** A restart hand-off is refused on a CodeDeploy-controlled service (ECS rejects force-new-deployment). */
  | 'CodeDeployControlledService'
  /** The investigation's hand-off event to another runbook could not be emitted. */
  | 'HandOffFailed'
  // Rollback (domain/rollback).
  /** At most one automatic rollback of a service per window. */
  | 'RollbackWindow'
  /** There is a known-good revision to roll back to. */
  | 'KnownGoodRevision'
  /** Rolling back never crosses a revision marked not rollback-safe (a migration). */
  | 'RevisionNotRollbackSafe'
  /** The live deployment state confirms the claim that triggered the rollback. */
  | 'LiveStateAgrees'
  /** The emergency listener switch goes only to a healthy group that changes something. */
  | 'SwitchTargetHealthy'
  /** A human approved the step (rollback listener switch, restore switch); expired = denied. */
  | 'HumanApproval'
  // Database failover (domain/failover/gates.ts GATES).
  /** One check of the primary's health (control plane and reachability). */
  | 'PrimaryCheck'
  /** Consecutive checks confirm the primary down before any failover step. */
  | 'PrimaryConfirmedDown'
  /** The replica to promote is available. */
  | 'ReplicaAvailable'
  /** The replica replicates from the failed primary. */
  | 'ReplicaSource'
  /** The estimated data-loss window (replica lag) is known and within the RPO budget. */
  | 'ReplicaLag'
  /** Minimum interval between failovers of one primary. */
  | 'FailoverInterval'
  /** The secondary region's cluster, service and task definition are ready. */
  | 'SecondaryReady'
  /** A human approved the promotion. */
  | 'Approval'
  /** A standby-region stage defers while the primary region still answers its APIs. */
  | 'StandbyDefers'
  // Restore (domain/restore).
  /** The database to restore exists. */
  | 'SourceDatabaseExists'
  /** The snapshot to restore from belongs to that database. */
  | 'SnapshotBelongsToDatabase'
  /** The point in time lies within the automated backup window. */
  | 'RestoreTimeInWindow'
  /** A restore never targets a live database. */
  | 'NeverRestoreOverPrimary'
  /** The approver is not the requester. */
  | 'SecondPerson'
  /** The restore request's requester was verified (STS), not typed. */
  | 'VerifiedRequester'
  /** An S3 point in time lies within the versioning window. */
  | 'S3RestoreTimeInWindow'
  /** An empty prefix (the whole bucket) was confirmed explicitly. */
  | 'WholeBucketConfirmed'
  /** At most guardrails.restore.s3MaxObjectsPerBucketPerDay objects restored per bucket per UTC day. */
  | 'S3DailyObjectBudget'
  /** The dry-run switch is on: the S3 restore copies nothing. */
  | 'DryRun'
  | OperatorRefusalCode;

/** Why the operator-request function refused a command (handlers/operator-request.ts); each is paged. */
export type OperatorRefusalCode =
  /** The command is malformed. */
  | 'BadCommand'
  /** The command typed an identity that is set from the verified caller. */
  | 'TypedIdentity'
  /** The caller's signed proof did not verify with STS. */
  | 'UnverifiedCaller'
  /** The signed proof was already used. */
  | 'ProofReplayed'
  /** The relayed request failed its runbook's validation. */
  | 'BadRequest'
  /** The caller is not a configured requester. */
  | 'NotARequester'
  /** The caller is not a configured approver. */
  | 'NotAnApprover'
  /** The caller is in another AWS account. */
  | 'ForeignAccount'
  /** The caller would approve their own request. */
  | 'SelfApproval';

/**
 * What a refusal means where a caller branches on it: set where the verdict is made, so no
 * caller parses the reason (the reason is for people and keeps its own wording).
 */
export type VerdictCode =
  /** Arbiter: a rollback is rolling the resource; lifts when that rollout is verified (wait). */
  | 'ResourceBusy'
  /** Arbiter: a failover or a restore switch holds the resource; lifts by a human or after the freeze. */
  | 'ResourceFrozen'
  /** Arbiter: a runbook of higher precedence preempted this incident; it makes no further change. */
  | 'Preempted'
  /** SwitchTargetHealthy: the group has no healthy target. */
  | 'SwitchTargetUnhealthy'
  /** SwitchTargetHealthy: the listener already forwards only to that group. */
  | 'SwitchChangesNothing';

export interface Verdict {
  guardrail: GuardrailName;
  pass: boolean;
  reason: string;
  /** Set on the refusals a caller branches on (VerdictCode). */
  code?: VerdictCode;
  evidence?: Record<string, unknown>;
}

/** Run-time switches kept in the state table; an operator flips them without a deploy. */
export interface Controls {
  killSwitch: boolean;
  dryRun: boolean;
  /** Who set them and why, for the page. */
  setBy?: string;
  reason?: string;
  /** Why the controls item did not read cleanly (domain/controls.ts); each forced a switch ON. */
  anomalies?: string[];
}

export interface ActionRecord {
  /** What the action counts against: e.g. 'service:regami-cluster/regami-service', 'db:regami-db-primary'. */
  scope: string;
  /** Action kind, e.g. 'scale-out', 'rollback', 'promote-replica'. */
  action: string;
  at: number;
  incidentKey: string;
  summary?: string;
  /** Mutating calls the action makes (an S3 page of 1,000 copies is 1,000); absent = 1. */
  mutations?: number;
  /**
   * Set when the action was recorded (before its call, so a crash never loses it) but did not
   * complete: 'failed' (the call threw: it may have half-applied) or 'not-run' (a switch
   * flipped at the last moment). The circuit breaker still counts it; cooldowns and budgets do not.
   */
  outcome?: 'failed' | 'not-run';
}

export interface LockLease {
  resource: string;
  owner: string;
  expiresAt: number;
}

/** A mutating action the runbook wants to take, described before it happens. */
export interface ProposedAction {
  action: string;
  scope: string;
  summary: string;
  incidentKey: string;
  /** Mutating calls this action makes (default 1): what the circuit breaker counts. */
  mutations?: number;
}

/** Per-action policy: which time-based guardrails apply. */
export interface ActionPolicy {
  cooldownSeconds?: number;
  budget?: { max: number; windowSeconds: number };
  /**
   * The action kinds on the scope that start this action's cooldown and spend its budget.
   * Default: only the same kind (a restore's pre-restore snapshot on db:<id> never starts the
   * failover's interval there). Scaling counts out and in together.
   */
  countsActions?: string[];
}

export interface CircuitBreakerPolicy {
  maxActions: number;
  windowSeconds: number;
  /** Mutating calls across all runbooks per window (an S3 page of 1,000 copies counts 1,000). */
  maxMutations?: number;
}

/** Mutating calls an action record stands for. */
export const mutationsOf = (a: { mutations?: number }): number => (typeof a.mutations === 'number' && Number.isFinite(a.mutations) && a.mutations > 0 ? Math.ceil(a.mutations) : 1);

/** Records that count for cooldowns and budgets: the action ran (or may have). */
const completed = (actions: ActionRecord[]): ActionRecord[] => actions.filter((a) => a.outcome === undefined);

/** What `authorize` needs to know about the world, read fresh from the state table. */
export interface GuardState {
  controls: Controls;
  /** Actions recorded against this action's scope, newest first or any order. */
  scopeActions: ActionRecord[];
  /** Mutating actions by any runbook (circuit breaker). */
  globalActions: ActionRecord[];
}

export interface Authorization {
  allowed: boolean;
  /** Allowed, but dry-run: record and page what would have been done, do not mutate. */
  dryRun: boolean;
  verdicts: Verdict[];
  refusal?: Verdict;
}

export function killSwitchVerdict(controls: Controls): Verdict {
  if (controls.killSwitch && controls.anomalies && controls.anomalies.length > 0) {
    return {
      guardrail: 'KillSwitch',
      pass: false,
      reason: `ControlsUnreadable: the controls item reads as kill switch ON (fail closed): ${controls.anomalies.join('; ')}; no automatic action`,
      evidence: { anomalies: controls.anomalies },
    };
  }
  return controls.killSwitch
    ? {
        guardrail: 'KillSwitch',
        pass: false,
        reason: `kill switch is ON${controls.setBy ? ` (set by ${controls.setBy}${controls.reason ? `: ${controls.reason}` : ''})` : ''}; no automatic action`,
      }
    : { guardrail: 'KillSwitch', pass: true, reason: 'kill switch is off' };
}

function within(actions: ActionRecord[], now: number, seconds: number): ActionRecord[] {
  const since = now - seconds * 1000;
  return actions.filter((a) => a.at > since && a.at <= now);
}

export function cooldownVerdict(actions: ActionRecord[], now: number, cooldownSeconds: number, scope: string): Verdict {
  const last = actions.reduce<ActionRecord | undefined>((m, a) => (a.at <= now && (!m || a.at > m.at) ? a : m), undefined);
  if (!last) return { guardrail: 'Cooldown', pass: true, reason: `no earlier action on ${scope}` };
  const elapsed = Math.floor((now - last.at) / 1000);
  if (elapsed >= cooldownSeconds) {
    return { guardrail: 'Cooldown', pass: true, reason: `last action on ${scope} ${elapsed}s ago (cooldown ${cooldownSeconds}s)` };
  }
  return {
    guardrail: 'Cooldown',
    pass: false,
    reason: `CooldownActive: last ${last.action} on ${scope} was ${elapsed}s ago, cooldown is ${cooldownSeconds}s`,
    evidence: { lastAction: last.action, lastAt: new Date(last.at).toISOString(), remainingSeconds: cooldownSeconds - elapsed },
  };
}

export function budgetVerdict(actions: ActionRecord[], now: number, max: number, windowSeconds: number, scope: string): Verdict {
  const used = within(actions, now, windowSeconds).length;
  if (used < max) {
    return { guardrail: 'ActionBudget', pass: true, reason: `${used}/${max} actions on ${scope} in the last ${windowSeconds}s` };
  }
  return {
    guardrail: 'ActionBudget',
    pass: false,
    reason: `BudgetExhausted: ${used}/${max} actions on ${scope} in the last ${windowSeconds}s`,
    evidence: { used, max, windowSeconds },
  };
}

export function circuitBreakerVerdict(globalActions: ActionRecord[], now: number, policy: CircuitBreakerPolicy, asking = 1): Verdict {
  const recent = within(globalActions, now, policy.windowSeconds);
  const used = recent.length;
  const mutations = recent.reduce((n, a) => n + mutationsOf(a), 0);
  if (policy.maxMutations !== undefined && mutations + asking > policy.maxMutations) {
    return {
      guardrail: 'CircuitBreaker',
      pass: false,
      reason: `CircuitOpen: ${mutations} mutating calls across all runbooks in ${policy.windowSeconds}s, ${asking} more would pass the limit of ${policy.maxMutations}; the autopilot stops acting`,
      evidence: { used, mutations, asking, maxMutations: policy.maxMutations, max: policy.maxActions },
    };
  }
  if (used < policy.maxActions) {
    return { guardrail: 'CircuitBreaker', pass: true, reason: `${used}/${policy.maxActions} automatic actions across runbooks in ${policy.windowSeconds}s` };
  }
  return {
    guardrail: 'CircuitBreaker',
    pass: false,
    reason: `CircuitOpen: ${used} automatic actions across all runbooks in ${policy.windowSeconds}s (limit ${policy.maxActions}); the autopilot stops acting`,
    evidence: { used, max: policy.maxActions },
  };
}

/**
 * The one gate before any mutation. Order matters only for the report: every verdict is
 * computed and returned so the record shows the whole picture, and the first refusal is
 * the reason given in the page.
 */
export function authorize(
  proposed: ProposedAction,
  state: GuardState,
  policy: ActionPolicy,
  breaker: CircuitBreakerPolicy,
  now: number,
  extra: Verdict[] = [],
): Authorization {
  const verdicts: Verdict[] = [killSwitchVerdict(state.controls), circuitBreakerVerdict(state.globalActions, now, breaker, mutationsOf(proposed))];
  const kinds = policy.countsActions ?? [proposed.action];
  const scoped = completed(state.scopeActions.filter((a) => a.scope === proposed.scope && kinds.includes(a.action)));
  if (policy.cooldownSeconds !== undefined) verdicts.push(cooldownVerdict(scoped, now, policy.cooldownSeconds, proposed.scope));
  if (policy.budget) verdicts.push(budgetVerdict(scoped, now, policy.budget.max, policy.budget.windowSeconds, proposed.scope));
  verdicts.push(...extra);
  const refusal = verdicts.find((v) => !v.pass);
  return { allowed: !refusal, dryRun: state.controls.dryRun, verdicts, refusal };
}

/**
 * When a refusal lifts without anyone acting, epoch ms: another execution's lock at its expiry
 * (sooner when given back) and the arbiter's ResourceBusy (a rollback rolling the resource) at its
 * claim's end. Every other refusal (a freeze, a budget, the kill switch...) is not waited for.
 */
export function holdLiftsAt(v: Verdict): number | undefined {
  const at = v.guardrail === 'ResourceLock' ? v.evidence?.expiresAt : v.code === 'ResourceBusy' ? v.evidence?.until : undefined;
  const ms = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

export function lockVerdict(resource: string, held: LockLease | undefined, owner: string, now: number): Verdict {
  if (!held || held.owner === owner || held.expiresAt <= now) {
    return { guardrail: 'ResourceLock', pass: true, reason: `lock on ${resource} is ours` };
  }
  return {
    guardrail: 'ResourceLock',
    pass: false,
    reason: `LockHeld: ${resource} is locked by ${held.owner} until ${new Date(held.expiresAt).toISOString()}`,
    evidence: { heldBy: held.owner, expiresAt: new Date(held.expiresAt).toISOString() },
  };
}
