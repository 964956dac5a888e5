/**
 * Scenario validation: a raw JSON/YAML document -> Scenario, or every problem found, each
 * naming its path (`timeline[3].at: ...`). Unknown keys are errors so a typo never
 * silently drops an expectation.
 */
import { isRunbookMode, RUNBOOK_MODES } from '../domain/modes';
import { RUNBOOKS, type RunbookId } from '../domain/config';
import { parseDuration, parseSignedDuration } from './duration';
import type { Scenario } from './scenario';

const SEVERITIES = ['P1', 'P2', 'P3', 'P4'];
const STATUSES = ['open', 'mitigated', 'resolved', 'escalated', 'ignored'];
const NAME = /^[a-z0-9][a-z0-9-]*$/;

type Obj = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path || '(root)'}: ${message}`);
  }
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v}"` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** Checks the keys of an object: required ones present, none unknown. Returns false when `v` is not an object. */
function shape(p: Problems, path: string, v: unknown, required: string[], optional: string[]): v is Obj {
  if (!isObj(v)) {
    p.add(path, `must be an object, got ${describe(v)}`);
    return false;
  }
  for (const k of required) if (!(k in v)) p.add(join(path, k), 'is required');
  const known = new Set([...required, ...optional]);
  for (const k of Object.keys(v)) if (!known.has(k)) p.add(join(path, k), `unknown key (expected one of: ${[...known].join(', ')})`);
  return true;
}

function str(p: Problems, path: string, v: unknown, opts: { nonEmpty?: boolean; oneOf?: readonly string[] } = {}): void {
  if (typeof v !== 'string') return p.add(path, `must be a string, got ${describe(v)}`);
  if (opts.nonEmpty && v.trim() === '') return p.add(path, 'must not be empty');
  if (opts.oneOf && !opts.oneOf.includes(v)) p.add(path, `must be one of ${opts.oneOf.join(', ')}, got "${v}"`);
}

function bool(p: Problems, path: string, v: unknown): void {
  if (typeof v !== 'boolean') p.add(path, `must be true or false, got ${describe(v)}`);
}

function count(p: Problems, path: string, v: unknown, min = 0): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) p.add(path, `must be an integer >= ${min}, got ${describe(v)}`);
}

function duration(p: Problems, path: string, v: unknown): void {
  if (parseDuration(v) === undefined) p.add(path, `must be seconds or a duration like "+90s", "5m", "1m30s", got ${describe(v)}`);
}

function runbook(p: Problems, path: string, v: unknown): void {
  str(p, path, v, { oneOf: RUNBOOKS });
}

function array(p: Problems, path: string, v: unknown, each: (item: unknown, path: string) => void, nonEmpty = false): void {
  if (!Array.isArray(v)) return p.add(path, `must be an array, got ${describe(v)}`);
  if (nonEmpty && v.length === 0) return p.add(path, 'must not be empty');
  v.forEach((item, i) => each(item, join(path, i)));
}

function controls(p: Problems, path: string, v: unknown): void {
  if (!shape(p, path, v, [], ['killSwitch', 'dryRun', 'setBy', 'reason'])) return;
  if ('killSwitch' in v) bool(p, join(path, 'killSwitch'), v.killSwitch);
  if ('dryRun' in v) bool(p, join(path, 'dryRun'), v.dryRun);
  if ('setBy' in v) str(p, join(path, 'setBy'), v.setBy);
  if ('reason' in v) str(p, join(path, 'reason'), v.reason);
}

function history(p: Problems, path: string, v: unknown): void {
  if (!shape(p, path, v, [], ['actions', 'locks'])) return;
  if ('actions' in v)
    array(p, join(path, 'actions'), v.actions, (a, ap) => {
      if (!shape(p, ap, a, ['scope', 'action', 'at', 'incidentKey'], ['summary'])) return;
      for (const k of ['scope', 'action', 'incidentKey'] as const) str(p, join(ap, k), a[k], { nonEmpty: true });
      if (parseSignedDuration(a.at) === undefined) p.add(join(ap, 'at'), `must be a time relative to T+0 like "-2h" or "-90s", got ${describe(a.at)}`);
      if ('summary' in a) str(p, join(ap, 'summary'), a.summary);
    });
  if ('locks' in v)
    array(p, join(path, 'locks'), v.locks, (l, lp) => {
      if (!shape(p, lp, l, ['resource', 'owner'], ['at', 'ttlSeconds'])) return;
      str(p, join(lp, 'resource'), l.resource, { nonEmpty: true });
      str(p, join(lp, 'owner'), l.owner, { nonEmpty: true });
      if ('at' in l && parseSignedDuration(l.at) === undefined) p.add(join(lp, 'at'), `must be a time relative to T+0 like "-5m", got ${describe(l.at)}`);
      if ('ttlSeconds' in l) count(p, join(lp, 'ttlSeconds'), l.ttlSeconds, 1);
    });
}

