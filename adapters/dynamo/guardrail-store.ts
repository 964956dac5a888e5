/**
 * GuardrailStore on DynamoDB: one table, keys pk/sk (handlers/shared/contract.ts STATE_TABLE),
 * TTL attribute `ttl` in epoch seconds. Item kinds:
 *
 *   pk                      sk                          what
 *   controls                controls                    kill switch, dry-run, who/why
 *   actions#<scope>         <at, 15 digits>#<incident>#<action>   one mutating action
 *   actions#global          same                        the same action again (circuit breaker)
 *   breaker#<window bucket> breaker                     conditional counter: actions + mutations in the window
 *   lock#<resource>         lock                        owner + expiresAt (ms)
 *   claim#<key>             claim                       first-caller-wins dedup
 *   own#<ref>               own                         a change the autopilot made itself
 *   incident#<key>          incident                    IncidentRecord as JSON, rev (optimistic concurrency)
 *   arbiter#<resource>      arbiter                     what is in progress on a resource (arbiter-store.ts)
 *   readiness               readiness                   the scheduled readiness check's latest verdicts (readiness-store.ts)
 *
 * Every decision is one conditional write or one consistent read; time always comes in as
 * an argument. Expiry is decided by the conditions (expiresAt <= :now), never by TTL alone:
 * TTL deletion is lazy (it can lag by days) and only keeps the table small.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { ActionRecord, Controls, LockLease } from '../../domain/guardrails';
import { readControlsItem, type ControlsItemData } from '../../domain/controls';
import type { IncidentRecord } from '../../domain/incident';
import type { GuardrailStore } from '../../domain/ports';
import { bool, num, readNum, readStr, str, ttlSeconds, type Item } from './attributes';
import { fitIncidentRecord, mergeIncidentRecords } from './incident-item';
import { readResourceClaims, writeResourceClaims } from './arbiter-store';
import { readReadinessReport, writeReadinessReport } from './readiness-store';
import type { ReadinessReport } from '../../domain/preflight';
import type { ResourceClaim } from '../../domain/arbiter';

export interface DynamoGuardrailStoreOptions {
  /** Action records are kept this long (the longest cooldown is a day: 24 h between failovers). */
  actionRetentionSeconds?: number;
  /** Own-change marks: events about our own deployments can arrive hours later (EventBridge retries up to 24 h). */
  ownChangeRetentionSeconds?: number;
  /** Incident records, counted from detection. */
  incidentRetentionSeconds?: number;
  /** Called when an incident timeline had to be truncated to fit one item. */
  onTruncated?: (incidentKey: string, dropped: { awsCalls: number; other: number }) => void;
  /**
   * Called when a writer of an older episode saves after a new episode replaced the record:
   * its write is dropped, not merged into the new episode (see saveIncident).
   */
  onStaleEpisode?: (incidentKey: string, episodes: { mine: number; stored: number }) => void;
}

const DAY = 86_400;
const DEFAULTS = {
  actionRetentionSeconds: 7 * DAY,
  ownChangeRetentionSeconds: 2 * DAY,
  incidentRetentionSeconds: 90 * DAY,
};

export const GLOBAL_SCOPE = 'global';

export interface BreakerReservation {
  /** domain/circuit-breaker.ts circuitOpenBucket of the action's time. */
  bucket: number;
  mutations: number;
  maxActions: number;
  maxMutations: number;
  /** When the counter may be dropped (TTL): the end of its window, plus margin. */
  expiresAt: number;
}
const CONTROLS_KEY: Item = { pk: str('controls'), sk: str('controls') };
const lockKey = (resource: string): Item => ({ pk: str(`lock#${resource}`), sk: str('lock') });
const claimKey = (key: string): Item => ({ pk: str(`claim#${key}`), sk: str('claim') });
const ownKey = (ref: string): Item => ({ pk: str(`own#${ref}`), sk: str('own') });
const quotaKey = (key: string): Item => ({ pk: str(`quota#${key}`), sk: str('quota') });
const incidentItemKey = (key: string): Item => ({ pk: str(`incident#${key}`), sk: str('incident') });
/** Fixed width so the sort key orders by time (epoch ms has 13 digits until the year 2286). */
const timeSortKey = (at: number): string => String(Math.max(0, Math.floor(at))).padStart(15, '0');

