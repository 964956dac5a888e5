/**
 * Property tests: parseEvent never throws, whatever it is given, and whatever it accepts
 * is complete. Inputs: arbitrary JSON values and text, and the samples with one field
 * deleted or replaced by an arbitrary value (the realistic garbage: almost-right events).
 */
import fc from 'fast-check';
import { defaultConfig } from '../domain/config';
import { parseEvent, type ParseResult } from './parse';
import { SAMPLE_NAMES, loadSample, sampleTime } from './samples/load';
import { ALARM_STATES, type AutopilotEvent } from './types';

const config = defaultConfig;
const REJECTION_CODES = [
  'malformed-json',
  'not-an-object',
  'missing-field',
  'wrong-type',
  'unknown-event-type',
  'foreign-account',
  'foreign-region',
  'too-old',
  'oversized',
  'bad-value',
  'future-time',
  'unknown-field',
  'bad-identity',
  'too-long',
];

const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';
const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const strings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Every required field of an accepted event is present with its type. */
function wellFormed(event: AutopilotEvent): boolean {
  const envelope =
    nonEmpty(event.id) &&
    config.accountIds.includes(event.account) &&
    [config.primaryRegion, config.secondaryRegion].includes(event.region) &&
    isTime(event.time) &&
    nonEmpty(event.source) &&
    nonEmpty(event.detailType) &&
    strings(event.resources);
  if (!envelope) return false;
  switch (event.kind) {
    case 'alarm': {
      const d = event.detail;
      const base = nonEmpty(d.alarmName) && ALARM_STATES.includes(d.state.value) && isTime(d.state.timestamp);
      return d.alarmType === 'composite' ? base && nonEmpty(d.alarmRule) && Array.isArray(d.triggeringAlarms) : base && d.metrics.length > 0;
    }
    case 'rds-instance':
      return /^RDS-EVENT-\d{4}$/.test(event.detail.eventId) && nonEmpty(event.detail.dbInstanceId) && isTime(event.detail.date);
    case 'rds-snapshot':
      return /^RDS-EVENT-\d{4}$/.test(event.detail.eventId) && nonEmpty(event.detail.snapshotId) && isTime(event.detail.date);
    case 'ecs-deployment':
      return nonEmpty(event.detail.deploymentId) && nonEmpty(event.detail.clusterName) && nonEmpty(event.detail.serviceName) && isTime(event.detail.updatedAt);
    case 'ecs-task':
      return nonEmpty(event.detail.taskArn) && nonEmpty(event.detail.lastStatus) && event.detail.containers.every((c) => nonEmpty(c.name));
    case 'codedeploy':
      return nonEmpty(event.detail.deploymentId) && nonEmpty(event.detail.application) && nonEmpty(event.detail.deploymentGroup);
    case 'restore-request': {
      const p = event.detail.restorePoint;
      return nonEmpty(event.detail.dbInstanceId) && nonEmpty(event.detail.requestedBy) && (p.kind === 'snapshot' ? nonEmpty(p.snapshotId) : isTime(p.restoreTime));
    }
    case 's3-restore-request':
      return nonEmpty(event.detail.bucket) && typeof event.detail.prefix === 'string' && isTime(event.detail.restoreTime) && typeof event.detail.dryRun === 'boolean';
    case 'rollback-request':
      return nonEmpty(event.detail.cluster) && nonEmpty(event.detail.service) && nonEmpty(event.detail.requestedBy);
    case 'scale-request':
      return nonEmpty(event.detail.cluster) && nonEmpty(event.detail.incidentKey) && strings(event.detail.evidence);
    case 'scheduled':
      // A Scheduled Event carries nothing in its detail; the envelope (checked above) is all there is.
      return Object.keys(event.detail).length === 0;
  }
}

/**
 * The result is one of the two documented shapes, an accepted event is complete, and a
 * rejection came from a field reader, not from parseEvent's last-resort catch (which
 * would mean a reader crashed on JSON input).
 */