function eventSpec(p: Problems, path: string, v: unknown): void {
  if (!isObj(v)) return p.add(path, `must be an EventBridge event object or { "sample": ..., "patch": ... }, got ${describe(v)}`);
  if ('sample' in v) {
    if (!shape(p, path, v, ['sample'], ['patch'])) return;
    str(p, join(path, 'sample'), v.sample, { nonEmpty: true });
    if ('patch' in v && !isObj(v.patch)) p.add(join(path, 'patch'), `must be an object, got ${describe(v.patch)}`);
    return;
  }
  for (const k of ['source', 'detail-type', 'detail']) if (!(k in v)) p.add(join(path, k), 'is required in an inline event (or use { "sample": "events/samples/<name>.json" })');
}

function timelineStep(p: Problems, path: string, v: unknown): void {
  if (!isObj(v)) return p.add(path, `must be an object, got ${describe(v)}`);
  const type = v.type;
  switch (type) {
    case 'event':
      if (!shape(p, path, v, ['at', 'type', 'event'], ['keepId', 'keepTime', 'repeat', 'every', 'deliverTo', 'note', 'bus', 'relayedBy'])) return;
      if ('relayedBy' in v) str(p, join(path, 'relayedBy'), v.relayedBy, { nonEmpty: true });
      if ('bus' in v && v.bus !== 'default' && v.bus !== 'private') p.add(join(path, 'bus'), `must be "default" or "private", got ${describe(v.bus)}`);
      eventSpec(p, join(path, 'event'), v.event);
      if ('keepId' in v) bool(p, join(path, 'keepId'), v.keepId);
      if ('keepTime' in v) bool(p, join(path, 'keepTime'), v.keepTime);
      if ('repeat' in v) count(p, join(path, 'repeat'), v.repeat, 1);
      if ('every' in v) duration(p, join(path, 'every'), v.every);
      if ('deliverTo' in v) array(p, join(path, 'deliverTo'), v.deliverTo, (r, rp) => runbook(p, rp, r), true);
      break;
    case 'world':
      if (!shape(p, path, v, ['at', 'type', 'change'], ['note'])) return;
      if (!isObj(v.change) || typeof v.change.kind !== 'string') p.add(join(path, 'change'), `must be a world change object with a "kind" (test/simulated-region/spec.ts WorldChange), got ${describe(v.change)}`);
      break;
    case 'approve':
    case 'reject':
      if (!shape(p, path, v, ['at', 'type', 'callback'], ['by', 'note', 'as'])) return;
      str(p, join(path, 'callback'), v.callback, { nonEmpty: true });
      if ('by' in v) str(p, join(path, 'by'), v.by);
      if ('as' in v) str(p, join(path, 'as'), v.as, { nonEmpty: true });
      break;
    case 'request':
      if (!shape(p, path, v, ['at', 'type', 'as', 'detailType', 'detail'], ['note'])) return;
      str(p, join(path, 'as'), v.as, { nonEmpty: true });
      str(p, join(path, 'detailType'), v.detailType, { nonEmpty: true });
      if (!isObj(v.detail)) p.add(join(path, 'detail'), `must be an object, got ${describe(v.detail)}`);
      break;
    case 'controls':
      if (!shape(p, path, v, ['at', 'type', 'controls'], ['note'])) return;
      controls(p, join(path, 'controls'), v.controls);
      break;
    case 'schedule':
      if (!shape(p, path, v, ['at', 'type'], ['note'])) return;
      break;
    default:
      return p.add(join(path, 'type'), `must be one of event, world, approve, reject, controls, request, schedule, got ${describe(type)}`);
  }
  duration(p, join(path, 'at'), v.at);
  if ('note' in v) str(p, join(path, 'note'), v.note);
}

