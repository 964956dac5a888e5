/**
 * WorldSpec validation: every problem names its path (`regions.us-east-1.rds.instances.x.status: ...`).
 * Unknown keys are errors too: a typo in a scenario must not silently fall back to the baseline.
 * Each service checks its own part and its world changes (services/*.ts); this file checks the
 * world's frame (start, account, regions, faults, schedule) and asks the registry for the rest.
 */
import { SIM_REGIONS, type WorldSpec } from './spec';
import { isObj, keysOk, map, num, obj, oneOf, regionName, str, strings, type Json, type Problems } from './spec-checks';
import type { CoreChangeKind, ServiceChangeKind } from './services';
import { changeHandler, SERVICES } from './services/all';

export function validateFault(p: Problems, path: string, v: Json): void {
  if (!isObj(v)) {
    p.push(`${path}: expected a fault object`);
    return;
  }
  oneOf(p, `${path}.kind`, v.kind, ['throttle', 'server-error', 'timeout', 'hang'], false);
  str(p, `${path}.id`, v.id);
  if (v.kind === 'hang') {
    keysOk(p, path, v, ['id', 'kind', 'what', 'region', 'resource']);
    oneOf(p, `${path}.what`, v.what, SERVICES.flatMap((s) => s.hangs ?? []), false);
    if (v.region !== undefined) regionName(p, `${path}.region`, v.region);
    str(p, `${path}.resource`, v.resource);
    return;
  }
  keysOk(p, path, v, ['id', 'kind', 'service', 'operation', 'region', 'first', 'probability', 'from', 'until', 'status']);
  str(p, `${path}.service`, v.service);
  str(p, `${path}.operation`, v.operation);
  if (v.region !== undefined && v.region !== '*') regionName(p, `${path}.region`, v.region);
  num(p, `${path}.first`, v.first, { min: 0, integer: true });
  num(p, `${path}.probability`, v.probability, { min: 0, max: 1 });
  num(p, `${path}.from`, v.from);
  num(p, `${path}.until`, v.until);
  if (v.status !== undefined && v.status !== 500 && v.status !== 503) p.push(`${path}.status: expected 500 or 503, got ${JSON.stringify(v.status)}`);
  if (v.service === undefined && v.operation === undefined) p.push(`${path}: a call fault needs a service and/or an operation (a fault on every call is never what a scenario means)`);
}

/** The changes the core applies itself (changes.ts); every other kind is a service's (its `changes`). */
const CORE_CHANGE_FIELDS: Record<CoreChangeKind, { required: string[]; optional: string[] }> = {
  fault: { required: ['fault'], optional: [] },
  'clear-faults': { required: [], optional: ['ids'] },
};

function changeFields(kind: string): { required: string[]; optional: string[]; validate?: (p: Problems, path: string, v: Record<string, Json>) => void } | undefined {
  if (Object.hasOwn(CORE_CHANGE_FIELDS, kind)) return CORE_CHANGE_FIELDS[kind as CoreChangeKind];
  return changeHandler(kind as ServiceChangeKind);
}

function changeKinds(): string[] {
  return [...SERVICES.flatMap((s) => Object.keys(s.changes ?? {})), ...Object.keys(CORE_CHANGE_FIELDS)];
}

export function validateChange(p: Problems, path: string, v: Json): void {
  if (!isObj(v)) {
    p.push(`${path}: expected a change object with a kind`);
    return;
  }
  const fields = typeof v.kind === 'string' ? changeFields(v.kind) : undefined;
  if (!fields) {
    p.push(`${path}.kind: expected one of ${changeKinds().join(', ')}, got ${JSON.stringify(v.kind)}`);
    return;
  }
  obj(p, path, v, ['kind', ...fields.required, ...fields.optional], fields.required);
  if (v.region !== undefined) regionName(p, `${path}.region`, v.region);
  fields.validate?.(p, path, v);
  if (v.kind === 'fault') validateFault(p, `${path}.fault`, v.fault);
  if (v.kind === 'clear-faults') strings(p, `${path}.ids`, v.ids);
}

function validateRegion(p: Problems, path: string, v: Json): void {
  const parts = SERVICES.flatMap((s) => (s.region ? [s.region] : []));
  const r = obj(p, path, v, parts.map((part) => part.key));
  if (!r) return;
  for (const part of parts) if (r[part.key] !== undefined) part.validate(p, `${path}.${part.key}`, r[part.key]);
}

export function validateWorld(spec: WorldSpec): string[] {
  const p: Problems = [];
  const globals = SERVICES.flatMap((s) => (s.global ? [s.global.key] : []));
  const w = obj(p, 'world', spec as unknown, ['account', 'start', 'seed', 'regions', ...globals, 'faults', 'schedule'], ['start', 'regions']);
  if (!w) return p;
  if (typeof w.start !== 'string' || Number.isNaN(Date.parse(w.start))) p.push(`start: expected an ISO timestamp, got ${JSON.stringify(w.start)}`);
  if (w.account !== undefined && (typeof w.account !== 'string' || !/^\d{12}$/.test(w.account))) p.push(`account: expected a 12-digit account id, got ${JSON.stringify(w.account)}`);
  num(p, 'seed', w.seed, { integer: true });
  map(p, 'regions', w.regions, (at, name, r) => {
    if (!(SIM_REGIONS as readonly string[]).includes(name)) p.push(`${at}: unknown region (simulated: ${SIM_REGIONS.join(', ')})`);
    else validateRegion(p, at, r);
  });
  for (const { global } of SERVICES) if (global && w[global.key] !== undefined) global.validate(p, global.key, w[global.key]);
  if (w.faults !== undefined) {
    if (!Array.isArray(w.faults)) p.push('faults: expected an array');
    else w.faults.forEach((f, i) => validateFault(p, `faults[${i}]`, f));
  }
  if (w.schedule !== undefined) {
    if (!Array.isArray(w.schedule)) p.push('schedule: expected an array of { at, change, note? }');
    else
      w.schedule.forEach((s, i) => {
        const so = obj(p, `schedule[${i}]`, s, ['at', 'change', 'note'], ['at', 'change']);
        if (!so) return;
        num(p, `schedule[${i}].at`, so.at, { optional: false });
        validateChange(p, `schedule[${i}].change`, so.change);
      });
  }
  return p;
}
