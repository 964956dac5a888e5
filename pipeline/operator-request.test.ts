/**
 * The operator-request function: identities verified by STS (simulated, enforcing SigV4 and
 * the 15-minute rule), checked against config.operators, then relayed or answered. Every
 * refusal relays nothing, answers nothing, and pages with the reason.
 */
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from '../test/simulated-region';
import { SimSts } from '../test/simulated-region/sts';
import { sha256Hex } from '../adapters/aws/caller-identity';
import { checkProof, PROOF_MAX_AGE_SECONDS } from '../domain/caller-proof';
import { principalMatches } from '../domain/operators';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { handleOperatorCommand, type OperatorCommand, type OperatorResult } from '../pipeline/operator-request';
import { handleRestoreEvent } from '../runbooks/restore-from-backup/intake';
import { relayKey, wasRelayed } from '../pipeline/relayed-requests';
import { loadSample } from '../events/samples/load';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/regami-oncall/alice@regami.com';
const BOB = 'arn:aws:sts::123456789012:assumed-role/regami-dba/bob@regami.com';
const MALLORY = 'arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42';
const FOREIGN = 'arn:aws:sts::999999999999:assumed-role/regami-oncall/eve';

const config: AutopilotConfig = {
  ...defaultConfig,
  operators: { requesters: ['arn:aws:sts::123456789012:assumed-role/regami-oncall/*', 'arn:aws:sts::999999999999:assumed-role/regami-oncall/*'], approvers: ['arn:aws:sts::123456789012:assumed-role/regami-dba/*', ALICE] },
};

interface Harness {
  rt: Runtime;
  world: SimWorld;
  clock: SimClock;
  sts: SimSts;
  emitted: Array<{ detailType: string; detail: Record<string, unknown> }>;
  callbacks: Array<[string, string]>;
  call(as: string, command: OperatorCommand, tamper?: (headers: Record<string, string>) => void): Promise<OperatorResult>;
  pages(): string[];
}

async function harness(cfg: AutopilotConfig = config): Promise<Harness> {
  const spec = baselineWorld();
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const callbacks: Array<[string, string]> = [];
  world.setDurableHost(async () => 'started' as const, { success: async (id, result) => void callbacks.push([id, String(result)]), failure: async (id, error) => void callbacks.push([id, `FAIL ${error?.errorMessage ?? ''}`]) });
  const table = await freshStateTable('operator');
  const emitted: Harness['emitted'] = [];
  const rt = createRuntime({
    config: cfg,
    clock,
    tableName: table.tableName,
    dynamoEndpoint: table.endpoint,
    clientSetup: simClientSetup(world),
    eventEmitter: async (detailType, detail) => void emitted.push({ detailType, detail }),
  });
  const sts = new SimSts(() => clock.now());
  return {
    rt,
    world,
    clock,
    sts,
    emitted,
    callbacks,
    async call(as, command, tamper) {
      const headers = await sts.sign(as, cfg.primaryRegion, sha256Hex(JSON.stringify(command)));
      tamper?.(headers);
      return handleOperatorCommand({ command, proof: { headers } }, rt, { verifier: sts });
    },
    pages: () => world.snsOutbox.map((m) => m.message),
  };
}

const restore = (detail: Record<string, unknown> = {}): OperatorCommand => ({
  action: 'request',
  detailType: 'Restore Requested',
  detail: { dbInstanceId: 'regami-db-primary', restoreTime: '2026-01-15T02:30:00Z', reason: 'accidental deletion', ...detail },
});

