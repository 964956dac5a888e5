/**
 * SimWorld: the simulated AWS account (two regions) the real SDK clients talk to.
 *
 * State changes are timers on the simulated clock: PromoteReadReplica schedules
 * 'rebooting' at t+60s, the end of the reboot (and a 'backing-up' when it turns automated
 * backups on) and 'available' at t+promoteTotalSeconds, an ECS deployment
 * schedules its task starts, and so on. Timers fire in time order whenever the clock
 * moves or a call arrives, each with its own timestamp, so a Describe after the clock
 * passed a transition sees it (and the timestamps in it are the transition's, not the
 * caller's). A hung transition (fault 'hang') stays pending until the hang is cleared.
 */
import { SimClock } from './clock';
import { Prng } from './random';
import { awsError, unknownOperation, type SdkLikeError } from './errors';
import type { AwsEvent, BusEvent, DurableCallbacks, DurableInvoke, InjectedFault, SimCall, SnsMessage } from './api';
import { WorldSpecError } from './api';
import type { FaultSpec, HangTarget, ScheduledChange, SimTime, WorldChange, WorldSpec } from './spec';
import { validateChange, validateFault, validateWorld } from './validate';
import { initRegion, type RegionState } from './state';
import type { OpContext } from './services';
import { serviceNamed } from './services/all';
import { applyChange } from './changes';
import { accessDenied, evaluate, principalArn, type AuthDecision, type ResolvedStatement, type SimIam } from './iam';
import { authorizationsFor } from './iam-requests';

export interface SimRequest {
  region: string;
  /** 'RDS' (client name without "Client"). */
  service: string;
  /** 'DescribeDBInstances' (command name without "Command"). */
  operation: string;
  attempt: number;
  input: unknown;
}

interface Timer {
  at: number;
  seq: number;
  label: string;
  /** It came due while its transition was hung. */
  held?: boolean;
  hang?: { what: HangTarget; region: string; resource: string };
  run: (at: number) => void;
}

interface InstalledFault {
  id: string;
  spec: FaultSpec;
  matched: number;
}

export type CallListener = (call: SimCall) => void;
export type AwsEventListener = (event: AwsEvent) => void;

const DEFAULT_ACCOUNT = '123456789012';

export class SimWorld {
  readonly clock: SimClock;
  readonly account: string;
  readonly startMs: number;
  readonly spec: WorldSpec;
  /** Every attempt of every call, in order. */
  readonly calls: SimCall[] = [];
  /** SNS Publish messages (pages). */
  readonly snsOutbox: SnsMessage[] = [];
  /** EventBridge PutEvents entries not yet drained by the drill. */
  readonly busOutbox: BusEvent[] = [];
  /** Events AWS itself emitted (alarm state changes, ECS deployment and RDS events), in order. */
  readonly awsEvents: AwsEvent[] = [];
  /** Every IAM authorisation made (DynamoDB's included), once IAM is on (setIam). */
  readonly authorizations: { at: number; caller?: string; service: string; operation: string; decisions: AuthDecision[] }[] = [];
  /** Scheduled changes and faults applied so far (for the drill timeline). */
  readonly applied: { at: number; change: WorldChange; note?: string }[] = [];

  /** @internal per-region service state. */
  readonly regions = new Map<string, RegionState>();
  /** @internal ids and generated names (deterministic). */
  readonly ids: Prng;
  private readonly faultRng: Prng;
  private readonly timers: Timer[] = [];
  private timerSeq = 0;
  private callSeq = 0;
  private faultSeq = 0;
  private faults: InstalledFault[] = [];
  private settling = false;
  private firing?: number;
  private readonly callListeners: CallListener[] = [];
  private readonly eventListeners: AwsEventListener[] = [];
  private durableInvoke?: DurableInvoke;
  private durableCallbacks?: DurableCallbacks;
  private iam?: SimIam;

  /** Validates the spec (WorldSpecError naming each bad path) and builds the world at its start time. */
  static create(spec: WorldSpec, clock?: SimClock): SimWorld {
    const problems = validateWorld(spec);
    if (problems.length) throw new WorldSpecError(problems);
    return new SimWorld(spec, clock);
  }