export class DynamoGuardrailStore implements GuardrailStore {
  /** Revision of each record object as this process last loaded or saved it (optimistic concurrency). */
  private readonly revisions = new WeakMap<IncidentRecord, number>();
  /**
   * Episode of each record object as this process last loaded or saved it: replaceIncident starts
   * the next one. Absent for a record this process opened without reading (it joins any episode).
   */
  private readonly episodes = new WeakMap<IncidentRecord, number>();
  /** Incident reads started ahead of their loadIncident (prefetchIncident), one use each. */
  private readonly prefetched = new Map<string, Promise<StoredIncident | undefined>>();
  private readonly opts: Required<Omit<DynamoGuardrailStoreOptions, 'onTruncated' | 'onStaleEpisode'>> & Pick<DynamoGuardrailStoreOptions, 'onTruncated' | 'onStaleEpisode'>;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    options: DynamoGuardrailStoreOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
  }

  async readControls(): Promise<Controls> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: CONTROLS_KEY, ConsistentRead: true }));
    // No item yet: the autopilot acts (kill switch off) and mutates (dry-run off); config.dryRun still applies.
    // Anything mistyped, miscased or undeclared in the item reads as ON (domain/controls.ts).
    const { anomalies, ...controls } = readControlsItem(out.Item as ControlsItemData | undefined);
    return anomalies.length > 0 ? { ...controls, anomalies } : controls;
  }

  async setControls(controls: Partial<Controls>, now: number): Promise<void> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Item = { ':updatedAt': num(now) };
    const sets = ['#updatedAt = :updatedAt'];
    const removes: string[] = [];
    const field = (name: 'killSwitch' | 'dryRun' | 'setBy' | 'reason', value: boolean | string | undefined): void => {
      if (!(name in controls)) return;
      names[`#${name}`] = name;
      if (value === undefined) {
        removes.push(`#${name}`);
        return;
      }
      values[`:${name}`] = typeof value === 'boolean' ? bool(value) : str(value);
      sets.push(`#${name} = :${name}`);
    };
    field('killSwitch', controls.killSwitch);
    field('dryRun', controls.dryRun);
    field('setBy', controls.setBy);
    field('reason', controls.reason);
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: CONTROLS_KEY,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async recentActions(scope: string, since: number): Promise<ActionRecord[]> {
    const actions: ActionRecord[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': str(`actions#${scope}`), ':since': str(timeSortKey(since)) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const action = toActionRecord(item);
        if (action && action.at >= since) actions.push(action);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return actions;
  }

  async recordAction(action: ActionRecord): Promise<void> {
    // Same deterministic sort key under both partitions: a retried write overwrites instead
    // of counting the action twice. (A batch, not a transaction: dynalite has no
    // TransactWriteItems, and two unconditional puts need no atomicity to stay correct.)
    const sk = `${timeSortKey(action.at)}#${action.incidentKey}#${action.action}`;
    const body: Item = {
      sk: str(sk),
      scope: str(action.scope),
      action: str(action.action),
      at: num(action.at),
      incidentKey: str(action.incidentKey),
      ttl: num(ttlSeconds(action.at) + this.opts.actionRetentionSeconds),
    };
    if (action.summary !== undefined) body.summary = str(action.summary);
    if (action.mutations !== undefined) body.mutations = num(action.mutations);
    if (action.outcome !== undefined) body.outcome = str(action.outcome);
    const scopes = action.scope === GLOBAL_SCOPE ? [GLOBAL_SCOPE] : [action.scope, GLOBAL_SCOPE];
    let requests: WriteRequest[] = scopes.map((scope) => ({ PutRequest: { Item: { ...body, pk: str(`actions#${scope}`) } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 5) throw new Error(`recordAction: ${requests.length} write(s) still unprocessed after ${attempt} attempts`);
      const out = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = out.UnprocessedItems?.[this.tableName] ?? [];
    }
  }

  /**
   * Sets the outcome of an action recorded before its call (the call threw, or did not run).
   * Both copies (scope and global) carry it; the breaker counter keeps counting it.
   */
  async markActionOutcome(action: ActionRecord, outcome: 'failed' | 'not-run'): Promise<void> {
    const sk = `${timeSortKey(action.at)}#${action.incidentKey}#${action.action}`;
    const scopes = action.scope === GLOBAL_SCOPE ? [GLOBAL_SCOPE] : [action.scope, GLOBAL_SCOPE];
    for (const scope of scopes) {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: str(`actions#${scope}`), sk: str(sk) },
          UpdateExpression: 'SET #outcome = :outcome',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#outcome': 'outcome' },
          ExpressionAttributeValues: { ':outcome': str(outcome) },
        }),
      );
    }
  }

  /**
   * The circuit breaker's atomic count: one conditional ADD on the window bucket's counter,
   * so two executions that both read "room for one more" cannot both take it.
   */
  async reserveBreaker(req: BreakerReservation): Promise<{ reserved: boolean; actions: number; mutations: number }> {
    const key: Item = { pk: str(`breaker#${req.bucket}`), sk: str('breaker') };
    if (req.mutations > req.maxMutations) {
      const current = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return { reserved: false, actions: readNum(current.Item, 'actions') ?? 0, mutations: readNum(current.Item, 'mutations') ?? 0 };
    }
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD #actions :one, #mutations :n SET #ttl = :ttl',
          ConditionExpression: '(attribute_not_exists(#actions) OR #actions <= :actionRoom) AND (attribute_not_exists(#mutations) OR #mutations <= :mutationRoom)',
          ExpressionAttributeNames: { '#actions': 'actions', '#mutations': 'mutations', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': num(1),
            ':n': num(req.mutations),
            ':actionRoom': num(req.maxActions - 1),
            ':mutationRoom': num(req.maxMutations - req.mutations),
            ':ttl': num(ttlSeconds(req.expiresAt)),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { reserved: true, actions: readNum(out.Attributes, 'actions') ?? 1, mutations: readNum(out.Attributes, 'mutations') ?? req.mutations };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const current = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return { reserved: false, actions: readNum(current.Item, 'actions') ?? 0, mutations: readNum(current.Item, 'mutations') ?? 0 };
    }
  }

  async acquireLock(
    resource: string,
    owner: string,
    now: number,
    ttlSecondsForLock: number,
  ): Promise<{ acquired: true; lease: LockLease } | { acquired: false; heldBy: LockLease }> {
    const lease: LockLease = { resource, owner, expiresAt: now + ttlSecondsForLock * 1000 };
    // A lock released between our refused write and our read: try again (bounded).
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...lockKey(resource),
              owner: str(owner),
              expiresAt: num(lease.expiresAt),
              acquiredAt: num(now),
              ttl: num(ttlSeconds(lease.expiresAt)),
            },
            // Free, expired (decided here, not by TTL) or already ours (a retry re-enters).
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR #owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':now': num(now), ':owner': str(owner) },
          }),
        );
        return { acquired: true, lease };
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
      const held = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: lockKey(resource), ConsistentRead: true }));
      const heldOwner = readStr(held.Item, 'owner');
      const heldUntil = readNum(held.Item, 'expiresAt');
      if (heldOwner !== undefined && heldUntil !== undefined) {
        return { acquired: false, heldBy: { resource, owner: heldOwner, expiresAt: heldUntil } };
      }
    }
    throw new Error(`acquireLock(${resource}): lock changed hands repeatedly while acquiring`);
  }

  async releaseLock(resource: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: lockKey(resource),
          // Never release someone else's lock (ours expired and another execution took it).
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': str(owner) },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async claimOnce(key: string, now: number, ttlSecondsForClaim: number): Promise<boolean> {
    const expiresAt = now + ttlSecondsForClaim * 1000;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...claimKey(key), claimedAt: num(now), expiresAt: num(expiresAt), ttl: num(ttlSeconds(expiresAt)) },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': num(now) },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async releaseClaim(key: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: claimKey(key) }));
  }

  async markOwnChange(ref: string, incidentKey: string, now: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...ownKey(ref),
          incidentKey: str(incidentKey),
          markedAt: num(now),
          ttl: num(ttlSeconds(now) + this.opts.ownChangeRetentionSeconds),
        },
      }),
    );
  }

  async isOwnChange(ref: string): Promise<boolean> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: ownKey(ref), ConsistentRead: true }));
    return out.Item !== undefined;
  }

  writeReadiness(report: ReadinessReport): Promise<void> {
    return writeReadinessReport(this.client, this.tableName, report);
  }

  readReadiness(): Promise<ReadinessReport | undefined> {
    return readReadinessReport(this.client, this.tableName);
  }

  readClaims(resource: string): Promise<ResourceClaim[]> {
    return readResourceClaims(this.client, this.tableName, resource);
  }

  writeClaims(resource: string, claims: readonly ResourceClaim[], now: number): Promise<void> {
    return writeResourceClaims(this.client, this.tableName, resource, claims, now);
  }

  /**
   * isOwnChange for several refs in one round trip (BatchGetItem, strongly consistent like
   * the single read). Keys DynamoDB hands back unprocessed (throttling) are asked again.
   */
  async ownChanges(refs: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(refs)];
    // BatchGetItem takes at most 100 keys per request.
    for (let i = 0; i < unique.length; i += 100) {
      let request: KeysAndAttributes | undefined = { Keys: unique.slice(i, i + 100).map(ownKey), ConsistentRead: true, ProjectionExpression: 'pk' };
      for (let attempt = 0; request?.Keys?.length; attempt++) {
        if (attempt >= 5) throw new Error(`ownChanges: ${request.Keys.length} key(s) still unprocessed after ${attempt} attempts`);
        const out: BatchGetItemCommandOutput = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: request } }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const pk = readStr(item, 'pk');
          if (pk?.startsWith('own#')) found.add(pk.slice('own#'.length));
        }
        request = out.UnprocessedKeys?.[this.tableName];
      }
    }
    return found;
  }

  /**
   * Read the counter, then add what fits under the ceiling on the condition that nobody added
   * in between (the value read is the value written over); a lost race re-reads, bounded.
   */
  async takeQuota(key: string, want: number, max: number, now: number, ttlSecondsForQuota: number): Promise<{ granted: number; usedBefore: number }> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: quotaKey(key), ConsistentRead: true }));
      const used = readNum(out.Item, 'used') ?? 0;
      const granted = Math.max(0, Math.min(want, max - used));
      if (granted === 0) return { granted: 0, usedBefore: used };
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: quotaKey(key),
            UpdateExpression: 'SET used = :next, #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: out.Item === undefined ? 'attribute_not_exists(pk)' : 'used = :seen',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':next': num(used + granted),
              ':ttl': num(ttlSeconds(now) + ttlSecondsForQuota),
              ...(out.Item === undefined ? {} : { ':seen': num(used) }),
            },
          }),
        );
        return { granted, usedBefore: used };
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    throw new Error(`takeQuota ${key}: still contended after 10 attempts`);
  }

  /**
   * Optimistic concurrency: each save is conditional on the revision this process last saw
   * of the record. When another writer of the same episode saved in between, its version is
   * merged into `record` (in place, so the caller's session sees the whole incident) and saved
   * again. When the record now holds a later episode (replaceIncident), this writer's episode is
   * over: its write is dropped and reported (onStaleEpisode), never merged into the new one.
   */
  async saveIncident(record: IncidentRecord): Promise<void> {
    await this.writeIncident(record, false);
  }

  /**
   * A new episode under the same key: written over the record as it is now, as the next episode.
   * A writer of the older episode that saves meanwhile is written over again, not merged.
   */
  async replaceIncident(record: IncidentRecord): Promise<void> {
    this.dropPrefetch(record.key);
    const current = await this.readIncident(record.key);
    this.adopt(record, current, true);
    await this.writeIncident(record, true);
  }

  private async writeIncident(record: IncidentRecord, replacing: boolean): Promise<void> {
    // A read started before this write must not be taken for the record afterwards.
    this.dropPrefetch(record.key);
    for (let attempt = 0; attempt < 5; attempt++) {
      const expected = this.revisions.get(record);
      const fitted = fitIncidentRecord(record);
      if (fitted.droppedAwsCalls + fitted.droppedOther > 0) {
        this.opts.onTruncated?.(record.key, { awsCalls: fitted.droppedAwsCalls, other: fitted.droppedOther });
      }
      const revision = (expected ?? 0) + 1;
      const episode = this.episodes.get(record) ?? 0;
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...incidentItemKey(record.key),
              runbook: str(record.runbook),
              status: str(record.status),
              severity: str(record.severity),
              detectedAt: num(record.detectedAt),
              record: str(fitted.json),
              rev: num(revision),
              episode: num(episode),
              ttl: num(ttlSeconds(record.detectedAt) + this.opts.incidentRetentionSeconds),
            },
            ...revisionCondition(expected),
          }),
        );
        this.revisions.set(record, revision);
        this.episodes.set(record, episode);
        return;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
      const current = await this.readIncident(record.key);
      if (replacing) {
        this.adopt(record, current, true);
        continue;
      }
      if (!current) {
        this.revisions.delete(record); // deleted meanwhile: write it afresh
        continue;
      }
      const mine = this.episodes.get(record);
      if (mine !== undefined && current.episode !== mine) {
        this.opts.onStaleEpisode?.(record.key, { mine, stored: current.episode });
        return;
      }
      Object.assign(record, mergeIncidentRecords(current.record, record));
      this.adopt(record, current, false);
    }
    throw new Error(`saveIncident(${record.key}): kept conflicting with concurrent writers`);
  }

  /** Takes the stored revision (and episode, or the one after it for a replacement) as the one this record saw. */
  private adopt(record: IncidentRecord, current: StoredIncident | undefined, nextEpisode: boolean): void {
    if (!current) {
      this.revisions.delete(record);
      this.episodes.set(record, 0);
      return;
    }
    this.revisions.set(record, current.revision);
    this.episodes.set(record, nextEpisode ? current.episode + 1 : current.episode);
  }

  /**
   * Starts the consistent read of an incident now, for the next loadIncident(key) to use:
   * an intake reads its incident while its event claim is being written (one round trip
   * instead of two). Used once; dropped by a save of that incident or by dropPrefetch.
   */
  prefetchIncident(key: string): void {
    if (this.prefetched.has(key)) return;
    const read = this.readIncident(key);
    read.catch(() => undefined); // an unused prefetch that failed is not an unhandled rejection
    this.prefetched.set(key, read);
  }

  dropPrefetch(key: string): void {
    this.prefetched.delete(key);
  }

  async loadIncident(key: string): Promise<IncidentRecord | undefined> {
    const ahead = this.prefetched.get(key);
    this.prefetched.delete(key);
    const found = await (ahead ?? this.readIncident(key));
    if (!found) return undefined;
    this.adopt(found.record, found, false);
    return found.record;
  }

  private async readIncident(key: string): Promise<StoredIncident | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: incidentItemKey(key), ConsistentRead: true }));
    const json = readStr(out.Item, 'record');
    if (json === undefined) return undefined;
    const parsed = JSON.parse(json) as IncidentRecord;
    if (parsed.key !== key || !Array.isArray(parsed.timeline)) {
      throw new Error(`incident item ${key} does not hold a valid incident record`);
    }
    return { record: parsed, revision: readNum(out.Item, 'rev') ?? 0, episode: readNum(out.Item, 'episode') ?? 0 };
  }
}