describe('requests', () => {
  it('relays a verified requester\'s restore to the private bus with requestedBy = the ARN STS returned, and marks it relayed', async () => {
    const h = await harness();
    const result = await h.call(ALICE, restore());
    expect(result).toEqual({ status: 'relayed', detailType: 'Restore Requested', requestedBy: ALICE });
    expect(h.emitted).toEqual([{ detailType: 'Restore Requested', detail: expect.objectContaining({ requestedBy: ALICE, dbInstanceId: 'regami-db-primary' }) }]);
    expect(await wasRelayed(h.rt.store, 'Restore Requested', h.emitted[0]!.detail)).toBe(true);
    // The marker is bound to the exact request: another time is another request.
    expect(await wasRelayed(h.rt.store, 'Restore Requested', { ...h.emitted[0]!.detail, restoreTime: '2026-01-15T01:00:00Z' })).toBe(false);
  });

  it('refuses a typed requestedBy: identities come from STS, never from the request', async () => {
    const h = await harness();
    const result = await h.call(ALICE, restore({ requestedBy: 'bob@regami.com' }));
    expect(result).toMatchObject({ status: 'refused', code: 'TypedIdentity' });
    expect(h.emitted).toEqual([]);
    expect(h.pages().some((p) => p.includes('TypedIdentity'))).toBe(true);
  });

  it('refuses a caller who is not a requester, naming the verified ARN in the page', async () => {
    const h = await harness();
    const result = await h.call(MALLORY, restore());
    expect(result).toMatchObject({ status: 'refused', code: 'NotARequester', caller: MALLORY });
    expect(h.emitted).toEqual([]);
    expect(h.pages().some((p) => p.includes(MALLORY) && p.includes('NotARequester'))).toBe(true);
  });

  it('refuses a principal of another account even when a list names it', async () => {
    const h = await harness();
    expect(await h.call(FOREIGN, restore())).toMatchObject({ status: 'refused', code: 'ForeignAccount' });
    expect(h.emitted).toEqual([]);
  });

  it('refuses everyone when no requesters are configured (fail closed)', async () => {
    const h = await harness({ ...config, operators: { requesters: [], approvers: [] } });
    expect(await h.call(ALICE, restore())).toMatchObject({ status: 'refused', code: 'NotARequester', reason: expect.stringMatching(/no requesters are configured/) });
    expect(h.emitted).toEqual([]);
  });

  it('refuses a request the intakes would reject, before relaying it', async () => {
    const h = await harness();
    expect(await h.call(ALICE, restore({ snapshotId: 'rds:regami-db-primary-2026-01-15' }))).toMatchObject({ status: 'refused', code: 'BadRequest' });
    expect(h.emitted).toEqual([]);
  });

  it('refuses Scale Requested from a person (a hand-off of investigate-5xx only) and unknown fields', async () => {
    const h = await harness();
    expect(await h.call(ALICE, { action: 'request', detailType: 'Scale Requested', detail: {} })).toMatchObject({ status: 'refused', code: 'BadCommand' });
    expect(await h.call(ALICE, { ...restore(), extra: 1 } as unknown as OperatorCommand)).toMatchObject({ status: 'refused', code: 'BadCommand' });
    expect(h.emitted).toEqual([]);
  });
});

describe('the proof', () => {
  it('refuses a proof whose signature was not made with the caller\'s key (SignatureDoesNotMatch)', async () => {
    const h = await harness();
    const result = await h.call(ALICE, restore(), (headers) => {
      headers.authorization = headers.authorization!.replace(/Signature=([0-9a-f])/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
    });
    expect(result).toMatchObject({ status: 'refused', code: 'UnverifiedCaller', reason: expect.stringMatching(/SignatureDoesNotMatch/) });
    expect(h.emitted).toEqual([]);
    expect(h.pages().some((p) => p.includes('an unverified caller'))).toBe(true);
  });

  it('refuses a proof bound to another command (a captured approval cannot become a restore)', async () => {
    const h = await harness();
    const other = await h.sts.sign(ALICE, config.primaryRegion, sha256Hex(JSON.stringify(restore({ reason: 'something else' }))));
    const result = await handleOperatorCommand({ command: restore(), proof: { headers: other } }, h.rt, { verifier: h.sts });
    expect(result).toMatchObject({ status: 'refused', code: 'UnverifiedCaller', reason: expect.stringMatching(/bound to another command/) });
  });

  it('accepts a proof once: the same signed call replayed is refused', async () => {
    const h = await harness();
    const command = restore();
    const headers = await h.sts.sign(ALICE, config.primaryRegion, sha256Hex(JSON.stringify(command)));
    expect(await handleOperatorCommand({ command, proof: { headers } }, h.rt, { verifier: h.sts })).toMatchObject({ status: 'relayed' });
    expect(await handleOperatorCommand({ command, proof: { headers } }, h.rt, { verifier: h.sts })).toMatchObject({ status: 'refused', code: 'ProofReplayed' });
    expect(h.emitted).toHaveLength(1);
  });

  it('refuses a stale proof, and an unsigned digest header', async () => {
    const h = await harness();
    const command = restore();
    const digest = sha256Hex(JSON.stringify(command));
    const headers = await h.sts.sign(ALICE, config.primaryRegion, digest);
    h.clock.advanceTo(h.clock.now() + (PROOF_MAX_AGE_SECONDS + 1) * 1000);
    expect(await handleOperatorCommand({ command, proof: { headers } }, h.rt, { verifier: h.sts })).toMatchObject({ status: 'refused', code: 'UnverifiedCaller', reason: expect.stringMatching(/sign again/) });
    const unsigned = { ...headers, authorization: headers.authorization!.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=host;x-amz-date') };
    expect(checkProof({ headers: unsigned }, digest, config.primaryRegion, h.clock.now() - (PROOF_MAX_AGE_SECONDS + 1) * 1000)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not sign x-autopilot-command-sha256/) });
  });

  it('refuses a payload without a proof (a direct invoke with a typed identity)', async () => {
    const h = await harness();
    const forged = { command: restore(), proof: {}, requestContext: { authorizer: { iam: { userArn: ALICE } } } };
    expect(await handleOperatorCommand(forged, h.rt, { verifier: h.sts })).toMatchObject({ status: 'refused', code: 'UnverifiedCaller' });
    expect(h.emitted).toEqual([]);
  });
});