function callMatcher(p: Problems, path: string, v: unknown, withTimes: boolean): void {
  if (!shape(p, path, v, ['service'], withTimes ? ['operation', 'region', 'times'] : ['operation', 'region'])) return;
  str(p, join(path, 'service'), v.service, { nonEmpty: true });
  if ('operation' in v) str(p, join(path, 'operation'), v.operation, { nonEmpty: true });
  if ('region' in v) str(p, join(path, 'region'), v.region, { nonEmpty: true });
  if ('times' in v) count(p, join(path, 'times'), v.times);
  if (typeof v.service === 'string' && /Client$/.test(v.service)) p.add(join(path, 'service'), `name the service as the SDK client without "Client" (e.g. "${v.service.replace(/Client$/, '')}")`);
  if (typeof v.operation === 'string' && /Command$/.test(v.operation)) p.add(join(path, 'operation'), `name the operation without "Command" (e.g. "${v.operation.replace(/Command$/, '')}")`);
}

function expectations(p: Problems, path: string, v: unknown): void {
  const keys = ['mustCall', 'mustNotCall', 'pages', 'noPages', 'maxMutations', 'incidentStatus', 'guardrailRefusals', 'noGuardrailRefusals', 'timelineIncludes', 'timelineExcludes', 'rejectedEvents', 'workflows', 'mitigatedWithin', 'everyPageSaysWould', 'pageMode', 'metrics'];
  if (!shape(p, path, v, [], keys)) return;
  if (Object.keys(v).length === 0) p.add(path, 'must state at least one expectation (a scenario that cannot fail proves nothing)');
  if ('mustCall' in v) array(p, join(path, 'mustCall'), v.mustCall, (m, mp) => callMatcher(p, mp, m, true));
  if ('mustNotCall' in v) array(p, join(path, 'mustNotCall'), v.mustNotCall, (m, mp) => callMatcher(p, mp, m, false));
  if ('pages' in v)
    array(p, join(path, 'pages'), v.pages, (m, mp) => {
      if (!shape(p, mp, m, [], ['severity', 'action', 'titleIncludes', 'messageIncludes', 'refusedBy', 'times'])) return;
      if ('refusedBy' in m) str(p, join(mp, 'refusedBy'), m.refusedBy, { nonEmpty: true });
      if ('severity' in m) str(p, join(mp, 'severity'), m.severity, { oneOf: SEVERITIES });
      if ('action' in m) str(p, join(mp, 'action'), m.action, { oneOf: ['trigger', 'resolve'] });
      if ('titleIncludes' in m) str(p, join(mp, 'titleIncludes'), m.titleIncludes, { nonEmpty: true });
      if ('messageIncludes' in m) str(p, join(mp, 'messageIncludes'), m.messageIncludes, { nonEmpty: true });
      if ('times' in m) count(p, join(mp, 'times'), m.times);
    });
  if ('noPages' in v) bool(p, join(path, 'noPages'), v.noPages);
  if ('everyPageSaysWould' in v) bool(p, join(path, 'everyPageSaysWould'), v.everyPageSaysWould);
  if ('pageMode' in v && !isRunbookMode(v.pageMode)) p.add(join(path, 'pageMode'), `must be one of ${RUNBOOK_MODES.join(', ')}, got ${JSON.stringify(v.pageMode)}`);
  if ('maxMutations' in v) count(p, join(path, 'maxMutations'), v.maxMutations);
  if ('incidentStatus' in v) {
    const s = v.incidentStatus;
    if (typeof s === 'string') str(p, join(path, 'incidentStatus'), s, { oneOf: STATUSES });
    else if (isObj(s)) {
      for (const [rb, st] of Object.entries(s)) {
        runbook(p, join(join(path, 'incidentStatus'), rb), rb);
        str(p, join(join(path, 'incidentStatus'), rb), st, { oneOf: STATUSES });
      }
    } else p.add(join(path, 'incidentStatus'), `must be a status (${STATUSES.join(', ')}) or { runbook: status }, got ${describe(s)}`);
  }
  if ('guardrailRefusals' in v) array(p, join(path, 'guardrailRefusals'), v.guardrailRefusals, (g, gp) => str(p, gp, g, { nonEmpty: true }));
  if ('noGuardrailRefusals' in v) bool(p, join(path, 'noGuardrailRefusals'), v.noGuardrailRefusals);
  if ('timelineIncludes' in v) array(p, join(path, 'timelineIncludes'), v.timelineIncludes, (t, tp) => str(p, tp, t, { nonEmpty: true }));
  if ('timelineExcludes' in v) array(p, join(path, 'timelineExcludes'), v.timelineExcludes, (t, tp) => str(p, tp, t, { nonEmpty: true }));
  if ('rejectedEvents' in v) count(p, join(path, 'rejectedEvents'), v.rejectedEvents);
  if ('workflows' in v && shape(p, join(path, 'workflows'), v.workflows, [], ['started', 'joined'])) {
    const w = v.workflows;
    if ('started' in w) count(p, join(path, 'workflows.started'), w.started);
    if ('joined' in w) count(p, join(path, 'workflows.joined'), w.joined);
  }
  if ('mitigatedWithin' in v) duration(p, join(path, 'mitigatedWithin'), v.mitigatedWithin);
  if ('metrics' in v)
    array(p, join(path, 'metrics'), v.metrics, (m, mp) => {
      if (!shape(p, mp, m, ['name'], ['namespace', 'dimensions', 'value', 'times'])) return;
      str(p, join(mp, 'name'), m.name, { nonEmpty: true });
      if ('namespace' in m) str(p, join(mp, 'namespace'), m.namespace, { nonEmpty: true });
      if ('dimensions' in m) {
        if (!isObj(m.dimensions)) p.add(join(mp, 'dimensions'), `must be an object of dimension name -> value, got ${describe(m.dimensions)}`);
        else for (const [k, d] of Object.entries(m.dimensions)) str(p, join(join(mp, 'dimensions'), k), d);
      }
      if ('value' in m && (typeof m.value !== 'number' || !Number.isFinite(m.value))) p.add(join(mp, 'value'), `must be a number, got ${describe(m.value)}`);
      if ('times' in m) count(p, join(mp, 'times'), m.times);
    });
}

