/**
 * The metric series behind an incident, read from the simulated region at the end of a run
 * for the HTML report: every alarm that was in ALARM during the run, with the per-minute
 * values CloudWatch recorded for its metric (and the alarm's threshold), or, for an alarm
 * with no metric data (a composite or health-check alarm), its state as a 0/1 step series.
 */
import type { SimWorld } from '../test/simulated-region/world';
import { seriesAt } from '../test/simulated-region/signals';

export interface TriggerSeries {
  region: string;
  alarm: string;
  /** "AWS/RDS DatabaseConnections (DBInstanceIdentifier=regami-db-primary)" or "alarm state (1 = ALARM)". */
  label: string;
  unit?: string;
  threshold?: number;
  comparison?: string;
  /** Simulated epoch ms of each minute's start, with its value. */
  points: { at: number; v: number }[];
}

const MINUTE = 60_000;
/** Minutes shown before T+0, so the chart shows the metric before it crossed. */
const LEAD_MINUTES = 10;
/** No more series than this per report (the first alarms to fire). */
const MAX_SERIES = 4;

function alarmedDuring(alarm: { state: string; history: { at: number; summary: string }[] }): number | undefined {
  const firstAlarm = alarm.history.filter((h) => h.summary.endsWith('to ALARM')).map((h) => h.at).sort((a, b) => a - b)[0];
  if (firstAlarm !== undefined) return firstAlarm;
  return alarm.state === 'ALARM' ? Number.NEGATIVE_INFINITY : undefined;
}

export function triggeringSeries(world: SimWorld, endMs: number): TriggerSeries[] {
  const found: { at: number; series: TriggerSeries }[] = [];
  const from = Math.floor(world.startMs / MINUTE) * MINUTE - LEAD_MINUTES * MINUTE;
  for (const [region, state] of world.regions) {
    for (const alarm of state.cloudwatch.alarms.values()) {
      const at = alarmedDuring(alarm);
      if (at === undefined) continue;
      const s = alarm.spec;
      const metric = s.metricName
        ? state.cloudwatch.metrics.find((m) => m.namespace === s.namespace && m.metricName === s.metricName && sameDims(m.dimensions, s.dimensions ?? {}))
        : undefined;
      if (metric) {
        const points: { at: number; v: number }[] = [];
        for (let minute = from; minute < endMs; minute += MINUTE) {
          const v = minute >= world.startMs ? metric.recorded.get(minute) : metric.derived ? metric.derived(minute) : seriesAt(metric.series, world.offsetSeconds(minute));
          if (v !== undefined) points.push({ at: minute, v });
        }
        const dims = Object.entries(metric.dimensions).map(([k, v]) => `${k}=${v}`).join(', ');
        found.push({
          at,
          series: { region, alarm: alarm.name, label: `${metric.namespace} ${metric.metricName}${dims ? ` (${dims})` : ''}`, unit: metric.unit, threshold: s.threshold, comparison: s.comparison, points },
        });
        continue;
      }
      // No metric data: the alarm's own state over time (history is newest first).
      const changes = [...alarm.history].sort((a, b) => a.at - b.at);
      const initial = changes[0] ? (/^Alarm updated from ALARM/.test(changes[0].summary) ? 1 : 0) : alarm.state === 'ALARM' ? 1 : 0;
      const points: { at: number; v: number }[] = [{ at: from, v: initial }];
      for (const c of changes) points.push({ at: c.at, v: c.summary.endsWith('to ALARM') ? 1 : 0 });
      points.push({ at: endMs, v: points.at(-1)?.v ?? initial });
      found.push({ at, series: { region, alarm: alarm.name, label: 'alarm state (1 = ALARM)', points } });
    }
  }
  return found
    .sort((a, b) => a.at - b.at || a.series.alarm.localeCompare(b.series.alarm))
    .slice(0, MAX_SERIES)
    .map((f) => f.series);
}

function sameDims(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
