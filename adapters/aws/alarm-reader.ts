/**
 * CloudWatch alarms as every runbook reads them: DescribeAlarms (metric and composite
 * alarms), normalised, page by page. Callers choose how many pages they follow and keep
 * what earlier pages gave when a later one fails.
 */
import { DescribeAlarmsCommand, type CloudWatchClient, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import './sdk/cloudwatch';
import { epochMs } from './epoch-ms';

export interface AlarmState {
  name: string;
  kind: 'metric' | 'composite';
  /** OK, ALARM or INSUFFICIENT_DATA (absent from the answer: INSUFFICIENT_DATA). */
  state: string;
  reason?: string;
  /** StateUpdatedTimestamp: the last state update, a change or not. */
  updatedAt?: number;
  /** StateTransitionedTimestamp: the last change of state. */
  transitionedAt?: number;
  /** Metric alarms on one metric; a metric math alarm names none. */
  namespace?: string;
  metricName?: string;
  /** A metric alarm on a metric math expression (Metrics[]): it measures what its expression says. */
  metricMath: boolean;
}

/** Exact alarm names, or a name prefix. */
export type AlarmSelector = { names: string[] } | { prefix: string };

/** A configured alarm pattern: 'name*' selects by prefix, anything else the one name. */
export function alarmSelector(pattern: string): AlarmSelector {
  return pattern.endsWith('*') ? { prefix: pattern.slice(0, -1) } : { names: [pattern] };
}

/**
 * The alarms a selector matches, one DescribeAlarms page at a time, at most `maxPages` pages
 * (unbounded by default). Alarms without a name are left out: the API never returns one.
 */
export async function* alarmPages(cw: CloudWatchClient, selector: AlarmSelector, maxPages = Infinity): AsyncGenerator<AlarmState[]> {
  const filter = 'prefix' in selector ? { AlarmNamePrefix: selector.prefix } : { AlarmNames: selector.names };
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await cw.send(new DescribeAlarmsCommand({ ...filter, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], ...(nextToken ? { NextToken: nextToken } : {}) }));
    const alarms: AlarmState[] = [];
    for (const a of out.MetricAlarms ?? []) if (a.AlarmName) alarms.push(metricAlarmState(a, a.AlarmName));
    for (const a of out.CompositeAlarms ?? []) if (a.AlarmName) alarms.push({ ...stateOf(a, a.AlarmName), kind: 'composite', metricMath: false });
    yield alarms;
    nextToken = out.NextToken;
    if (!nextToken) return;
  }
}

/** Every alarm a selector matches, over at most `maxPages` pages. */
export async function readAlarms(cw: CloudWatchClient, selector: AlarmSelector, maxPages?: number): Promise<AlarmState[]> {
  const all: AlarmState[] = [];
  for await (const page of alarmPages(cw, selector, maxPages)) all.push(...page);
  return all;
}

function metricAlarmState(a: MetricAlarm, name: string): AlarmState {
  return { ...stateOf(a, name), kind: 'metric', namespace: a.Namespace, metricName: a.MetricName, metricMath: !!a.Metrics?.length };
}

function stateOf(a: MetricAlarm | CompositeAlarm, name: string): Pick<AlarmState, 'name' | 'state' | 'reason' | 'updatedAt' | 'transitionedAt'> {
  return {
    name,
    state: a.StateValue ?? 'INSUFFICIENT_DATA',
    reason: a.StateReason,
    updatedAt: epochMs(a.StateUpdatedTimestamp),
    transitionedAt: epochMs(a.StateTransitionedTimestamp),
  };
}
