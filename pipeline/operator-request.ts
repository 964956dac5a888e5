/**
 * The operator-request function's logic: the one door for people (handlers/operator-request.ts wires it).
 *
 *   autopilot request restore|s3-restore|rollback …   -> { command: { action: 'request', … }, proof }
 *   autopilot approve|reject <incident> <callback>    -> { command: { action: 'approve'|'reject', … }, proof }
 *
 * Invoked synchronously (Lambda Invoke, IAM-authorised: the operator role may invoke it).
 * It acts only on an identity STS verified (domain/caller-proof.ts): the proof is bound to
 * this exact command, fresh, used once. Then:
 * - a request needs a verified requester (config.operators.requesters); `requestedBy` is set
 *   to the verified ARN (a typed one is refused) and the request goes to the private bus,
 *   the only place the runbooks' request rules listen;
 * - an answer needs a verified approver; it is sent as the durable callback with `by` = the
 *   verified ARN. This function's role is the only one allowed to send callbacks, so a
 *   workflow can compare `by` with its requester (approver = requester is refused there).
 * Every refusal is logged and paged with its reason and the identity, verified or not.
 */
import type { Context } from 'aws-lambda';
import { checkProof, type CallerProof } from '../domain/caller-proof';
import { runbookOfIncidentKey } from '../domain/circuit-breaker';
import { TUNABLES, type RunbookId } from '../domain/config';
import type { OperatorRefusalCode } from '../domain/guardrails';
import { fnv1a, incidentKey } from '../domain/incident';
import { hasRole, type VerifiedPrincipal } from '../domain/operators';
import { parseEvent } from '../events';
import { AUTOPILOT_DETAIL_TYPES } from '../events/types';
import { sendGateAnswer } from '../adapters/aws/human-gate-callbacks';
import { sha256Hex, type CallerIdentityVerifier } from '../adapters/aws/caller-identity';
import { AUTOPILOT_EVENT_SOURCE } from '../handlers/shared/contract';
// Relayed requests go out as EventBridge PutEvents on the private bus (registers the emitter).
import '../adapters/aws/handoff';
import { recordRelay } from './relayed-requests';
import type { Runtime } from '../adapters/runtime/runtime-types';

/** Requests a person may make (Scale Requested is a hand-off of investigate-5xx, with its evidence). */
export const OPERATOR_REQUESTS: Readonly<Record<string, RunbookId>> = {
  [AUTOPILOT_DETAIL_TYPES.restoreRequested]: 'restore-from-backup',
  [AUTOPILOT_DETAIL_TYPES.s3RestoreRequested]: 'restore-from-backup',
  [AUTOPILOT_DETAIL_TYPES.rollbackRequested]: 'rollback-deployment',
};

export type OperatorCommand =
  | { action: 'request'; detailType: string; detail: Record<string, unknown> }
  | { action: 'approve' | 'reject'; callbackId: string; incidentKey?: string; note?: string };

export interface OperatorInvocation {
  command: OperatorCommand;
  proof: CallerProof;
}

export type OperatorResult =
  | { status: 'relayed'; detailType: string; requestedBy: string }
  | { status: 'answered'; outcome: 'APPROVED' | 'REJECTED'; by: string; incidentKey?: string }
  | { status: 'refused'; code: OperatorRefusalCode; reason: string; caller?: string };

const MAX_PAYLOAD_BYTES = 16 * 1024;
const PROOF_CLAIM_TTL_SECONDS = TUNABLES.operatorProofClaimTtlSeconds;
const CALLBACK_ID = /^[A-Za-z0-9+/]{1,1022}={0,2}$/;

export interface OperatorDeps {
  verifier: CallerIdentityVerifier;
}