  private constructor(spec: WorldSpec, clock?: SimClock) {
    // The world owns its copy: a caller reusing or mutating its spec cannot reach into it.
    this.spec = structuredClone(spec);
    spec = this.spec;
    this.account = spec.account ?? DEFAULT_ACCOUNT;
    this.startMs = Date.parse(spec.start);
    this.clock = clock ?? new SimClock(this.startMs);
    if (this.clock.now() < this.startMs) this.clock.advanceTo(this.startMs);
    const seed = spec.seed ?? 1;
    this.ids = new Prng(seed * 7919 + 17);
    this.faultRng = new Prng(seed);
    for (const [name, regionSpec] of Object.entries(spec.regions)) {
      this.regions.set(name, initRegion(this, name, regionSpec));
    }
    for (const f of spec.faults ?? []) this.addFault(f);
    for (const s of spec.schedule ?? []) this.schedule(s);
    this.clock.onAdvance(() => this.settle());
    this.settle();
  }

  // ------------------------------------------------------------ time

  now(): number {
    return this.clock.now();
  }

  /** A spec time (seconds from start, or ISO) as epoch ms. */
  toMs(t: SimTime): number {
    return typeof t === 'number' ? this.startMs + t * 1000 : Date.parse(t);
  }

  /** Seconds since the world's start (for series lookups). */
  offsetSeconds(epochMs: number): number {
    return (epochMs - this.startMs) / 1000;
  }

  /** @internal Run `run` at `at` (simulated ms). A hang key keeps it pending while a matching hang fault is installed. */
  at(at: number, label: string, run: (at: number) => void, hang?: Timer['hang']): void {
    this.timers.push({ at, seq: ++this.timerSeq, label, run, hang });
  }

