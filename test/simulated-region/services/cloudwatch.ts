/**
 * CloudWatch: metrics from the scenario's series, alarms evaluated from them.
 *
 * A per-region ticker runs at every minute boundary of simulated time. At tick T it
 * records the value of the minute [T-60s, T) for every metric (overrides are evaluated on
 * the live world then, so metrics react to what the autopilot did), and evaluates every
 * metric alarm whose period ends at T. The last complete minute is therefore the newest
 * datapoint, as in CloudWatch. Minutes before the world's start come from the series.
 */
import * as sdk from '@aws-sdk/client-cloudwatch';
import type {
  DescribeAlarmHistoryCommandInput,
  DescribeAlarmHistoryCommandOutput,
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  Datapoint,
  Dimension,
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  GetMetricStatisticsCommandInput,
  GetMetricStatisticsCommandOutput,
  ListMetricsCommandInput,
  ListMetricsCommandOutput,
  MetricAlarm,
  MetricDataResult,
  SetAlarmStateCommandInput,
  SetAlarmStateCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { awsError } from '../errors';
import { paginate } from '../paging';
import { holds, seriesAt, spliceSeries } from '../signals';
import type { AlarmSpec, AlarmStateValue, CloudWatchSpec, MetricSpec, SeriesSpec } from '../spec';
import type { SimWorld } from '../world';
import { arnIn, authReq } from '../iam-arns';
import { obj, map, str, num, oneOf, stringMap, series, condition, regionName, type Json, type Problems } from '../spec-checks';
import type { OpContext, ServiceSim } from './index';
import { replicaLagAt } from './rds';
import { serviceRunningCount } from './ecs';

type Out<T> = Omit<T, '$metadata'>;

const MINUTE = 60_000;

export interface MetricState {
  label: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  unit?: string;
  series: SeriesSpec;
  overrides: MetricSpec['overrides'];
  gaps: { from: number; to: number }[];
  perTask?: MetricSpec['perTask'];
  /** minute start (ms) -> recorded value (undefined: no data that minute). */
  recorded: Map<number, number | undefined>;
  /** Values come from a function of the world instead of a series (ReplicaLag of an RDS replica). */
  derived?: (atMs: number) => number | undefined;
}

export interface AlarmState {
  name: string;
  arn: string;
  spec: AlarmSpec;
  mode: 'metric' | 'fixed';
  state: AlarmStateValue;
  reason: string;
  reasonData?: string;
  updatedAt: number;
  configuredAt: number;
  history: { at: number; summary: string; data: string }[];
}

export interface CloudWatchState {
  metrics: MetricState[];
  alarms: Map<string, AlarmState>;
  /** Custom metric data published with PutMetricData (the preflight's RunbookReady), in call order. */
  published: { at: number; namespace: string; metricName: string; dimensions: Record<string, string>; value: number }[];
}

declare module '../state' {
  interface RegionState {
    cloudwatch: CloudWatchState;
  }
}

const PAGE_ALARMS = 3;
const PAGE_HISTORY = 5;

function dimsKey(d: Record<string, string>): string {
  return Object.keys(d).sort().map((k) => `${k}=${d[k]}`).join(',');
}

function dimsOf(list: Dimension[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
}

function dimsOut(d: Record<string, string>): Dimension[] {
  return Object.entries(d).map(([Name, Value]) => ({ Name, Value }));
}

function initCloudWatch(world: SimWorld, region: string, spec: CloudWatchSpec | undefined): CloudWatchState {
  const state: CloudWatchState = { metrics: [], alarms: new Map(), published: [] };
  for (const [label, m] of Object.entries(spec?.metrics ?? {})) {
    state.metrics.push({ label, namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions ?? {}, unit: m.unit, series: m.series, overrides: m.overrides ?? [], gaps: m.gaps ?? [], perTask: m.perTask, recorded: new Map() });
  }
  for (const [name, a] of Object.entries(spec?.alarms ?? {})) {
    const mode = a.mode ?? (a.metricName && a.threshold !== undefined ? 'metric' : 'fixed');
    const initial = a.state ?? 'OK';
    const alarm: AlarmState = {
      name,
      arn: `arn:aws:cloudwatch:${region}:${world.account}:alarm:${name}`,
      spec: a,
      mode,
      state: initial,
      reason: a.stateReason ?? (initial === 'OK' ? 'Threshold Crossed: no datapoints were breaching the threshold' : `Alarm state set to ${initial} by the scenario`),
      updatedAt: world.startMs - 6 * 3600_000,
      configuredAt: world.startMs - 30 * 86400_000,
      history: [],
    };
    state.alarms.set(name, alarm);
    for (const step of a.timeline ?? []) {
      world.at(world.toMs(step.t), `alarm ${name} -> ${step.state}`, (at) => setAlarm(world, region, alarm, step.state, step.reason ?? `Scenario timeline set the alarm to ${step.state}`, at));
    }
  }
  // First tick at the first minute boundary at or after the start; each tick schedules the next.
  const first = Math.ceil(world.startMs / MINUTE) * MINUTE;
  const tick = (at: number): void => {
    onTick(world, region, at);
    world.at(at + MINUTE, `cloudwatch ${region} minute`, tick);
  };
  world.at(first, `cloudwatch ${region} minute`, tick);
  return state;
}

/** The metric's value for the minute starting at `minute`, from its series and the live world. */
function liveValue(world: SimWorld, m: MetricState, minute: number, evaluatedAt: number): number | undefined {
  const t = world.offsetSeconds(minute);
  if (m.gaps.some((g) => t >= g.from && t < g.to)) return undefined;
  if (m.derived) return m.derived(minute);
  let v: number | undefined;
  const override = (m.overrides ?? []).find((o) => holds(world, o.when, evaluatedAt));
  v = seriesAt(override ? override.series : m.series, t);
  if (v !== undefined && m.perTask) {
    const p = m.perTask;
    const running = serviceRunningCount(world, p.region, p.cluster, p.service);
    const max = p.max ?? 100;
    // No running task publishes no datapoint (the service's CPU metric simply stops).
    v = running === 0 ? undefined : Math.min(max, (v * p.baselineTasks) / running);
  }
  return v;
}

function historicalValue(world: SimWorld, m: MetricState, minute: number): number | undefined {
  if (minute >= world.startMs) return m.recorded.get(minute);
  const t = world.offsetSeconds(minute);
  if (m.gaps.some((g) => t >= g.from && t < g.to)) return undefined;
  if (m.derived) return m.derived(minute);
  return seriesAt(m.series, t);
}

/** ReplicaLag of RDS replicas is served unless the spec gives the metric explicitly. */
function ensureDerivedMetrics(world: SimWorld, region: string, cw: CloudWatchState): void {
  for (const inst of world.region(region).rds.instances.values()) {
    if (!inst.replicaOf) continue;
    const exists = cw.metrics.some((m) => m.namespace === 'AWS/RDS' && m.metricName === 'ReplicaLag' && m.dimensions.DBInstanceIdentifier === inst.id);
    if (exists) continue;
    const id = inst.id;
    cw.metrics.push({
      label: `auto:replica-lag:${id}`,
      namespace: 'AWS/RDS',
      metricName: 'ReplicaLag',
      dimensions: { DBInstanceIdentifier: id },
      unit: 'Seconds',
      series: 0,
      overrides: [],
      gaps: [],
      recorded: new Map(),
      derived: (at) => replicaLagAt(world, region, id, at),
    });
  }
}

function onTick(world: SimWorld, region: string, at: number): void {
  const cw = world.region(region).cloudwatch;
  ensureDerivedMetrics(world, region, cw);
  const minute = at - MINUTE;
  for (const m of cw.metrics) {
    if (!m.recorded.has(minute) && minute >= world.startMs) m.recorded.set(minute, liveValue(world, m, minute, at));
  }
  for (const alarm of cw.alarms.values()) {
    if (alarm.mode !== 'metric') continue;
    const period = (alarm.spec.period ?? 60) * 1000;
    if (at % period !== 0) continue;
    evaluate(world, region, alarm, at);
  }
}

function findMetric(cw: CloudWatchState, namespace: string | undefined, name: string | undefined, dims: Record<string, string>): MetricState | undefined {
  const key = dimsKey(dims);
  return cw.metrics.find((m) => m.namespace === namespace && m.metricName === name && dimsKey(m.dimensions) === key);
}

interface Aggregate {
  SampleCount: number;
  Sum: number;
  Average: number;
  Minimum: number;
  Maximum: number;
}

/** Aggregate the minutes of [from, from+period). Undefined when no minute has data. */
function aggregate(world: SimWorld, m: MetricState, from: number, periodMs: number, now: number): Aggregate | undefined {
  const values: number[] = [];
  for (let minute = from; minute < from + periodMs; minute += MINUTE) {
    if (minute + MINUTE > now) break;
    const v = historicalValue(world, m, minute);
    if (v !== undefined) values.push(v);
  }
  if (!values.length) return undefined;
  const sum = values.reduce((a, b) => a + b, 0);
  return { SampleCount: values.length, Sum: sum, Average: sum / values.length, Minimum: Math.min(...values), Maximum: Math.max(...values) };
}

function statOf(a: Aggregate, stat: string): number {
  switch (stat) {
    case 'Sum':
      return a.Sum;
    case 'Average':
      return a.Average;
    case 'Minimum':
      return a.Minimum;
    case 'Maximum':
      return a.Maximum;
    case 'SampleCount':
      return a.SampleCount;
    default:
      // Percentiles (p99...): per-minute values carry no distribution; the maximum is the honest bound.
      if (/^p\d+(\.\d+)?$/.test(stat)) return a.Maximum;
      throw awsError('InvalidParameterValue', `The statistic ${stat} is not supported by the simulated CloudWatch`, { status: 400 });
  }
}

// ------------------------------------------------------------ alarms

function eventTime(at: number): string {
  return new Date(at).toISOString().replace('Z', '+0000');
}

function setAlarm(world: SimWorld, region: string, alarm: AlarmState, next: AlarmStateValue, reason: string, at: number, reasonData?: string): void {
  if (alarm.state === next) {
    alarm.reason = reason;
    return;
  }
  const previous = { value: alarm.state, reason: alarm.reason, reasonData: alarm.reasonData, timestamp: eventTime(alarm.updatedAt) };
  alarm.history.unshift({
    at,
    summary: `Alarm updated from ${alarm.state} to ${next}`,
    data: JSON.stringify({ version: '1.0', oldState: { stateValue: alarm.state, stateReason: alarm.reason }, newState: { stateValue: next, stateReason: reason } }),
  });
  alarm.state = next;
  alarm.reason = reason;
  alarm.reasonData = reasonData;
  alarm.updatedAt = at;
  const s = alarm.spec;
  world.emitAwsEvent(at, region, 'aws.cloudwatch', 'CloudWatch Alarm State Change', [alarm.arn], {
    alarmName: alarm.name,
    state: { value: next, reason, ...(reasonData ? { reasonData } : {}), timestamp: eventTime(at) },
    previousState: previous,
    configuration: {
      ...(s.description ? { description: s.description } : {}),
      metrics: s.metricName
        ? [{ id: 'm1', metricStat: { metric: { namespace: s.namespace, name: s.metricName, dimensions: s.dimensions ?? {} }, period: s.period ?? 60, stat: s.statistic ?? 'Average' }, returnData: true }]
        : [],
    },
  });
}

function compare(op: AlarmSpec['comparison'], v: number, threshold: number): boolean {
  switch (op ?? 'GreaterThanThreshold') {
    case 'GreaterThanThreshold':
      return v > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return v >= threshold;
    case 'LessThanThreshold':
      return v < threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= threshold;
  }
}

const OP_TEXT: Record<string, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

function evaluate(world: SimWorld, region: string, alarm: AlarmState, at: number): void {
  const s = alarm.spec;
  const cw = world.region(region).cloudwatch;
  const m = findMetric(cw, s.namespace, s.metricName, s.dimensions ?? {});
  const period = (s.period ?? 60) * 1000;
  const n = s.evaluationPeriods ?? 1;
  const needed = s.datapointsToAlarm ?? n;
  const threshold = s.threshold ?? 0;
  const stat = s.statistic ?? 'Average';
  const points: { t: number; v: number | undefined }[] = [];
  for (let i = 1; i <= n; i++) {
    const from = at - i * period;
    const agg = m ? aggregate(world, m, from, period, at) : undefined;
    points.push({ t: from, v: agg ? statOf(agg, stat) : undefined });
  }
  const missing = s.treatMissingData ?? 'missing';
  let breaching = 0;
  let present = 0;
  for (const p of points) {
    if (p.v === undefined) {
      if (missing === 'breaching') breaching++;
      continue;
    }
    present++;
    if (compare(s.comparison, p.v, threshold)) breaching++;
  }
  let next: AlarmStateValue;
  if (breaching >= needed) next = 'ALARM';
  else if (present === 0 && missing === 'missing') next = 'INSUFFICIENT_DATA';
  else if (present === 0 && missing === 'ignore') return;
  else next = 'OK';
  const shown = points.filter((p) => p.v !== undefined).map((p) => `${(p.v ?? 0).toFixed(1)} (${new Date(p.t).toISOString().slice(0, 16).replace('T', ' ')})`);
  const opText = OP_TEXT[s.comparison ?? 'GreaterThanThreshold'] ?? 'compared to';
  const reason =
    next === 'INSUFFICIENT_DATA'
      ? `Insufficient Data: ${n} datapoints were unknown.`
      : next === 'ALARM'
        ? `Threshold Crossed: ${breaching} out of the last ${n} datapoints [${shown.join(', ')}] were ${opText} the threshold (${threshold.toFixed(1)}) (minimum ${needed} datapoints for OK -> ALARM transition).`
        : `Threshold Crossed: ${n - breaching} out of the last ${n} datapoints [${shown.join(', ')}] were not ${opText} the threshold (${threshold.toFixed(1)}) (minimum 1 datapoint for ALARM -> OK transition).`;
  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: eventTime(at),
    startDate: eventTime(at - n * period),
    statistic: stat,
    period: period / 1000,
    recentDatapoints: points.filter((p) => p.v !== undefined).map((p) => p.v),
    threshold,
    evaluatedDatapoints: points.map((p) => ({ timestamp: eventTime(p.t), ...(p.v !== undefined ? { sampleCount: period / MINUTE, value: p.v } : {}) })),
  });
  if (next !== alarm.state) setAlarm(world, region, alarm, next, reason, at, reasonData);
}

