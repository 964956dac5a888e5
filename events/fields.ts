/**
 * Small field readers for untrusted JSON. Each reader either returns a value of the
 * promised type or throws a FieldRejection naming the full path of the field
 * (`detail.state.value: expected one of ...`). Only parseEvent catches it, and turns it
 * into a structured rejection, so no caller ever sees a throw or a half-read value.
 */

export type RejectionCode =
  | 'malformed-json'
  | 'not-an-object'
  | 'missing-field'
  | 'wrong-type'
  | 'unknown-event-type'
  | 'foreign-account'
  | 'foreign-region'
  | 'too-old'
  | 'oversized'
  | 'bad-value'
  | 'future-time'
  | 'unknown-field'
  | 'bad-identity'
  | 'too-long';

/**
 * Ids end up in the state table's keys (claim#…, lock#…, incident#…), sometimes three in one
 * key: at 256 bytes each, a composed key stays inside DynamoDB's 1,024-byte sort-key and
 * 2,048-byte partition-key limits (and every AWS id we accept is shorter: ECS names 255,
 * RDS identifiers 63, S3 buckets 63, event ids 36).
 */
export const MAX_ID_BYTES = 256;
/** A requester or approver identity: a name, an email or a principal ARN. */
export const MAX_IDENTITY_LENGTH = 256;
/** Clocks disagree a little (EventBridge, producers, Lambda): a timestamp this far ahead is still "now". */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** C0/C1 controls, DEL, zero-width, bidirectional and invisible formatting characters, BOM. */
const INVISIBLE_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

export interface Rejection {
  code: RejectionCode;
  /** Dotted path of the offending field, when one field is to blame. */
  field?: string;
  message: string;
}

export class FieldRejection extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}