  /** Fires every due timer in time order (done automatically when the clock moves and before each call). */
  settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      const now = this.clock.now();
      for (;;) {
        let best: Timer | undefined;
        for (const t of this.timers) {
          if (t.at > now) continue;
          if (t.hang && this.isHung(t.hang.what, t.hang.region, t.hang.resource)) {
            t.held = true;
            continue;
          }
          if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
        }
        if (!best) break;
        this.timers.splice(this.timers.indexOf(best), 1);
        this.firing = best.at;
        best.run(best.at);
      }
    } finally {
      this.firing = undefined;
      this.settling = false;
    }
  }

  /** Time of the change being applied: the firing timer's, else now. */
  private changeTime(): number {
    return this.firing ?? this.clock.now();
  }

  /** Pending transitions (for debugging a stuck drill). */
  pending(): { at: number; label: string; hung: boolean }[] {
    return this.timers
      .map((t) => ({ at: t.at, label: t.label, hung: !!t.hang && this.isHung(t.hang.what, t.hang.region, t.hang.resource) }))
      .sort((a, b) => a.at - b.at);
  }

  // ------------------------------------------------------------ changes and faults

  /** Apply a world change now. */
  apply(change: WorldChange, note?: string): void {
    checked(validateChange, 'change', change);
    this.settle();
    this.applied.push({ at: this.now(), change, note });
    applyChange(this, change, this.now());
    this.settle();
  }

  /** Apply a change at `at` seconds from start (in the past: at once). */
  schedule(s: ScheduledChange): void {
    checked(validateChange, 'change', s.change);
    if (typeof s.at !== 'number' || !Number.isFinite(s.at)) throw new WorldSpecError([`at: expected seconds from start, got ${JSON.stringify(s.at)}`]);
    const at = this.toMs(s.at);
    this.at(at, `scheduled ${s.change.kind}${s.note ? ` (${s.note})` : ''}`, (firedAt) => {
      this.applied.push({ at: firedAt, change: s.change, note: s.note });
      applyChange(this, s.change, firedAt);
    });
    this.settle();
  }

  /** Install a fault; returns its id (for clearFaults). */
  addFault(fault: FaultSpec): string {
    checked(validateFault, 'fault', fault);
    const id = fault.id ?? `fault-${++this.faultSeq}`;
    this.faults.push({ id, spec: fault, matched: 0 });
    return id;
  }

  /** Remove faults by id, or all of them. Released hangs continue at once. */
  clearFaults(ids?: string[]): void {
    this.faults = ids ? this.faults.filter((f) => !ids.includes(f.id)) : [];
    // A released transition resumes from the release on, keeping the spacing of its remaining
    // steps (a promotion hung in 'modifying' still spends its reboot time after the release).
    const releasedAt = this.changeTime();
    const delays = new Map<string, number>();
    for (const t of this.timers) {
      if (!t.held || !t.hang || this.isHung(t.hang.what, t.hang.region, t.hang.resource)) continue;
      const key = hangKey(t.hang);
      delays.set(key, Math.max(delays.get(key) ?? 0, releasedAt - t.at));
    }
    for (const t of this.timers) {
      const delay = t.hang ? delays.get(hangKey(t.hang)) : undefined;
      if (delay === undefined) continue;
      t.held = false;
      t.at += delay;
    }
    this.settle();
  }

  faultIds(): string[] {
    return this.faults.map((f) => f.id);
  }

  /** @internal */
  isHung(what: HangTarget, region: string, resource: string): boolean {
    return this.faults.some(
      (f) => f.spec.kind === 'hang' && f.spec.what === what && (!f.spec.region || f.spec.region === region) && (!f.spec.resource || f.spec.resource === resource),
    );
  }

  private injectedFault(req: SimRequest): { kind: InjectedFault; fault: InstalledFault } | undefined {
    const now = this.offsetSeconds(this.now());
    for (const f of this.faults) {
      const s = f.spec;
      if (s.kind === 'hang') continue;
      if (s.service && s.service !== '*' && s.service !== req.service) continue;
      if (s.operation && s.operation !== '*' && s.operation !== req.operation) continue;
      if (s.region && s.region !== '*' && s.region !== req.region) continue;
      if (s.from !== undefined && now < s.from) continue;
      if (s.until !== undefined && now >= s.until) continue;
      f.matched++;
      const byCount = s.first !== undefined && f.matched <= s.first;
      const byChance = s.probability !== undefined && this.faultRng.next() < s.probability;
      const always = s.first === undefined && s.probability === undefined;
      if (byCount || byChance || always) return { kind: s.kind, fault: f };
    }
    return undefined;
  }

  // ------------------------------------------------------------ hooks for the drill

  setDurableHost(invoke: DurableInvoke, callbacks?: DurableCallbacks): void {
    this.durableInvoke = invoke;
    this.durableCallbacks = callbacks;
  }

  /** @internal */
  durableHost(): { invoke?: DurableInvoke; callbacks?: DurableCallbacks } {
    return { invoke: this.durableInvoke, callbacks: this.durableCallbacks };
  }

  /**
   * IAM on: from now on each call is authorised against the policy of the function making it
   * (iam.caller()), and denied with the service's AccessDenied error as AWS would. Off by default
   * (unit tests of the simulated services call it without an identity).
   */
  setIam(iam: SimIam | undefined): void {
    this.iam = iam;
  }

  /**
   * Authorises one request against the caller's policy; throws AccessDenied for the first
   * implicit deny. No-op while IAM is off. The plugin calls it for DynamoDB too (answered by dynalite).
   */
  authorize(req: Pick<SimRequest, 'region' | 'service' | 'operation' | 'input'>, sdk?: Record<string, unknown>): void {
    const iam = this.iam;
    if (!iam) return;
    const caller = iam.caller();
    const requests = authorizationsFor(this, req.region, req.service, req.operation, req.input) ?? [{ action: `${req.service}:${req.operation} (no IAM mapping in test/simulated-region/iam-requests.ts)`, resource: '*' }];
    const policy = caller === undefined ? undefined : iam.policies.get(caller);
    const decisions = requests.map((r) => (policy ? evaluate(policy, r) : { ...r, allowed: false }));
    this.authorizations.push({ at: this.now(), caller, service: req.service, operation: req.operation, decisions });
    const denied = decisions.find((d) => !d.allowed);
    if (!denied) return;
    const principal = caller === undefined ? `arn:aws:sts::${this.account}:assumed-role/unknown/no-function` : principalArn(this.account, iam.roleName?.(caller) ?? caller, caller);
    throw accessDenied(req.service, principal, denied, sdk);
  }

  /**
   * @internal The statements of the role named `roleName` (SimIam.roleName of a function, else
   * the function key), as IAM enforces them here: what IAM SimulatePrincipalPolicy evaluates.
   * Undefined while IAM is off or for a role nobody has.
   */
  rolePolicy(roleName: string): readonly ResolvedStatement[] | undefined {
    const iam = this.iam;
    if (!iam) return undefined;
    for (const [fn, statements] of iam.policies) if ((iam.roleName?.(fn) ?? fn) === roleName) return statements;
    return undefined;
  }

  onCall(listener: CallListener): () => void {
    this.callListeners.push(listener);
    return () => this.callListeners.splice(this.callListeners.indexOf(listener), 1);
  }

  /** AWS-emitted events (alarm state changes...), as they happen in simulated time. */
  onAwsEvent(listener: AwsEventListener): () => void {
    this.eventListeners.push(listener);
    return () => this.eventListeners.splice(this.eventListeners.indexOf(listener), 1);
  }

  /** Hand-off events published with PutEvents since the last drain. */
  drainBus(): BusEvent[] {
    return this.busOutbox.splice(0, this.busOutbox.length);
  }

  /** Calls to operations the simulator does not implement (a drill must fail when this is not empty). */
  unknownOperations(): SimCall[] {
    return this.calls.filter((c) => c.unknownOperation);
  }

  /** @internal */
  emitAwsEvent(at: number, region: string, source: string, detailType: string, resources: string[], detail: Record<string, unknown>): void {
    const event: AwsEvent = {
      version: '0',
      id: `${this.ids.hex(8)}-${this.ids.hex(4)}-${this.ids.hex(4)}-${this.ids.hex(4)}-${this.ids.hex(12)}`,
      'detail-type': detailType,
      source,
      account: this.account,
      time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources,
      detail,
    };
    this.awsEvents.push(event);
    for (const l of this.eventListeners) l(event);
  }

  /** @internal The region's state; a region absent from the spec is an empty region. */
  region(name: string): RegionState {
    let r = this.regions.get(name);
    if (!r) {
      r = initRegion(this, name, {});
      this.regions.set(name, r);
    }
    return r;
  }

  // ------------------------------------------------------------ the call path

  /** Answer one SDK attempt: the plugin's entry. Resolves to the output fields (without $metadata) or throws as the SDK would. */
  async handle(req: SimRequest): Promise<Record<string, unknown>> {
    this.settle();
    const call: SimCall = {
      seq: ++this.callSeq,
      at: this.now(),
      region: req.region,
      service: req.service,
      operation: req.operation,
      attempt: req.attempt,
      input: snapshot(req.input),
      outcome: 'ok',
    };
    const service = serviceNamed(req.service);
    const op = service?.ops[req.operation];
    try {
      if (!service || !op) {
        call.unknownOperation = true;
        throw unknownOperation(req.service, req.operation);
      }
      // Authorisation comes first: a denied request never reaches the service.
      call.caller = this.iam?.caller();
      this.authorize(req, service.sdk);
      const injected = this.injectedFault(req);
      if (injected) {
        call.injected = injected.kind;
        throw injectedError(injected.kind, service.throttleError, req, injected.fault.spec);
      }
      const ctx: OpContext = { world: this, region: req.region, now: this.now(), r: this.region(req.region) };
      const out = (await op(ctx, (req.input ?? {}) as never)) as Record<string, unknown> | undefined;
      this.settle();
      this.record(call);
      return cloneOutput(out ?? {}) as Record<string, unknown>;
    } catch (err) {
      const e = err as SdkLikeError;
      call.outcome = 'error';
      call.error = e.name;
      call.errorMessage = e.message;
      this.record(call);
      throw err;
    }
  }

  private record(call: SimCall): void {
    this.calls.push(call);
    for (const l of this.callListeners) l(call);
  }
}