/** Problems found in `raw` (empty: it is a valid Scenario). */
export function scenarioProblems(raw: unknown): string[] {
  const p = new Problems();
  const required = ['name', 'description', 'runbooks', 'timeline', 'expectations'];
  const optional = ['startAt', 'config', 'controls', 'history', 'world', 'fullWorld', 'faults', 'awsEvents'];
  if (!shape(p, '', raw, required, optional)) return p.list;
  // Missing required keys are already reported; check the shape of the ones present.
  if ('name' in raw) str(p, 'name', raw.name, { nonEmpty: true });
  if (typeof raw.name === 'string' && raw.name && !NAME.test(raw.name)) p.add('name', `must be kebab-case (a-z, 0-9, -), got "${raw.name}"`);
  if ('description' in raw) str(p, 'description', raw.description, { nonEmpty: true });
  if ('runbooks' in raw) array(p, 'runbooks', raw.runbooks, (r, rp) => runbook(p, rp, r), true);
  if ('startAt' in raw && (typeof raw.startAt !== 'string' || Number.isNaN(Date.parse(raw.startAt)))) p.add('startAt', `must be an ISO time, got ${describe(raw.startAt)}`);
  if ('config' in raw && !isObj(raw.config)) p.add('config', `must be an object (deep-merged onto defaultConfig), got ${describe(raw.config)}`);
  if ('controls' in raw) controls(p, 'controls', raw.controls);
  if ('history' in raw) history(p, 'history', raw.history);
  if ('world' in raw && !isObj(raw.world)) p.add('world', `must be an object (deep-merged onto baselineWorld()), got ${describe(raw.world)}`);
  if ('fullWorld' in raw && !isObj(raw.fullWorld)) p.add('fullWorld', `must be a complete WorldSpec object, got ${describe(raw.fullWorld)}`);
  if ('world' in raw && 'fullWorld' in raw) p.add('fullWorld', 'cannot be combined with world (world patches the baseline, fullWorld replaces it)');
  if ('faults' in raw) array(p, 'faults', raw.faults, (f, fp) => {
    if (!isObj(f) || typeof f.kind !== 'string') p.add(fp, `must be a fault object with a "kind" (test/simulated-region/spec.ts FaultSpec), got ${describe(f)}`);
  });
  if ('awsEvents' in raw) str(p, 'awsEvents', raw.awsEvents, { oneOf: ['deliver', 'ignore'] });
  if ('timeline' in raw) array(p, 'timeline', raw.timeline, (s, sp) => timelineStep(p, sp, s), true);
  if ('expectations' in raw) expectations(p, 'expectations', raw.expectations);
  return p.list;
}

export function isScenario(raw: unknown): raw is Scenario {
  return scenarioProblems(raw).length === 0;
}

/** Runbooks named anywhere in the scenario (declared, deliverTo, per-runbook statuses). */
export function runbooksOf(s: Scenario): RunbookId[] {
  const all = new Set<RunbookId>(s.runbooks);
  for (const step of s.timeline) if (step.type === 'event') for (const r of step.deliverTo ?? []) all.add(r);
  return [...all];
}