export function reject(code: RejectionCode, field: string | undefined, problem: string): never {
  const message = field ? `${field}: ${problem}` : problem;
  throw new FieldRejection(field ? { code, field, message } : { code, message });
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short rendering of an offending value for messages (never the whole payload). */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// ISO-8601 with a zone, as AWS writes it: 2019-10-02T17:04:40Z, 2019-10-02T17:04:40.989+0000.
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch ms of an ISO-8601 timestamp with a zone, or undefined when it is not one. */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [, base, fraction = '', zone = 'Z'] = m;
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '';
  const offset = zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${base}${millis}${offset}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Typed access to the fields of one JSON object, every message prefixed with its path. */
export class Fields {
  constructor(
    readonly value: JsonObject,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): Fields {
    if (!isObject(value)) reject(value === undefined ? 'missing-field' : 'wrong-type', path, `expected an object, got ${typeName(value)}`);
    return new Fields(value, path);
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  private required(key: string): unknown {
    const v = this.value[key];
    if (v === undefined || v === null) reject('missing-field', this.at(key), 'missing');
    return v;
  }

  /** A non-empty string. */
  string(key: string): string {
    const v = this.required(key);
    if (typeof v !== 'string') reject('wrong-type', this.at(key), `expected a string, got ${typeName(v)}`);
    if (v.trim() === '') reject('bad-value', this.at(key), 'expected a non-empty string');
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /** An id that ends up in a state-table key: non-empty, visible characters only, at most MAX_ID_BYTES. */
  id(key: string, maxBytes: number = MAX_ID_BYTES): string {
    const v = this.string(key);
    const bytes = Buffer.byteLength(v, 'utf8');
    if (bytes > maxBytes) reject('too-long', this.at(key), `${bytes} bytes, longer than the ${maxBytes} bytes an id may have (the state table's keys are built from ids)`);
    if (INVISIBLE_OR_CONTROL.test(v)) reject('bad-value', this.at(key), 'contains control or invisible characters');
    return v;
  }

  optionalId(key: string): string | undefined {
    return this.has(key) ? this.id(key) : undefined;
  }

  /** Who asked: no control, zero-width or bidirectional characters (a look-alike of another person), bounded. */
  identity(key: string): string {
    const v = this.string(key);
    if (INVISIBLE_OR_CONTROL.test(v)) reject('bad-identity', this.at(key), 'contains control, zero-width or bidirectional characters');
    if (v.length > MAX_IDENTITY_LENGTH) reject('bad-identity', this.at(key), `longer than ${MAX_IDENTITY_LENGTH} characters`);
    if (v !== v.trim()) reject('bad-identity', this.at(key), 'has leading or trailing white space');
    return v;
  }

  /** Our own schemas are strict: a field we do not know is refused, not ignored. */
  only(allowed: readonly string[]): this {
    for (const key of Object.keys(this.value)) {
      if (!allowed.includes(key)) reject('unknown-field', this.at(key), `unknown field (expected only ${allowed.join(', ')})`);
    }
    return this;
  }

  /** Any string, empty allowed (free-text fields such as a reason the service may leave blank). */
  text(key: string): string {
    const v = this.required(key);
    if (typeof v !== 'string') reject('wrong-type', this.at(key), `expected a string, got ${typeName(v)}`);
    return v;
  }

  optionalText(key: string): string | undefined {
    return this.has(key) ? this.text(key) : undefined;
  }

  number(key: string): number {
    const v = this.required(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) reject('wrong-type', this.at(key), `expected a number, got ${typeName(v)}`);
    return v;
  }

  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key) : undefined;
  }

  boolean(key: string): boolean {
    const v = this.required(key);
    if (typeof v !== 'boolean') reject('wrong-type', this.at(key), `expected a boolean, got ${typeName(v)}`);
    return v;
  }

  booleanOr(key: string, fallback: boolean): boolean {
    return this.has(key) ? this.boolean(key) : fallback;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.string(key);
    if (!(allowed as readonly string[]).includes(v)) {
      reject('bad-value', this.at(key), `expected one of ${allowed.join('|')}, got ${describe(v)}`);
    }
    return v as T;
  }

  optionalOneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    return this.has(key) ? this.oneOf(key, allowed) : undefined;
  }

  /** A string that must match a pattern; `expected` says in words what was wanted. */
  matching(key: string, pattern: RegExp, expected: string): string {
    const v = this.string(key);
    if (!pattern.test(v)) reject('bad-value', this.at(key), `expected ${expected}, got ${describe(v)}`);
    return v;
  }

  /** An ISO-8601 timestamp with a zone, as epoch ms. */
  isoTime(key: string): number {
    const v = this.string(key);
    const ms = parseIsoTime(v);
    if (ms === undefined) reject('bad-value', this.at(key), `expected an ISO-8601 timestamp, got ${describe(v)}`);
    return ms;
  }

  optionalIsoTime(key: string): number | undefined {
    return this.has(key) ? this.isoTime(key) : undefined;
  }

  object(key: string): Fields {
    const v = this.required(key);
    return Fields.of(v, this.at(key));
  }

  optionalObject(key: string): Fields | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  private array(key: string): unknown[] {
    const v = this.required(key);
    if (!Array.isArray(v)) reject('wrong-type', this.at(key), `expected an array, got ${typeName(v)}`);
    return v;
  }

  stringArray(key: string): string[] {
    return this.array(key).map((item, i) => {
      if (typeof item !== 'string') reject('wrong-type', `${this.at(key)}[${i}]`, `expected a string, got ${typeName(item)}`);
      return item;
    });
  }

  stringArrayOr(key: string, fallback: string[]): string[] {
    return this.has(key) ? this.stringArray(key) : fallback;
  }

  objectArray(key: string): Fields[] {
    return this.array(key).map((item, i) => Fields.of(item, `${this.at(key)}[${i}]`));
  }

  objectArrayOr(key: string, fallback: Fields[]): Fields[] {
    return this.has(key) ? this.objectArray(key) : fallback;
  }

  /** A flat map of string values (CloudWatch metric dimensions). */
  stringMap(key: string): Record<string, string> {
    const obj = this.object(key);
    const out: Record<string, string> = {};
    for (const name of Object.keys(obj.value)) out[name] = obj.text(name);
    return out;
  }
}