/** The input as it was sent (a caller reusing its input object must not rewrite the record). */
function snapshot(input: unknown): unknown {
  try {
    return structuredClone(input);
  } catch {
    return input;
  }
}

function hangKey(h: NonNullable<Timer['hang']>): string {
  return `${h.what}|${h.region}|${h.resource}`;
}

function checked(validate: (p: string[], path: string, v: unknown) => void, path: string, v: unknown): void {
  const problems: string[] = [];
  validate(problems, path, v);
  if (problems.length) throw new WorldSpecError(problems);
}

function injectedError(kind: InjectedFault, throttleName: string, req: SimRequest, spec: FaultSpec): SdkLikeError {
  const what = `${req.service}.${req.operation} in ${req.region} (injected fault)`;
  switch (kind) {
    case 'throttle':
      return awsError(throttleName, `Rate exceeded: ${what}`, { status: 400 });
    case 'server-error': {
      const status = spec.kind !== 'hang' && spec.status === 503 ? 503 : 500;
      return status === 503
        ? awsError('ServiceUnavailable', `Service unavailable: ${what}`, { status: 503, fault: 'server' })
        : awsError('InternalFailure', `Internal failure: ${what}`, { status: 500, fault: 'server' });
    }
    case 'timeout':
      return awsError('TimeoutError', `Request timed out: ${what}`, { status: 408, fault: 'client' });
  }
}

/** Outputs are copies (callers must not reach into the world's state); byte payloads keep their SDK class. */
function cloneOutput(v: unknown): unknown {
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(cloneOutput);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, cloneOutput(x)]));
  return v;
}