/** An incident item as read: the record, its revision (optimistic concurrency) and its episode (replacements). */
interface StoredIncident {
  record: IncidentRecord;
  revision: number;
  episode: number;
}

/** New record: nothing there yet. Otherwise: still the revision we saw (0 = an item written without one). */
function revisionCondition(expected: number | undefined): { ConditionExpression: string; ExpressionAttributeValues?: Item } {
  if (expected === undefined) return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (expected === 0) return { ConditionExpression: 'attribute_not_exists(rev)' };
  return { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': num(expected) } };
}

function toActionRecord(item: Item): ActionRecord | undefined {
  const scope = readStr(item, 'scope');
  const action = readStr(item, 'action');
  const at = readNum(item, 'at');
  const incidentKey = readStr(item, 'incidentKey');
  if (scope === undefined || action === undefined || at === undefined || incidentKey === undefined) return undefined;
  const record: ActionRecord = { scope, action, at, incidentKey };
  const summary = readStr(item, 'summary');
  if (summary !== undefined) record.summary = summary;
  const mutations = readNum(item, 'mutations');
  if (mutations !== undefined) record.mutations = mutations;
  const outcome = readStr(item, 'outcome');
  // Any other value is unreadable: counted as not completed, never as a clean record.
  if (outcome !== undefined) record.outcome = outcome === 'not-run' ? 'not-run' : 'failed';
  return record;
}
