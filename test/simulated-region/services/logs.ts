/**
 * CloudWatch Logs: FilterLogEvents (and a small Logs Insights subset) over the scenario's
 * log lines, generated lines and lines the world writes as things happen (a task of a
 * failing revision logs why it exits).
 *
 * Filter patterns: terms ("500" "POST" = all of them), ?term (any of them), -term (none).
 * JSON and metric-filter patterns are refused loudly rather than half-matched.
 */
import * as sdk from '@aws-sdk/client-cloudwatch-logs';
import type {
  FilterLogEventsCommandInput,
  FilterLogEventsCommandOutput,
  FilteredLogEvent,
  GetQueryResultsCommandInput,
  GetQueryResultsCommandOutput,
  StartQueryCommandInput,
  StartQueryCommandOutput,
  DescribeLogGroupsCommandInput,
  DescribeLogGroupsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsError } from '../errors';
import { paginate } from '../paging';
import { holds } from '../signals';
import type { LogGroupSpec, LogsSpec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq } from '../iam-arns';
import { obj, map, num, condition, type Json, type Problems } from '../spec-checks';
import type { OpContext, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

interface LogLine {
  at: number;
  stream: string;
  message: string;
}

interface LogGroupState {
  name: string;
  lines: LogLine[];
  generators: NonNullable<LogGroupSpec['generators']>;
  createdAt: number;
}

export interface LogsState {
  groups: Map<string, LogGroupState>;
  queries: Map<string, { status: 'Complete'; results: { field: string; value: string }[][]; scanned: number }>;
}

declare module '../state' {
  interface RegionState {
    logs: LogsState;
  }
}

const PAGE_EVENTS = 50;

function initLogs(world: SimWorld, spec: LogsSpec | undefined): LogsState {
  const state: LogsState = { groups: new Map(), queries: new Map() };
  for (const [name, g] of Object.entries(spec?.groups ?? {})) {
    state.groups.set(name, {
      name,
      lines: (g.lines ?? []).map((l) => ({ at: world.toMs(l.t), stream: l.stream ?? 'ecs/app/scenario', message: l.message })),
      generators: g.generators ?? [],
      createdAt: world.startMs - 400 * 86400_000,
    });
  }
  return state;
}

/** A line the world writes now (scheduled 'log' changes, failing tasks). Creates the group if needed. */
export function appendLog(world: SimWorld, region: string, group: string, stream: string, message: string, at: number): void {
  const logs = world.region(region).logs;
  let g = logs.groups.get(group);
  if (!g) {
    g = { name: group, lines: [], generators: [], createdAt: at };
    logs.groups.set(group, g);
  }
  g.lines.push({ at, stream, message });
}

function linesIn(world: SimWorld, g: LogGroupState, from: number, to: number, now: number): LogLine[] {
  const out = g.lines.filter((l) => l.at >= from && l.at < to && l.at <= now);
  for (const gen of g.generators) {
    if (gen.when && !holds(world, gen.when, now)) continue;
    const start = Math.max(world.toMs(gen.from), from);
    const end = Math.min(world.toMs(gen.to), to, now + 1);
    const step = gen.everySeconds * 1000;
    const first = world.toMs(gen.from) + Math.ceil((start - world.toMs(gen.from)) / step) * step;
    for (let t = first; t < end; t += step) out.push({ at: t, stream: gen.stream ?? 'ecs/app/generated', message: gen.message });
  }
  return out.sort((a, b) => a.at - b.at || a.message.localeCompare(b.message));
}

interface Pattern {
  all: string[];
  any: string[];
  none: string[];
}

function parsePattern(raw: string | undefined): Pattern {
  const p: Pattern = { all: [], any: [], none: [] };
  const text = (raw ?? '').trim();
  if (!text) return p;
  if (text.startsWith('{') || text.startsWith('[')) throw awsError('InvalidParameterException', `JSON and space-delimited filter patterns are not simulated: ${text}`, { status: 400, sdk });
  const re = /([?-]?)(?:"([^"]*)"|(\S+))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const term = m[2] ?? m[3] ?? '';
    if (m[1] === '?') p.any.push(term);
    else if (m[1] === '-') p.none.push(term);
    else p.all.push(term);
  }
  return p;
}