function forceAlarmState(world: SimWorld, region: string, name: string, state: AlarmStateValue, reason: string, at: number): void {
  const alarm = world.region(region).cloudwatch.alarms.get(name);
  if (!alarm) throw new Error(`world change: no alarm '${name}' in ${region}`);
  setAlarm(world, region, alarm, state, reason, at);
}

/** From `at` on, the metric follows `series` (the past keeps what was recorded). */
function setMetricSeries(world: SimWorld, region: string, label: string, series: SeriesSpec, at: number): void {
  const m = world.region(region).cloudwatch.metrics.find((x) => x.label === label);
  if (!m) throw new Error(`world change: no metric '${label}' in ${region} (metrics are keyed by their label in the world spec)`);
  m.series = spliceSeries(m.series, world.offsetSeconds(at), series);
  m.overrides = [];
}

function describeAlarm(a: AlarmState): MetricAlarm {
  const s = a.spec;
  return {
    AlarmName: a.name,
    AlarmArn: a.arn,
    AlarmDescription: s.description,
    AlarmConfigurationUpdatedTimestamp: new Date(a.configuredAt),
    ActionsEnabled: s.actionsEnabled ?? true,
    OKActions: s.okActions ?? [],
    AlarmActions: s.alarmActions ?? [],
    InsufficientDataActions: [],
    StateValue: a.state,
    StateReason: a.reason,
    StateReasonData: a.reasonData,
    StateUpdatedTimestamp: new Date(a.updatedAt),
    MetricName: s.metricName,
    Namespace: s.namespace,
    Statistic: s.statistic,
    Dimensions: dimsOut(s.dimensions ?? {}),
    Period: s.period,
    EvaluationPeriods: s.evaluationPeriods,
    DatapointsToAlarm: s.datapointsToAlarm,
    Threshold: s.threshold,
    ComparisonOperator: s.comparison,
    TreatMissingData: s.treatMissingData,
    StateTransitionedTimestamp: new Date(a.updatedAt),
  };
}

