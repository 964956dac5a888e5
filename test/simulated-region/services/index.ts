/**
 * What a simulated service is: each module under services/ exports one `service: ServiceSim`
 * and services/all.ts lists them. The core iterates that list and names no service: world.ts
 * dispatches operations, state.ts builds each region's state, validate.ts checks each
 * service's part of a WorldSpec and its world changes, changes.ts applies those changes,
 * iam-requests.ts authorises each operation. An operation no service has answers
 * UnknownOperationException (world.ts).
 */
import type { SimWorld } from '../world';
import type { RegionState } from '../state';
import type { SdkModule } from '../errors';
import type { AuthRequest } from '../iam';
import type { HangTarget, RegionSpec, WorldChange, WorldSpec } from '../spec';
import type { Json, Problems } from '../spec-checks';

export interface OpContext {
  world: SimWorld;
  region: string;
  /** Simulated epoch ms of the call. */
  now: number;
  r: RegionState;
}

export type OpHandler = (ctx: OpContext, input: never) => unknown;

/** One call as IAM sees it: what iam-requests.ts's mappers read. */
export interface IamCall {
  world: SimWorld;
  region: string;
  account: string;
  input: Record<string, any>;
}

/** The authorisations AWS makes for one operation (Service Authorization Reference). */
export type IamMapper = (c: IamCall) => AuthRequest[];

/** A service key of RegionSpec (the scenario's `regions.<r>.<key>`) and of RegionState (the state built from it). */
export type RegionKey = keyof RegionSpec & keyof RegionState;

/**
 * A service's slice of every region. State modules add their key to RegionState by
 * declaration merging (`declare module '../state' { interface RegionState { rds: RdsState } }`).
 */
export interface RegionPart<K extends RegionKey> {
  key: K;
  init(world: SimWorld, region: string, spec: RegionSpec[K] | undefined): RegionState[K];
  /** Problems of `regions.<r>.<key>` (path names it), the value as the scenario wrote it. */
  validate(p: Problems, path: string, spec: Json): void;
}

type AnyRegionPart = { [K in RegionKey]: RegionPart<K> }[RegionKey];

/** A global service's part of the WorldSpec (Route 53 is not regional: `world.route53`). */
export interface GlobalPart {
  key: keyof WorldSpec;
  validate(p: Problems, path: string, spec: Json): void;
}

/** The world changes the core applies itself (faults); every other kind belongs to a service. */
export type CoreChangeKind = 'fault' | 'clear-faults';
export type ServiceChangeKind = Exclude<WorldChange['kind'], CoreChangeKind>;

/** A world change a service applies (spec.ts WorldChange): its fields, their checks, its effect. */
export interface ChangeHandler<C extends ServiceChangeKind> {
  required: string[];
  optional: string[];
  /** Checks beyond the field names (validate.ts checks those and `region`). */
  validate?(p: Problems, path: string, change: Record<string, Json>): void;
  apply(world: SimWorld, change: Extract<WorldChange, { kind: C }>, at: number): void;
}

export type ChangeHandlers = { [C in ServiceChangeKind]?: ChangeHandler<C> };

export interface ServiceSim {
  /** Client name without "Client" ('RDS', 'ElasticLoadBalancingV2'): what calls and faults name. */
  name: string;
  /** Modeled exceptions of the service's SDK package. */
  sdk: SdkModule;
  /** The throttling error name the service's protocol uses. */
  throttleError: string;
  ops: Record<string, OpHandler>;
  /** What IAM authorises per operation; an operation missing here is denied once IAM is on. */
  iam: Record<string, IamMapper>;
  region?: AnyRegionPart;
  global?: GlobalPart;
  changes?: ChangeHandlers;
  /** Transitions of this service a `hang` fault can hold (spec.ts HangTarget). */
  hangs?: readonly HangTarget[];
}