function honest(result: ParseResult): boolean {
  if (result.ok) return wellFormed(result.event);
  const { code, message } = result.rejection;
  return REJECTION_CODES.includes(code) && nonEmpty(message) && !message.startsWith('unreadable event');
}

/** Every path into a JSON value (object keys and array indexes), the root excluded. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  }
  return [];
}

type Mutation = { op: 'delete' } | { op: 'set'; value: unknown };

function mutate(root: Record<string, unknown>, path: Array<string | number>, mutation: Mutation): void {
  let parent: unknown = root;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[step];
  const last = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, unknown>;
  if (mutation.op === 'delete') {
    if (Array.isArray(container)) container.splice(Number(last), 1);
    else delete container[last];
  } else {
    container[last] = mutation.value;
  }
}

const anyJson = fc.jsonValue({ maxDepth: 4 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ op: 'delete' }),
  anyJson.map((value): Mutation => ({ op: 'set', value })),
  fc.constantFrom<unknown>('', 'FOO', 0, -1, null, true, [], {}, 'x'.repeat(300)).map((value): Mutation => ({ op: 'set', value })),
);

describe('parseEvent under arbitrary input', () => {
  it('never throws on arbitrary JSON values, and answers with a documented shape', () => {
    fc.assert(
      fc.property(anyJson, fc.integer({ min: 0, max: 4_000_000_000_000 }), (value, now) => {
        const result = parseEvent(value, { config, now });
        return honest(result) && !result.ok;
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text, valid JSON or not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) => honest(parseEvent(text, { config, now: 0 }))),
      { numRuns: 500 },
    );
  });

  it('never throws on samples with one field deleted or replaced; whatever it accepts is complete', () => {
    const cases = SAMPLE_NAMES.map((name) => ({ name, raw: loadSample(name), now: sampleTime(name) + 1000 }));
    const arb = fc
      .constantFrom(...cases)
      .chain((c) => fc.record({ c: fc.constant(c), path: fc.constantFrom(...paths(c.raw)), mutation }));
    fc.assert(
      fc.property(arb, ({ c, path, mutation: m }) => {
        const raw = structuredClone(c.raw);
        mutate(raw, path, m);
        const asObject = parseEvent(raw, { config, now: c.now });
        const asText = parseEvent(JSON.stringify(raw), { config, now: c.now });
        return honest(asObject) && honest(asText) && asObject.ok === asText.ok;
      }),
      { numRuns: 2000 },
    );
  });

  it('stays honest for every field of every sample deleted, blanked or retyped (exhaustive)', () => {
    const replacements: Mutation[] = [{ op: 'delete' }, ...[null, '', ' ', 0, true, [], {}, 'FOO'].map((value): Mutation => ({ op: 'set', value }))];
    let tried = 0;
    for (const name of SAMPLE_NAMES) {
      const original = loadSample(name);
      for (const path of paths(original)) {
        for (const m of replacements) {
          const raw = structuredClone(original);
          mutate(raw, path, m);
          const result = parseEvent(raw, { config, now: sampleTime(name) + 1000 });
          tried += 1;
          if (!honest(result)) throw new Error(`${name} with ${path.join('.')} ${m.op === 'delete' ? 'deleted' : `set to ${JSON.stringify(m.value)}`}: ${JSON.stringify(result)}`);
        }
      }
    }
    expect(tried).toBeGreaterThan(4000);
  });

  it('rejects a sample whose required envelope field is removed, whichever it is', () => {
    const required = ['id', 'account', 'region', 'time', 'source', 'detail-type', 'detail'];
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLE_NAMES), fc.constantFrom(...required), (name, field) => {
        const raw = loadSample(name);
        delete raw[field];
        const result = parseEvent(raw, { config, now: sampleTime(name) + 1000 });
        return !result.ok && result.rejection.code === 'missing-field' && result.rejection.field === field;
      }),
    );
  });
});