// ------------------------------------------------------------ operations

function checkPeriod(period: number | undefined): number {
  if (!period || period < 60 || period % 60 !== 0) throw awsError('InvalidParameterValue', `The parameter Period must be a multiple of 60 (got ${period}).`, { status: 400, sdk });
  return period * 1000;
}

function timeRange(start: Date | undefined, end: Date | undefined): { from: number; to: number } {
  if (!start || !end) throw awsError('MissingParameter', 'StartTime and EndTime are required.', { status: 400, sdk });
  const from = new Date(start).getTime();
  const to = new Date(end).getTime();
  if (!(from < to)) throw awsError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.', { status: 400, sdk });
  return { from, to };
}

function getMetricStatistics(ctx: OpContext, input: GetMetricStatisticsCommandInput): Out<GetMetricStatisticsCommandOutput> {
  const periodMs = checkPeriod(input.Period);
  const { from, to } = timeRange(input.StartTime, input.EndTime);
  const stats = [...(input.Statistics ?? []), ...(input.ExtendedStatistics ?? [])];
  if (!stats.length) throw awsError('MissingParameter', 'Either Statistics or ExtendedStatistics is required.', { status: 400, sdk });
  const cw = ctx.r.cloudwatch;
  ensureDerivedMetrics(ctx.world, ctx.region, cw);
  const m = findMetric(cw, input.Namespace, input.MetricName, dimsOf(input.Dimensions));
  const datapoints: Datapoint[] = [];
  if (m) {
    const first = Math.floor(from / MINUTE) * MINUTE;
    for (let p = first; p < to; p += periodMs) {
      const agg = aggregate(ctx.world, m, p, Math.min(periodMs, to - p), ctx.now);
      if (!agg) continue;
      const dp: Datapoint = { Timestamp: new Date(p), Unit: (m.unit ?? 'None') as Datapoint['Unit'] };
      for (const s of input.Statistics ?? []) (dp as Record<string, unknown>)[s] = statOf(agg, s);
      if (input.ExtendedStatistics?.length) dp.ExtendedStatistics = Object.fromEntries(input.ExtendedStatistics.map((s) => [s, statOf(agg, s)]));
      datapoints.push(dp);
    }
  }
  // CloudWatch does not order datapoints; newest first here so callers that assume ascending order are caught.
  datapoints.reverse();
  return { Label: input.MetricName, Datapoints: datapoints };
}