class Refusal extends Error {
  constructor(
    readonly code: OperatorRefusalCode,
    reason: string,
  ) {
    super(reason);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bounded(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new Refusal('BadCommand', `${field}: expected a string of 1..${max} characters`);
  // Control and zero-width characters never reach a page or a log as part of an identifier.
  if (/[\u0000-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060\ufeff]/.test(v)) throw new Refusal('BadCommand', `${field}: control or zero-width characters`);
  return v;
}

/** The command, strictly: unknown fields are refused, not ignored. */
export function readCommand(raw: unknown): OperatorCommand {
  if (!isObject(raw)) throw new Refusal('BadCommand', 'command: expected an object');
  const action = raw.action;
  if (action === 'request') {
    const extra = Object.keys(raw).filter((k) => !['action', 'detailType', 'detail'].includes(k));
    if (extra.length > 0) throw new Refusal('BadCommand', `command: unknown field(s) ${extra.join(', ')}`);
    const detailType = bounded(raw.detailType, 'command.detailType', 64);
    if (!(detailType in OPERATOR_REQUESTS)) throw new Refusal('BadCommand', `command.detailType: "${detailType}" is not something a person may request (${Object.keys(OPERATOR_REQUESTS).join(', ')})`);
    if (!isObject(raw.detail)) throw new Refusal('BadCommand', 'command.detail: expected an object');
    if ('requestedBy' in raw.detail) throw new Refusal('TypedIdentity', 'command.detail.requestedBy: set from your verified identity, never typed: remove it');
    return { action, detailType, detail: raw.detail };
  }
  if (action === 'approve' || action === 'reject') {
    const extra = Object.keys(raw).filter((k) => !['action', 'incidentKey', 'callbackId', 'note'].includes(k));
    if (extra.length > 0) throw new Refusal('BadCommand', `command: unknown field(s) ${extra.join(', ')}`);
    const key = raw.incidentKey === undefined ? undefined : bounded(raw.incidentKey, 'command.incidentKey', 255);
    const callbackId = bounded(raw.callbackId, 'command.callbackId', 1024);
    if (!CALLBACK_ID.test(callbackId)) throw new Refusal('BadCommand', 'command.callbackId: not a callback id');
    const note = raw.note === undefined ? undefined : bounded(raw.note, 'command.note', 500);
    return { action, callbackId, ...(key !== undefined ? { incidentKey: key } : {}), ...(note !== undefined ? { note } : {}) };
  }
  throw new Refusal('BadCommand', 'command.action: expected request | approve | reject');
}

function runbookOf(command: OperatorCommand | undefined): RunbookId {
  if (command?.action === 'request') return OPERATOR_REQUESTS[command.detailType] ?? 'restore-from-backup';
  if (command?.incidentKey) return runbookOfIncidentKey(command.incidentKey) ?? 'restore-from-backup';
  return 'restore-from-backup';
}

export async function handleOperatorCommand(raw: unknown, rt: Runtime, deps: OperatorDeps): Promise<OperatorResult> {
  let command: OperatorCommand | undefined;
  let principal: VerifiedPrincipal | undefined;
  const now = rt.clock.now();
  try {
    const size = Buffer.byteLength(JSON.stringify(raw ?? null));
    if (size > MAX_PAYLOAD_BYTES) throw new Refusal('BadCommand', `payload of ${size} bytes is over ${MAX_PAYLOAD_BYTES}`);
    if (!isObject(raw)) throw new Refusal('BadCommand', 'payload: expected { command, proof }');
    command = readCommand(raw.command);

    // 1. Who is asking: STS says so, for this exact command, once.
    const region = rt.config.primaryRegion;
    const checked = checkProof(raw.proof, sha256Hex(JSON.stringify(raw.command)), region, now);
    if (!checked.ok) throw new Refusal('UnverifiedCaller', checked.reason);
    if (!(await rt.store.claimOnce(`operator-proof#${checked.signature}`, now, PROOF_CLAIM_TTL_SECONDS))) {
      throw new Refusal('ProofReplayed', 'this signed proof was already used: sign again');
    }
    try {
      principal = await deps.verifier.verify(checked.headers, region);
    } catch (err) {
      throw new Refusal('UnverifiedCaller', err instanceof Error ? err.message : String(err));
    }

    // 2. May they?
    const access = hasRole(rt.config, command.action === 'request' ? 'requester' : 'approver', principal);
    if (!access.allowed) throw new Refusal(access.code, access.reason);

    // 3. Do it, naming the verified identity.
    if (command.action === 'request') {
      const detail = { ...command.detail, requestedBy: principal.arn };
      // Checked now with the intakes' own parser, so a bad request is refused to the person typing it.
      const probe = parseEvent(
        { version: '0', id: `operator-${fnv1a(checked.signature)}`, 'detail-type': command.detailType, source: AUTOPILOT_EVENT_SOURCE, account: principal.account, time: new Date(now).toISOString(), region, resources: [], detail },
        { config: rt.config, now },
      );
      if (!probe.ok) throw new Refusal('BadRequest', `${probe.rejection.code}: ${probe.rejection.message}`);
      await recordRelay(rt.store, command.detailType, detail, principal.arn, now);
      await rt.emit(command.detailType, detail);
      rt.logger.info('operator request relayed to the private bus', { detailType: command.detailType, requestedBy: principal.arn });
      return { status: 'relayed', detailType: command.detailType, requestedBy: principal.arn };
    }

    await sendGateAnswer(rt.aws, region, { callbackId: command.callbackId, approved: command.action === 'approve', by: principal.arn, ...(command.note ? { note: command.note } : {}) });
    rt.logger.info('human gate answered', { incidentKey: command.incidentKey, outcome: command.action, by: principal.arn });
    return { status: 'answered', outcome: command.action === 'approve' ? 'APPROVED' : 'REJECTED', by: principal.arn, ...(command.incidentKey ? { incidentKey: command.incidentKey } : {}) };
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    const caller = principal?.arn;
    rt.logger.warn('operator command refused', { code: err.code, reason: err.message, caller: caller ?? 'unverified' });
    await pageRefusal(rt, command, err, caller, now);
    return { status: 'refused', code: err.code, reason: err.message, ...(caller ? { caller } : {}) };
  }
}

async function pageRefusal(rt: Runtime, command: OperatorCommand | undefined, refusal: Refusal, caller: string | undefined, now: number): Promise<void> {
  const runbook = runbookOf(command);
  const what = command === undefined ? 'an unreadable command' : command.action === 'request' ? `a '${command.detailType}' request` : `a ${command.action} of ${command.incidentKey ?? 'a human gate'}`;
  await rt.pager.send({
    // One alert per caller and reason per hour: a flood of forged calls updates one page.
    incidentKey: incidentKey(runbook, `operator-refused-${fnv1a(`${caller ?? 'unverified'}|${refusal.code}`)}`, String(Math.floor(now / 3_600_000))),
    action: 'trigger',
    severity: 'P2',
    runbook,
    title: `Operator command refused (${refusal.code}): ${what} by ${caller ?? 'an unverified caller'}`,
    resource: caller ?? 'unverified caller',
    at: now,
    diagnosis: [`caller: ${caller ?? 'not verified by STS'}`, `reason: ${refusal.message}`],
    done: ['nothing: no request was relayed and no human gate was answered'],
    refused: [{ action: command?.action ?? 'operator-command', guardrail: refusal.code, reason: refusal.message }],
    nextStep: refusal.code === 'NotARequester' || refusal.code === 'NotAnApprover' ? 'If this person should be allowed, add their principal ARN to config operators and redeploy.' : 'If you did not send this, look up the caller in CloudTrail (lambda:Invoke of the operator-request function).',
  });
}

export function buildOperatorHandler(getRuntime: () => Runtime, deps: () => OperatorDeps) {
  return async (event: unknown, _context?: Context): Promise<OperatorResult> => handleOperatorCommand(event, getRuntime(), deps());
}
