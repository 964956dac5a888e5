/**
 * The field checks of WorldSpec validation, shared by validate.ts and each service's part
 * (services/*.ts `region.validate`): every problem names its path. World conditions
 * (`condition`) are cross-service: a metric or a log generator reacts to ECS, RDS, Route 53.
 */
import { SIM_REGIONS } from './spec';

export type Problems = string[];
export type Json = unknown;

export const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function keysOk(p: Problems, path: string, v: Record<string, Json>, allowed: string[]): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) p.push(`${path}.${k}: unknown field (expected one of: ${allowed.join(', ')})`);
}

export function obj(p: Problems, path: string, v: Json, allowed: string[], required: string[] = []): Record<string, Json> | undefined {
  if (!isObj(v)) {
    p.push(`${path}: expected an object, got ${JSON.stringify(v)}`);
    return undefined;
  }
  keysOk(p, path, v, allowed);
  for (const r of required) if (v[r] === undefined) p.push(`${path}.${r}: required`);
  return v;
}

export function map(p: Problems, path: string, v: Json, each: (path: string, key: string, v: Json) => void): void {
  if (v === undefined) return;
  if (!isObj(v)) {
    p.push(`${path}: expected an object keyed by id/name, got ${Array.isArray(v) ? 'an array' : JSON.stringify(v)}`);
    return;
  }
  for (const [k, x] of Object.entries(v)) each(`${path}.${k}`, k, x);
}

export function str(p: Problems, path: string, v: Json, optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string' || v === '') p.push(`${path}: expected a non-empty string, got ${JSON.stringify(v)}`);
}

export function num(p: Problems, path: string, v: Json, opts: { optional?: boolean; min?: number; max?: number; integer?: boolean } = {}): void {
  if (v === undefined && opts.optional !== false) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    p.push(`${path}: expected a number, got ${JSON.stringify(v)}`);
    return;
  }
  if (opts.integer && !Number.isInteger(v)) p.push(`${path}: expected an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) p.push(`${path}: must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) p.push(`${path}: must be <= ${opts.max}, got ${v}`);
}

export function bool(p: Problems, path: string, v: Json): void {
  if (v !== undefined && typeof v !== 'boolean') p.push(`${path}: expected true or false, got ${JSON.stringify(v)}`);
}

export function oneOf(p: Problems, path: string, v: Json, values: readonly string[], optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string' || !values.includes(v)) p.push(`${path}: expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
}

export function time(p: Problems, path: string, v: Json, optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v === 'number' && Number.isFinite(v)) return;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return;
  p.push(`${path}: expected seconds from start (number) or an ISO time, got ${JSON.stringify(v)}`);
}

export function strings(p: Problems, path: string, v: Json): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) p.push(`${path}: expected an array of strings`);
}

export function stringMap(p: Problems, path: string, v: Json): void {
  if (v === undefined) return;
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== 'string')) p.push(`${path}: expected an object of strings`);
}

export function series(p: Problems, path: string, v: Json, optional = false): void {
  if (v === undefined && optional) return;
  if (typeof v === 'number' && Number.isFinite(v)) return;
  const o = obj(p, path, v, ['points', 'interpolate'], ['points']);
  if (!o) return;
  oneOf(p, `${path}.interpolate`, o.interpolate, ['step', 'linear']);
  if (!Array.isArray(o.points) || o.points.length === 0) {
    p.push(`${path}.points: expected a non-empty array of { t, v }`);
    return;
  }
  o.points.forEach((pt, i) => {
    const q = obj(p, `${path}.points[${i}]`, pt, ['t', 'v'], ['t', 'v']);
    if (q) {
      num(p, `${path}.points[${i}].t`, q.t);
      num(p, `${path}.points[${i}].v`, q.v);
    }
  });
}

const CONDITION_KINDS = ['serving', 'runningBelow', 'dbStatus', 'dnsPointsTo', 'after', 'before', 'not', 'all', 'any'];

export function condition(p: Problems, path: string, v: Json): void {
  if (!isObj(v) || Object.keys(v).length !== 1) {
    p.push(`${path}: expected exactly one of ${CONDITION_KINDS.join(', ')}`);
    return;
  }
  const [kind, body] = Object.entries(v)[0] ?? ['', undefined];
  const at = `${path}.${kind}`;
  switch (kind) {
    case 'serving': {
      const o = obj(p, at, body, ['region', 'cluster', 'service', 'taskDefinition'], ['region', 'cluster', 'service', 'taskDefinition']);
      if (o) regionName(p, `${at}.region`, o.region);
      return;
    }
    case 'runningBelow': {
      const o = obj(p, at, body, ['region', 'cluster', 'service', 'count'], ['region', 'cluster', 'service', 'count']);
      if (o) num(p, `${at}.count`, o.count, { min: 0 });
      return;
    }
    case 'dbStatus': {
      const o = obj(p, at, body, ['region', 'id', 'status'], ['region', 'id', 'status']);
      if (o && typeof o.status !== 'string') strings(p, `${at}.status`, o.status);
      return;
    }
    case 'dnsPointsTo':
      obj(p, at, body, ['zoneId', 'name', 'setIdentifier', 'contains'], ['zoneId', 'name', 'contains']);
      return;
    case 'after':
    case 'before':
      num(p, at, body, { optional: false });
      return;
    case 'not':
      condition(p, at, body);
      return;
    case 'all':
    case 'any':
      if (!Array.isArray(body)) p.push(`${at}: expected an array of conditions`);
      else body.forEach((c, i) => condition(p, `${at}[${i}]`, c));
      return;
    default:
      p.push(`${path}: unknown condition '${kind}' (expected one of ${CONDITION_KINDS.join(', ')})`);
  }
}

export function regionName(p: Problems, path: string, v: Json): void {
  oneOf(p, path, v, SIM_REGIONS, false);
}