function getMetricData(ctx: OpContext, input: GetMetricDataCommandInput): Out<GetMetricDataCommandOutput> {
  const { from, to } = timeRange(input.StartTime, input.EndTime);
  const queries = input.MetricDataQueries ?? [];
  if (!queries.length) throw awsError('MissingParameter', 'MetricDataQueries is required.', { status: 400, sdk });
  const cw = ctx.r.cloudwatch;
  ensureDerivedMetrics(ctx.world, ctx.region, cw);
  const results: MetricDataResult[] = [];
  for (const q of queries) {
    if (q.Expression) throw awsError('InvalidParameterValue', `Metric math expressions are not simulated (query ${q.Id}: ${q.Expression}). Use MetricStat queries.`, { status: 400, sdk });
    const ms = q.MetricStat;
    if (!q.Id || !ms?.Metric || !ms.Stat) throw awsError('InvalidParameterValue', `Query ${q.Id ?? '?'} needs Id and MetricStat with Metric and Stat.`, { status: 400, sdk });
    const periodMs = checkPeriod(ms.Period);
    const m = findMetric(cw, ms.Metric.Namespace, ms.Metric.MetricName, dimsOf(ms.Metric.Dimensions));
    const timestamps: Date[] = [];
    const values: number[] = [];
    if (m) {
      const first = Math.floor(from / periodMs) * periodMs;
      for (let p = first; p < to; p += periodMs) {
        const agg = aggregate(ctx.world, m, p, periodMs, ctx.now);
        if (!agg) continue;
        timestamps.push(new Date(p));
        values.push(statOf(agg, ms.Stat));
      }
    }
    if ((input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending') {
      timestamps.reverse();
      values.reverse();
    }
    if (q.ReturnData === false) continue;
    results.push({ Id: q.Id, Label: q.Label ?? ms.Metric.MetricName, Timestamps: timestamps, Values: values, StatusCode: 'Complete', Messages: [] });
  }
  return { MetricDataResults: results, Messages: [] };
}

function listMetrics(ctx: OpContext, input: ListMetricsCommandInput): Out<ListMetricsCommandOutput> {
  const cw = ctx.r.cloudwatch;
  ensureDerivedMetrics(ctx.world, ctx.region, cw);
  let list = cw.metrics;
  if (input.Namespace) list = list.filter((m) => m.namespace === input.Namespace);
  if (input.MetricName) list = list.filter((m) => m.metricName === input.MetricName);
  for (const d of input.Dimensions ?? []) list = list.filter((m) => d.Name !== undefined && d.Name in m.dimensions && (d.Value === undefined || m.dimensions[d.Name] === d.Value));
  const page = paginate(list, input.NextToken, undefined, 5, 'cw:metrics');
  return { Metrics: page.items.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: dimsOut(m.dimensions) })), NextToken: page.next };
}

