import { DynamoGuardrailStore } from './guardrail-store';
import { MAX_RECORD_JSON_BYTES } from './incident-item';
import { openIncident, type IncidentRecord } from '../../domain/incident';
import { freshStateTable } from '../../test/support/state-table';
import { withEventClaim } from '../runtime/wiring';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const MIN = 60_000;

async function newStore(): Promise<DynamoGuardrailStore> {
  const { client, tableName } = await freshStateTable('store');
  return new DynamoGuardrailStore(client, tableName);
}

describe('DynamoGuardrailStore on dynalite', () => {
  describe('controls', () => {
    it('defaults to kill switch off and dry-run off when nothing was ever set', async () => {
      const store = await newStore();
      expect(await store.readControls()).toEqual({ killSwitch: false, dryRun: false, setBy: undefined, reason: undefined });
    });

    it('keeps what an operator set, field by field', async () => {
      const store = await newStore();
      await store.setControls({ killSwitch: true, setBy: 'oncall', reason: 'game day' }, T0);
      await store.setControls({ dryRun: true }, T0 + MIN);
      expect(await store.readControls()).toEqual({ killSwitch: true, dryRun: true, setBy: 'oncall', reason: 'game day' });
      await store.setControls({ killSwitch: false, reason: undefined }, T0 + 2 * MIN);
      expect(await store.readControls()).toEqual({ killSwitch: false, dryRun: true, setBy: 'oncall', reason: undefined });
    });
  });

  describe('action records', () => {
    it('returns the actions of a scope at or after `since`, and every action again under global', async () => {
      const store = await newStore();
      const scope = 'service:regami-cluster/regami-service';
      await store.recordAction({ scope, action: 'scale-out', at: T0, incidentKey: 'inc-1', summary: 'scale 2 -> 4' });
      await store.recordAction({ scope, action: 'scale-out', at: T0 + 10 * MIN, incidentKey: 'inc-2' });
      await store.recordAction({ scope: 'db:regami-db-primary', action: 'promote-replica', at: T0 + 11 * MIN, incidentKey: 'inc-3' });

      const recent = await store.recentActions(scope, T0 + 5 * MIN);
      expect(recent).toEqual([{ scope, action: 'scale-out', at: T0 + 10 * MIN, incidentKey: 'inc-2' }]);

      const all = await store.recentActions(scope, T0);
      expect(all.map((a) => a.incidentKey)).toEqual(['inc-1', 'inc-2']);
      expect(all[0]?.summary).toBe('scale 2 -> 4');

      const global = await store.recentActions('global', T0);
      expect(global.map((a) => `${a.scope}:${a.incidentKey}`)).toEqual([
        `${scope}:inc-1`,
        `${scope}:inc-2`,
        'db:regami-db-primary:inc-3',
      ]);
      expect(await store.recentActions('db:regami-db-primary', T0 + 12 * MIN)).toEqual([]);
    });

    it('counts a retried write of the same action once', async () => {
      const store = await newStore();
      const action = { scope: 'db:x', action: 'reboot', at: T0, incidentKey: 'inc-1' };
      await store.recordAction(action);
      await store.recordAction(action);
      expect(await store.recentActions('db:x', 0)).toHaveLength(1);
      expect(await store.recentActions('global', 0)).toHaveLength(1);
    });

    it('pages through more actions than one query returns', async () => {
      const store = await newStore();
      const summary = 'x'.repeat(3000); // ~3 KB items: 400 of them exceed one 1 MB query page
      for (let chunk = 0; chunk < 400; chunk += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) => chunk + j).map((i) =>
            store.recordAction({ scope: 'svc', action: 'scale-out', at: T0 + i * 1000, incidentKey: `inc-${i}`, summary }),
          ),
        );
      }
      expect(await store.recentActions('svc', T0)).toHaveLength(400);
    });
  });

  describe('locks', () => {
    const resource = 'db:regami-db-primary';

    it('acquires a free lock, refuses another owner, re-enters for the same owner', async () => {
      const store = await newStore();
      const first = await store.acquireLock(resource, 'inc-A', T0, 1800);
      expect(first).toEqual({ acquired: true, lease: { resource, owner: 'inc-A', expiresAt: T0 + 1800_000 } });

      const other = await store.acquireLock(resource, 'inc-B', T0 + MIN, 1800);
      expect(other).toEqual({ acquired: false, heldBy: { resource, owner: 'inc-A', expiresAt: T0 + 1800_000 } });

      const again = await store.acquireLock(resource, 'inc-A', T0 + 2 * MIN, 1800);
      expect(again).toEqual({ acquired: true, lease: { resource, owner: 'inc-A', expiresAt: T0 + 2 * MIN + 1800_000 } });
    });

    it('lets another owner take an expired lock (decided by the condition on the given now, not by TTL)', async () => {
      const store = await newStore();
      await store.acquireLock(resource, 'inc-A', T0, 60);
      expect((await store.acquireLock(resource, 'inc-B', T0 + 59_999, 60)).acquired).toBe(false);
      const taken = await store.acquireLock(resource, 'inc-B', T0 + 60_000, 60);
      expect(taken).toEqual({ acquired: true, lease: { resource, owner: 'inc-B', expiresAt: T0 + 120_000 } });
      // The old owner cannot release the new owner's lock.
      await store.releaseLock(resource, 'inc-A');
      expect((await store.acquireLock(resource, 'inc-C', T0 + 61_000, 60)).acquired).toBe(false);
    });

    it('frees the lock on release by its owner', async () => {
      const store = await newStore();
      await store.acquireLock(resource, 'inc-A', T0, 1800);
      await store.releaseLock(resource, 'inc-A');
      expect((await store.acquireLock(resource, 'inc-B', T0 + 1000, 1800)).acquired).toBe(true);
    });

    it('gives a lock to exactly one of many concurrent acquirers', async () => {
      const store = await newStore();
      const owners = Array.from({ length: 20 }, (_, i) => `inc-${i}`);
      const results = await Promise.all(owners.map((o) => store.acquireLock(resource, o, T0, 1800)));
      const winners = results.filter((r) => r.acquired);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!.acquired ? winners[0]!.lease.owner : '';
      for (const r of results) {
        if (!r.acquired) expect(r.heldBy.owner).toBe(winner);
      }
    });
  });

  describe('claimOnce', () => {
    it('answers true to exactly one of 100 concurrent callers', async () => {
      const store = await newStore();
      const answers = await Promise.all(Array.from({ length: 100 }, () => store.claimOnce('event-123', T0, 3600)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('can be claimed again once expired', async () => {
      const store = await newStore();
      expect(await store.claimOnce('k', T0, 60)).toBe(true);
      expect(await store.claimOnce('k', T0 + 59_000, 60)).toBe(false);
      expect(await store.claimOnce('k', T0 + 60_000, 60)).toBe(true);
    });
  });

  describe('own changes', () => {
    it('remembers a change the autopilot made and nothing else', async () => {
      const store = await newStore();
      await store.markOwnChange('d-ABC123', 'inc-1', T0);
      expect(await store.isOwnChange('d-ABC123')).toBe(true);
      expect(await store.isOwnChange('d-OTHER')).toBe(false);
    });
  });

  describe('incident records', () => {
    const base = (): IncidentRecord => openIncident({ key: 'scale-ecs-regami-service', runbook: 'scale-ecs', title: 'CPU high', severity: 'P2', detectedAt: T0 });

    it('saves and loads a record as it was', async () => {
      const store = await newStore();
      const rec = base();
      rec.timeline.push({ at: T0, kind: 'event', summary: 'alarm' }, { at: T0 + 1, kind: 'action', summary: 'scaled 2 -> 4' });
      rec.actionsTaken.push('scaled 2 -> 4');
      await store.saveIncident(rec);
      expect(await store.loadIncident(rec.key)).toEqual(rec);
      expect(await store.loadIncident('nope')).toBeUndefined();
    });

    it('keeps what two concurrent writers of one incident recorded (intake and workflow)', async () => {
      const { client, tableName } = await freshStateTable('store');
      const intakeSide = new DynamoGuardrailStore(client, tableName);
      const workflowSide = new DynamoGuardrailStore(client, tableName);
      const seed = base();
      seed.timeline.push({ at: T0, kind: 'event', summary: 'alarm' });
      await intakeSide.saveIncident(seed);

      const a = (await intakeSide.loadIncident(seed.key))!;
      const b = (await workflowSide.loadIncident(seed.key))!;
      a.timeline.push({ at: T0 + 2, kind: 'note', summary: 'duplicate delivery joined' });
      b.timeline.push({ at: T0 + 1, kind: 'action', summary: 'scaled 2 -> 4' });
      b.actionsTaken.push('scaled 2 -> 4');
      b.status = 'mitigated';
      await workflowSide.saveIncident(b);
      await intakeSide.saveIncident(a); // conflicts, merges, saves

      const stored = (await workflowSide.loadIncident(seed.key))!;
      expect(stored.timeline.map((e) => e.summary)).toEqual(['alarm', 'scaled 2 -> 4', 'duplicate delivery joined']);
      expect(stored.actionsTaken).toEqual(['scaled 2 -> 4']);
      // The merge landed in the writer's own copy too, so its next save loses nothing either.
      expect(a.timeline).toHaveLength(3);
      a.timeline.push({ at: T0 + 3, kind: 'note', summary: 'flushed again' });
      await intakeSide.saveIncident(a);
      expect((await workflowSide.loadIncident(seed.key))!.timeline).toHaveLength(4);
    });

    it('merges two writers that both opened the incident as new', async () => {
      const { client, tableName } = await freshStateTable('store');
      const one = base();
      const two = base();
      one.timeline.push({ at: T0, kind: 'event', summary: 'delivery 1' });
      two.timeline.push({ at: T0 + 5, kind: 'event', summary: 'delivery 2' });
      await Promise.all([new DynamoGuardrailStore(client, tableName).saveIncident(one), new DynamoGuardrailStore(client, tableName).saveIncident(two)]);
      const stored = await new DynamoGuardrailStore(client, tableName).loadIncident(one.key);
      expect(stored?.timeline.map((e) => e.summary)).toEqual(['delivery 1', 'delivery 2']);
    });

    it('drops the oldest aws-call entries when the record would not fit one item, and says so', async () => {
      const truncated: string[] = [];
      const { client, tableName } = await freshStateTable('store');
      const store = new DynamoGuardrailStore(client, tableName, { onTruncated: (key) => truncated.push(key) });
      const rec = base();
      const padding = 'p'.repeat(500);
      for (let i = 0; i < 2000; i++) {
        rec.timeline.push({ at: T0 + i, kind: 'aws-call', summary: `call ${i}`, service: 'ECS', operation: 'DescribeServices', detail: { padding } });
      }
      rec.timeline.push({ at: T0 + 5000, kind: 'decision', summary: 'scale out' });
      expect(JSON.stringify(rec).length).toBeGreaterThan(MAX_RECORD_JSON_BYTES);

      await store.saveIncident(rec);
      const loaded = await store.loadIncident(rec.key);
      expect(truncated).toEqual([rec.key]);
      expect(loaded?.timeline[0]?.kind).toBe('note');
      expect(loaded?.timeline[0]?.summary).toMatch(/truncated.*aws-call/);
      const calls = loaded!.timeline.filter((e) => e.kind === 'aws-call');
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.length).toBeLessThan(2000);
      // The newest calls and every non-call entry survive.
      expect(calls[calls.length - 1]?.summary).toBe('call 1999');
      expect(loaded!.timeline.some((e) => e.kind === 'decision')).toBe(true);
      // The caller's in-memory record is untouched.
      expect(rec.timeline).toHaveLength(2001);
    });
  });
});

describe('fewer state-table round trips (issue 18)', () => {
  /** A store whose client counts the requests it sends, by operation. */
  async function countingStore(): Promise<{ store: DynamoGuardrailStore; sent: string[] }> {
    const { client, tableName } = await freshStateTable('rt');
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    return { store: new DynamoGuardrailStore(client, tableName), sent };
  }

  it('reads several own-change marks in one BatchGetItem, and finds exactly the marked ones', async () => {
    const { store, sent } = await countingStore();
    await store.markOwnChange('paged:inc-1:P1', 'inc-1', T0);
    await store.markOwnChange('paged:inc-1:P3', 'inc-1', T0);
    await store.markOwnChange('paged:inc-2:P2', 'inc-2', T0);
    sent.length = 0;
    const found = await store.ownChanges(['paged:inc-1:P1', 'paged:inc-1:P2', 'paged:inc-1:P3', 'paged:inc-1:P4']);
    expect([...found].sort()).toEqual(['paged:inc-1:P1', 'paged:inc-1:P3']);
    expect(sent).toEqual(['BatchGetItem']);
  });

  it('splits more than 100 refs into BatchGetItem requests of at most 100 keys', async () => {
    const { store, sent } = await countingStore();
    const refs = Array.from({ length: 130 }, (_, i) => `deploy-${i}`);
    await store.markOwnChange('deploy-7', 'inc', T0);
    await store.markOwnChange('deploy-120', 'inc', T0);
    sent.length = 0;
    expect([...(await store.ownChanges(refs))].sort()).toEqual(['deploy-120', 'deploy-7']);
    expect(sent).toEqual(['BatchGetItem', 'BatchGetItem']);
  });

  it('serves a prefetched incident to the next load, once, without a second read', async () => {
    const { store, sent } = await countingStore();
    const rec = openIncident({ key: 'inc-p', runbook: 'investigate-5xx', title: 't', severity: 'P2', detectedAt: T0 });
    await store.saveIncident(rec);
    sent.length = 0;
    store.prefetchIncident('inc-p');
    const loaded = await store.loadIncident('inc-p');
    expect(loaded?.key).toBe('inc-p');
    expect(sent).toEqual(['GetItem']);
    await store.loadIncident('inc-p');
    expect(sent).toEqual(['GetItem', 'GetItem']);
  });

  it('never serves a prefetch taken before a save of the same incident', async () => {
    const { store } = await countingStore();
    const rec = openIncident({ key: 'inc-s', runbook: 'investigate-5xx', title: 'before', severity: 'P2', detectedAt: T0 });
    store.prefetchIncident('inc-s');
    await store.saveIncident(rec);
    // The prefetch saw no record; the save made one: the load must see it.
    expect((await store.loadIncident('inc-s'))?.title).toBe('before');
  });

  it('reads the incident alongside the event claim, and a duplicate leaves no prefetch behind', async () => {
    const { store, sent } = await countingStore();
    const first = await withEventClaim(store, 'claim-a', T0, 60, async () => (await store.loadIncident('inc-c')) ?? 'none', 'inc-c');
    expect(first).toEqual({ duplicate: false, result: 'none' });
    expect([...sent].sort()).toEqual(['GetItem', 'PutItem']);
    const dup = await withEventClaim(store, 'claim-a', T0, 60, async () => 'ran', 'inc-c');
    expect(dup).toEqual({ duplicate: true });
    // Written meanwhile by another process: the next load reads it, not the duplicate's prefetch.
    await new DynamoGuardrailStore((store as unknown as { client: never }).client, store.tableName).saveIncident(
      openIncident({ key: 'inc-c', runbook: 'investigate-5xx', title: 'later', severity: 'P2', detectedAt: T0 }),
    );
    expect((await store.loadIncident('inc-c'))?.title).toBe('later');
  });

  describe('a new episode under the same key', () => {
    const finished = (): IncidentRecord => ({
      ...openIncident({ key: 'scale-ecs-api', runbook: 'scale-ecs', title: 'episode 1', severity: 'P3', detectedAt: T0 }),
      status: 'resolved',
      resolvedAt: T0 + 30 * MIN,
      timeline: [{ at: T0, kind: 'note', summary: 'episode 1' }],
    });

    it('replaceIncident: the new record replaces the finished one, not merged into it (status, detection, timeline its own)', async () => {
      const store = await newStore();
      await store.saveIncident(finished());
      const next = { ...openIncident({ key: 'scale-ecs-api', runbook: 'scale-ecs', title: 'episode 2', severity: 'P3', detectedAt: T0 + 60 * MIN }), timeline: [{ at: T0 + 60 * MIN, kind: 'note' as const, summary: 'episode 2' }] };
      await store.replaceIncident(next);
      const stored = await store.loadIncident('scale-ecs-api');
      expect(stored).toMatchObject({ status: 'open', detectedAt: T0 + 60 * MIN, title: 'episode 2' });
      expect(stored?.resolvedAt).toBeUndefined();
      expect(stored?.timeline.map((e) => e.summary)).toEqual(['episode 2']);
    });

    it('a writer of the finished episode that saves after the replacement is dropped and reported, not merged into the new episode', async () => {
      const { client, tableName } = await freshStateTable('store');
      const stale: Array<{ key: string; mine: number; stored: number }> = [];
      const oldWorkflow = new DynamoGuardrailStore(client, tableName, { onStaleEpisode: (key, e) => stale.push({ key, ...e }) });
      const newIntake = new DynamoGuardrailStore(client, tableName);
      await oldWorkflow.saveIncident(finished());
      const oldRecord = (await oldWorkflow.loadIncident('scale-ecs-api'))!;
      const next = { ...openIncident({ key: 'scale-ecs-api', runbook: 'scale-ecs', title: 'episode 2', severity: 'P3', detectedAt: T0 + 60 * MIN }), timeline: [{ at: T0 + 60 * MIN, kind: 'note' as const, summary: 'episode 2' }] };
      await newIntake.replaceIncident(next);
      // The old execution's closing write arrives late.
      oldRecord.timeline.push({ at: T0 + 61 * MIN, kind: 'note', summary: 'episode 1 closing note' });
      oldRecord.status = 'escalated';
      await oldWorkflow.saveIncident(oldRecord);
      const stored = await newIntake.loadIncident('scale-ecs-api');
      expect(stored).toMatchObject({ status: 'open', detectedAt: T0 + 60 * MIN, title: 'episode 2' });
      expect(stored?.timeline.map((e) => e.summary)).toEqual(['episode 2']);
      expect(stale).toEqual([{ key: 'scale-ecs-api', mine: 0, stored: 1 }]);
      // A writer of the new episode is still merged with its concurrent writers.
      const a = (await newIntake.loadIncident('scale-ecs-api'))!;
      const b = (await oldWorkflow.loadIncident('scale-ecs-api'))!;
      a.timeline.push({ at: T0 + 62 * MIN, kind: 'note', summary: 'writer a' });
      b.timeline.push({ at: T0 + 63 * MIN, kind: 'note', summary: 'writer b' });
      await newIntake.saveIncident(a);
      await oldWorkflow.saveIncident(b);
      expect((await newIntake.loadIncident('scale-ecs-api'))?.timeline.map((e) => e.summary)).toEqual(['episode 2', 'writer a', 'writer b']);
    });

    it('a replacement that races a late write of the finished episode writes over it, not merged with it', async () => {
      const { client, tableName } = await freshStateTable('store');
      const oldWorkflow = new DynamoGuardrailStore(client, tableName);
      const newIntake = new DynamoGuardrailStore(client, tableName);
      await oldWorkflow.saveIncident(finished());
      const oldRecord = (await oldWorkflow.loadIncident('scale-ecs-api'))!;
      const next = openIncident({ key: 'scale-ecs-api', runbook: 'scale-ecs', title: 'episode 2', severity: 'P3', detectedAt: T0 + 60 * MIN });
      // The replacement reads the record, then the old episode's write lands before the replacement's.
      const read = newIntake.replaceIncident(next);
      oldRecord.resolvedAt = T0 + 59 * MIN;
      await oldWorkflow.saveIncident(oldRecord);
      await read;
      const stored = await newIntake.loadIncident('scale-ecs-api');
      expect(stored).toMatchObject({ status: 'open', detectedAt: T0 + 60 * MIN, title: 'episode 2' });
      expect(stored?.resolvedAt).toBeUndefined();
    });

    it('saveIncident of a fresh record merges it with the stored one (concurrent writers of one episode): why a new episode replaces', async () => {
      const store = await newStore();
      await store.saveIncident(finished());
      await store.saveIncident(openIncident({ key: 'scale-ecs-api', runbook: 'scale-ecs', title: 'episode 2', severity: 'P3', detectedAt: T0 + 60 * MIN }));
      expect(await store.loadIncident('scale-ecs-api')).toMatchObject({ status: 'resolved', detectedAt: T0 });
    });
  });
});