function matches(p: Pattern, message: string): boolean {
  if (p.all.some((t) => !message.includes(t))) return false;
  if (p.any.length && !p.any.some((t) => message.includes(t))) return false;
  if (p.none.some((t) => message.includes(t))) return false;
  return true;
}

function groupOrFail(ctx: OpContext, name: string | undefined): LogGroupState {
  const id = (name ?? '').replace(/^arn:aws:logs:[^:]+:\d+:log-group:/, '').replace(/:\*$/, '');
  const g = ctx.r.logs.groups.get(id);
  if (!g) throw awsError('ResourceNotFoundException', 'The specified log group does not exist.', { status: 400, sdk });
  return g;
}

function filterLogEvents(ctx: OpContext, input: FilterLogEventsCommandInput): Out<FilterLogEventsCommandOutput> {
  const g = groupOrFail(ctx, input.logGroupName ?? input.logGroupIdentifier);
  const pattern = parsePattern(input.filterPattern);
  const from = input.startTime ?? 0;
  const to = input.endTime ?? ctx.now + 1;
  let lines = linesIn(ctx.world, g, from, to, ctx.now).filter((l) => matches(pattern, l.message));
  if (input.logStreamNames?.length) lines = lines.filter((l) => input.logStreamNames?.includes(l.stream));
  if (input.logStreamNamePrefix) lines = lines.filter((l) => l.stream.startsWith(input.logStreamNamePrefix ?? ''));
  const events: FilteredLogEvent[] = lines.map((l, i) => ({ logStreamName: l.stream, timestamp: l.at, message: l.message, ingestionTime: l.at + 200, eventId: `${l.at}${String(i).padStart(8, '0')}` }));
  const page = paginate(events, input.nextToken, input.limit, PAGE_EVENTS, `logs:${g.name}:${from}:${to}:${input.filterPattern ?? ''}`, 'InvalidParameterException');
  return { events: page.items, nextToken: page.next, searchedLogStreams: [] };
}

/**
 * Logs Insights subset: `fields ...`, `filter @message like /re/` (and `not like`), `sort @timestamp desc|asc`,
 * `limit n`, `stats count(*)` (alone). Anything else is refused loudly.
 */