function describeAlarms(ctx: OpContext, input: DescribeAlarmsCommandInput): Out<DescribeAlarmsCommandOutput> {
  if (input.MaxRecords !== undefined && (input.MaxRecords < 1 || input.MaxRecords > 100)) throw awsError('InvalidParameterValue', 'MaxRecords must be between 1 and 100.', { status: 400, sdk });
  if (input.AlarmNames?.length && input.AlarmNamePrefix) throw awsError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together.', { status: 400, sdk });
  let list = [...ctx.r.cloudwatch.alarms.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (input.AlarmNames?.length) list = list.filter((a) => input.AlarmNames?.includes(a.name));
  if (input.AlarmNamePrefix) list = list.filter((a) => a.name.startsWith(input.AlarmNamePrefix ?? ''));
  if (input.StateValue) list = list.filter((a) => a.state === input.StateValue);
  if (input.ActionPrefix) list = list.filter((a) => [...(a.spec.alarmActions ?? []), ...(a.spec.okActions ?? [])].some((x) => x.startsWith(input.ActionPrefix ?? '')));
  const wantsMetric = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
  const page = paginate(wantsMetric ? list : [], input.NextToken, input.MaxRecords, PAGE_ALARMS, 'cw:alarms', 'InvalidNextToken');
  return { MetricAlarms: page.items.map(describeAlarm), CompositeAlarms: [], NextToken: page.next };
}

function describeAlarmHistory(ctx: OpContext, input: DescribeAlarmHistoryCommandInput): Out<DescribeAlarmHistoryCommandOutput> {
  const items: { name: string; at: number; summary: string; data: string }[] = [];
  for (const a of ctx.r.cloudwatch.alarms.values()) {
    if (input.AlarmName && a.name !== input.AlarmName) continue;
    for (const h of a.history) items.push({ name: a.name, ...h });
  }
  if (input.HistoryItemType && input.HistoryItemType !== 'StateUpdate') items.length = 0;
  let list = items.filter((i) => (!input.StartDate || i.at >= new Date(input.StartDate).getTime()) && (!input.EndDate || i.at <= new Date(input.EndDate).getTime()));
  list.sort((a, b) => b.at - a.at);
  if (input.ScanBy === 'TimestampAscending') list = list.reverse();
  const page = paginate(list, input.NextToken, input.MaxRecords, PAGE_HISTORY, 'cw:history', 'InvalidNextToken');
  return {
    AlarmHistoryItems: page.items.map((i) => ({ AlarmName: i.name, AlarmType: 'MetricAlarm', Timestamp: new Date(i.at), HistoryItemType: 'StateUpdate', HistorySummary: i.summary, HistoryData: i.data })),
    NextToken: page.next,
  };
}

function setAlarmStateOp(ctx: OpContext, input: SetAlarmStateCommandInput): Out<SetAlarmStateCommandOutput> {
  const alarm = input.AlarmName ? ctx.r.cloudwatch.alarms.get(input.AlarmName) : undefined;
  if (!alarm) throw awsError('ResourceNotFound', `Alarm ${input.AlarmName} does not exist.`, { status: 404, sdk });
  if (!input.StateValue || !input.StateReason) throw awsError('MissingParameter', 'StateValue and StateReason are required.', { status: 400, sdk });
  setAlarm(ctx.world, ctx.region, alarm, input.StateValue, input.StateReason, ctx.now, input.StateReasonData);
  return {};
}

/**
 * PutMetricData, as far as the autopilot uses it: AWS reserves namespaces beginning with "AWS/"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html),
 * at most 1000 data per call, and a value must be a finite number.
 */
function putMetricData(ctx: OpContext, input: { Namespace?: string; MetricData?: { MetricName?: string; Dimensions?: Dimension[]; Value?: number }[] }): Record<string, never> {
  if (!input.Namespace) throw awsError('MissingParameter', 'The parameter Namespace is required.', { status: 400, sdk });
  if (input.Namespace.startsWith('AWS/')) throw awsError('InvalidParameterValue', 'The value AWS/ for parameter Namespace is invalid.', { status: 400, sdk });
  const data = input.MetricData ?? [];
  if (data.length === 0 || data.length > 1000) throw awsError('InvalidParameterValue', 'MetricData must hold between 1 and 1000 items.', { status: 400, sdk });
  for (const d of data) {
    if (!d.MetricName) throw awsError('MissingParameter', 'The parameter MetricData.member.N.MetricName is required.', { status: 400, sdk });
    if (typeof d.Value !== 'number' || !Number.isFinite(d.Value)) throw awsError('InvalidParameterValue', `The value ${String(d.Value)} for parameter MetricData.member.N.Value is invalid.`, { status: 400, sdk });
  }
  for (const d of data) ctx.r.cloudwatch.published.push({ at: ctx.now, namespace: input.Namespace, metricName: d.MetricName!, dimensions: dimsOf(d.Dimensions), value: d.Value! });
  return {};
}

const ALARM_STATES: readonly AlarmStateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** `regions.<r>.cloudwatch` of a WorldSpec. */
function validateCloudWatchSpec(p: Problems, path: string, spec: Json): void {
  const cw = obj(p, path, spec, ['metrics', 'alarms']);
  map(p, `${path}.metrics`, cw?.metrics, (at, _k, x) => {
    const m = obj(p, at, x, ['namespace', 'metricName', 'dimensions', 'unit', 'series', 'overrides', 'gaps', 'perTask'], ['namespace', 'metricName', 'series']);
    if (!m) return;
    if (m.perTask !== undefined) {
      const pt = obj(p, `${at}.perTask`, m.perTask, ['region', 'cluster', 'service', 'baselineTasks', 'max'], ['region', 'cluster', 'service', 'baselineTasks']);
      if (pt) {
        regionName(p, `${at}.perTask.region`, pt.region);
        num(p, `${at}.perTask.baselineTasks`, pt.baselineTasks, { min: 1, integer: true });
        num(p, `${at}.perTask.max`, pt.max, { min: 0 });
      }
    }
    str(p, `${at}.namespace`, m.namespace, false);
    str(p, `${at}.metricName`, m.metricName, false);
    stringMap(p, `${at}.dimensions`, m.dimensions);
    series(p, `${at}.series`, m.series);
    if (m.overrides !== undefined) {
      if (!Array.isArray(m.overrides)) p.push(`${at}.overrides: expected an array of { when, series }`);
      else
        m.overrides.forEach((o, i) => {
          const oo = obj(p, `${at}.overrides[${i}]`, o, ['when', 'series'], ['when', 'series']);
          if (!oo) return;
          condition(p, `${at}.overrides[${i}].when`, oo.when);
          series(p, `${at}.overrides[${i}].series`, oo.series);
        });
    }
  });
  map(p, `${path}.alarms`, cw?.alarms, (at, _k, x) => {
    const a = obj(p, at, x, ['namespace', 'metricName', 'dimensions', 'statistic', 'period', 'evaluationPeriods', 'datapointsToAlarm', 'threshold', 'comparison', 'treatMissingData', 'mode', 'state', 'stateReason', 'timeline', 'actionsEnabled', 'alarmActions', 'okActions', 'description']);
    if (!a) return;
    oneOf(p, `${at}.statistic`, a.statistic, ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']);
    oneOf(p, `${at}.comparison`, a.comparison, ['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold']);
    oneOf(p, `${at}.treatMissingData`, a.treatMissingData, ['missing', 'breaching', 'notBreaching', 'ignore']);
    oneOf(p, `${at}.mode`, a.mode, ['metric', 'fixed']);
    oneOf(p, `${at}.state`, a.state, ALARM_STATES);
    num(p, `${at}.period`, a.period, { min: 60 });
    if (typeof a.period === 'number' && a.period % 60 !== 0) p.push(`${at}.period: must be a multiple of 60`);
    num(p, `${at}.evaluationPeriods`, a.evaluationPeriods, { min: 1, integer: true });
    num(p, `${at}.datapointsToAlarm`, a.datapointsToAlarm, { min: 1, integer: true });
    num(p, `${at}.threshold`, a.threshold);
    if (a.mode === 'metric' && (a.metricName === undefined || a.threshold === undefined)) p.push(`${at}: a 'metric' alarm needs metricName and threshold`);
    if (a.timeline !== undefined) {
      if (!Array.isArray(a.timeline)) p.push(`${at}.timeline: expected an array of { t, state, reason? }`);
      else
        a.timeline.forEach((s, i) => {
          const so = obj(p, `${at}.timeline[${i}]`, s, ['t', 'state', 'reason'], ['t', 'state']);
          if (!so) return;
          num(p, `${at}.timeline[${i}].t`, so.t);
          oneOf(p, `${at}.timeline[${i}].state`, so.state, ALARM_STATES, false);
        });
    }
  });
}

export const service: ServiceSim = {
  name: 'CloudWatch',
  sdk,
  throttleError: 'Throttling',
  ops: {
    PutMetricData: putMetricData,
    GetMetricStatistics: getMetricStatistics,
    GetMetricData: getMetricData,
    ListMetrics: listMetrics,
    DescribeAlarms: describeAlarms,
    DescribeAlarmHistory: describeAlarmHistory,
    SetAlarmState: setAlarmStateOp,
  },
  iam: {
    // No resource type for a plain metric: "*", with the namespace as cloudwatch:namespace
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
    PutMetricData: (c) => [authReq('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': String(c.input.Namespace ?? '') })],
    GetMetricStatistics: () => [authReq('cloudwatch:GetMetricStatistics', '*')],
    GetMetricData: () => [authReq('cloudwatch:GetMetricData', '*')],
    ListMetrics: () => [authReq('cloudwatch:ListMetrics', '*')],
    DescribeAlarms: (c) => [authReq('cloudwatch:DescribeAlarms', arnIn('cloudwatch', c.region, c.account, 'alarm:*'))],
    DescribeAlarmHistory: (c) => [authReq('cloudwatch:DescribeAlarmHistory', arnIn('cloudwatch', c.region, c.account, `alarm:${String(c.input.AlarmName ?? '*')}`))],
    SetAlarmState: (c) => [authReq('cloudwatch:SetAlarmState', arnIn('cloudwatch', c.region, c.account, `alarm:${String(c.input.AlarmName ?? '')}`))],
  },
  region: { key: 'cloudwatch', init: initCloudWatch, validate: validateCloudWatchSpec },
  changes: {
    'alarm-state': {
      required: ['region', 'name', 'state'],
      optional: ['reason'],
      validate: (p, path, c) => oneOf(p, `${path}.state`, c.state, ALARM_STATES, false),
      apply: (world, c, at) => forceAlarmState(world, c.region, c.name, c.state, c.reason ?? `Scenario set the alarm to ${c.state}`, at),
    },
    metric: {
      required: ['region', 'metric', 'series'],
      optional: [],
      validate: (p, path, c) => series(p, `${path}.series`, c.series),
      apply: (world, c, at) => setMetricSeries(world, c.region, c.metric, c.series, at),
    },
  },
};