describe('answers to human gates', () => {
  it('sends the callback with by = the verified approver', async () => {
    const h = await harness();
    const result = await h.call(BOB, { action: 'approve', incidentKey: 'restore-from-backup-regami-db-primary-1', callbackId: 'Y2ItMQ==' });
    expect(result).toEqual({ status: 'answered', outcome: 'APPROVED', by: BOB, incidentKey: 'restore-from-backup-regami-db-primary-1' });
    expect(h.callbacks).toEqual([['Y2ItMQ==', JSON.stringify({ outcome: 'APPROVED', by: BOB })]]);
  });

  it('refuses an answer from someone who is not an approver: no callback is sent', async () => {
    const h = await harness();
    expect(await h.call(MALLORY, { action: 'approve', incidentKey: 'restore-from-backup-regami-db-primary-1', callbackId: 'Y2ItMQ==' })).toMatchObject({ status: 'refused', code: 'NotAnApprover' });
    expect(h.callbacks).toEqual([]);
    expect(h.world.calls.filter((c) => c.service === 'Lambda')).toEqual([]);
  });
});

describe('an intake reached any other way', () => {
  it('refuses a Restore Requested invoked directly (never relayed): no snapshot, no instance, no workflow, a P2 page', async () => {
    const h = await harness();
    const event = loadSample('autopilot-restore-requested-pitr');
    event.time = new Date(h.clock.now()).toISOString();
    (event.detail as Record<string, unknown>).restoreTime = '2026-01-15T02:30:00Z';
    let started = 0;
    const rt: Runtime = { ...h.rt, startWorkflow: async () => ((started += 1), 'started') };
    const result = await handleRestoreEvent(event, rt);
    expect(result).toMatchObject({ status: 'paged', reason: expect.stringMatching(/^UnverifiedRequest/) });
    expect(started).toBe(0);
    expect(h.world.calls.filter((c) => c.service === 'RDS' && c.outcome === 'ok' && !/^Describe/.test(c.operation))).toEqual([]);
    expect(h.pages().some((p) => p.includes('Unverified Restore Requested refused'))).toBe(true);
  });

  it('relays key on the canonical request: key order does not matter, content does', () => {
    expect(relayKey('Restore Requested', { a: 1, b: { c: 2, d: 3 } })).toBe(relayKey('Restore Requested', { b: { d: 3, c: 2 }, a: 1 }));
    expect(relayKey('Restore Requested', { a: 1 })).not.toBe(relayKey('S3 Restore Requested', { a: 1 }));
  });
});

describe('principal lists', () => {
  it('matches exact ARNs and one role\'s sessions only', () => {
    const sessions = 'arn:aws:sts::123456789012:assumed-role/regami-dba/*';
    expect(principalMatches(sessions, BOB)).toBe(true);
    expect(principalMatches(sessions, 'arn:aws:sts::123456789012:assumed-role/regami-dba-admin/bob')).toBe(false);
    expect(principalMatches(sessions, 'arn:aws:sts::123456789012:assumed-role/regami-dba/')).toBe(false);
    expect(principalMatches('arn:aws:iam::123456789012:user/*', 'arn:aws:iam::123456789012:user/bob')).toBe(false);
    expect(principalMatches(ALICE, ALICE)).toBe(true);
  });
});