function startQuery(ctx: OpContext, input: StartQueryCommandInput): Out<StartQueryCommandOutput> {
  const names = input.logGroupNames ?? (input.logGroupName ? [input.logGroupName] : input.logGroupIdentifiers ?? []);
  const groups = names.map((n) => groupOrFail(ctx, n));
  const from = (input.startTime ?? 0) * 1000;
  const to = (input.endTime ?? Math.floor(ctx.now / 1000)) * 1000;
  let lines = groups.flatMap((g) => linesIn(ctx.world, g, from, to, ctx.now));
  let limit = input.limit ?? 1000;
  let desc = true;
  let count = false;
  for (const raw of (input.queryString ?? '').split('|').map((s) => s.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if (/^fields\s/.test(raw)) continue;
    if ((m = /^filter\s+@message\s+(not\s+)?like\s+\/(.*)\/(i?)$/.exec(raw))) {
      const re = new RegExp(m[2] ?? '', m[3] ?? '');
      const negate = !!m[1];
      lines = lines.filter((l) => re.test(l.message) !== negate);
    } else if ((m = /^sort\s+@timestamp\s+(desc|asc)$/.exec(raw))) desc = m[1] === 'desc';
    else if ((m = /^limit\s+(\d+)$/.exec(raw))) limit = Number(m[1]);
    else if (/^stats\s+count\(\*\)(\s+as\s+\w+)?$/.test(raw)) count = true;
    else throw awsError('MalformedQueryException', `Query command not simulated: '${raw}' (supported: fields, filter @message [not] like /re/, sort @timestamp, limit, stats count(*))`, { status: 400, sdk });
  }
  const scanned = lines.length;
  if (desc) lines.reverse();
  const results = count
    ? [[{ field: 'count(*)', value: String(lines.length) }]]
    : lines.slice(0, limit).map((l) => [
        { field: '@timestamp', value: new Date(l.at).toISOString().replace('T', ' ').replace('Z', '') },
        { field: '@message', value: l.message },
        { field: '@logStream', value: l.stream },
      ]);
  const queryId = `${ctx.world.ids.hex(8)}-${ctx.world.ids.hex(4)}-${ctx.world.ids.hex(4)}-${ctx.world.ids.hex(4)}-${ctx.world.ids.hex(12)}`;
  ctx.r.logs.queries.set(queryId, { status: 'Complete', results, scanned });
  return { queryId };
}

function getQueryResults(ctx: OpContext, input: GetQueryResultsCommandInput): Out<GetQueryResultsCommandOutput> {
  const q = input.queryId ? ctx.r.logs.queries.get(input.queryId) : undefined;
  if (!q) throw awsError('ResourceNotFoundException', `Query ${input.queryId} does not exist.`, { status: 400, sdk });
  return { status: q.status, results: q.results, statistics: { recordsMatched: q.results.length, recordsScanned: q.scanned, bytesScanned: q.scanned * 120 } };
}

function describeLogGroups(ctx: OpContext, input: DescribeLogGroupsCommandInput): Out<DescribeLogGroupsCommandOutput> {
  let groups = [...ctx.r.logs.groups.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (input.logGroupNamePrefix) groups = groups.filter((g) => g.name.startsWith(input.logGroupNamePrefix ?? ''));
  const page = paginate(groups, input.nextToken, input.limit, 5, 'logs:groups', 'InvalidParameterException');
  return {
    logGroups: page.items.map((g) => ({ logGroupName: g.name, creationTime: g.createdAt, arn: `arn:aws:logs:${ctx.region}:${ctx.world.account}:log-group:${g.name}:*`, storedBytes: g.lines.length * 120 })),
    nextToken: page.next,
  };
}

/** `regions.<r>.logs` of a WorldSpec. */
function validateLogsSpec(p: Problems, path: string, spec: Json): void {
  const l = obj(p, path, spec, ['groups']);
  map(p, `${path}.groups`, l?.groups, (at, _k, x) => {
    const g = obj(p, at, x, ['lines', 'generators']);
    if (!g) return;
    if (g.lines !== undefined && !Array.isArray(g.lines)) p.push(`${at}.lines: expected an array of { t, message, stream? }`);
    else
      (g.lines ?? []).forEach((ln, i) => {
        const lo = obj(p, `${at}.lines[${i}]`, ln, ['t', 'message', 'stream'], ['t', 'message']);
        if (lo) num(p, `${at}.lines[${i}].t`, lo.t);
      });
    if (g.generators !== undefined && !Array.isArray(g.generators)) p.push(`${at}.generators: expected an array`);
    else
      (g.generators ?? []).forEach((gen, i) => {
        const go = obj(p, `${at}.generators[${i}]`, gen, ['from', 'to', 'everySeconds', 'message', 'stream', 'when'], ['from', 'to', 'everySeconds', 'message']);
        if (!go) return;
        num(p, `${at}.generators[${i}].everySeconds`, go.everySeconds, { min: 1 });
        if (go.when !== undefined) condition(p, `${at}.generators[${i}].when`, go.when);
      });
  });
}

export const service: ServiceSim = {
  name: 'CloudWatchLogs',
  sdk,
  throttleError: 'ThrottlingException',
  ops: {
    FilterLogEvents: filterLogEvents,
    StartQuery: startQuery,
    GetQueryResults: getQueryResults,
    DescribeLogGroups: describeLogGroups,
  },
  iam: {
    // Log group ARNs in policies end in ":*" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/iam-access-control-overview-cwl.html).
    FilterLogEvents: (c) => [authReq('logs:FilterLogEvents', arnIn('logs', c.region, c.account, `log-group:${String(c.input.logGroupName ?? '')}:*`))],
    StartQuery: (c) =>
      ([] as unknown[]).concat(c.input.logGroupNames ?? c.input.logGroupName ?? []).map((g) => authReq('logs:StartQuery', arnIn('logs', c.region, c.account, `log-group:${String(g)}:*`))),
    GetQueryResults: (c) => [authReq('logs:GetQueryResults', arnIn('logs', c.region, c.account, 'log-group:*'))],
    DescribeLogGroups: (c) => [authReq('logs:DescribeLogGroups', arnIn('logs', c.region, c.account, 'log-group:*'))],
  },
  region: { key: 'logs', init: (world, _region, spec) => initLogs(world, spec), validate: validateLogsSpec },
  changes: {
    log: { required: ['region', 'group', 'message'], optional: ['stream'], apply: (world, c, at) => appendLog(world, c.region, c.group, c.stream ?? 'ecs/app/scenario', c.message, at) },
  },
};
