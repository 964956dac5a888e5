/** Series values and world conditions: how metrics, lag and alarms follow the world. */
import type { SeriesSpec, WorldCondition } from './spec';
import type { SimWorld } from './world';
import { dbInstanceStatus } from './services/rds';
import { serviceRunningCount, serviceServes } from './services/ecs';
import { recordPointsTo } from './services/route53';

/** Value of a series at `tSeconds` from start (undefined before the first point). */
export function seriesAt(series: SeriesSpec, tSeconds: number): number | undefined {
  if (typeof series === 'number') return series;
  const points = [...series.points].sort((a, b) => a.t - b.t);
  const first = points[0];
  if (!first) return undefined;
  if (tSeconds < first.t) return series.interpolate === 'linear' ? first.v : undefined;
  let prev = first;
  for (const p of points) {
    if (p.t > tSeconds) {
      if (series.interpolate === 'linear' && p.t !== prev.t) return prev.v + ((p.v - prev.v) * (tSeconds - prev.t)) / (p.t - prev.t);
      return prev.v;
    }
    prev = p;
  }
  return prev.v;
}

/** Replace a series from `fromSeconds` on with `next` (the past keeps its values). */
export function spliceSeries(current: SeriesSpec, fromSeconds: number, next: SeriesSpec): SeriesSpec {
  const before = typeof current === 'number' ? [{ t: -1e9, v: current }] : current.points.filter((p) => p.t < fromSeconds);
  const after = typeof next === 'number' ? [{ t: fromSeconds, v: next }] : next.points.filter((p) => p.t >= fromSeconds);
  if (typeof next !== 'number' && !after.some((p) => p.t === fromSeconds)) {
    const v = seriesAt(next, fromSeconds);
    if (v !== undefined) after.unshift({ t: fromSeconds, v });
  }
  const interpolate = typeof current === 'number' ? 'step' : (current.interpolate ?? 'step');
  return { points: [...before, ...after], interpolate };
}

/** Conditions are evaluated on the live state, so they describe "now"; `after`/`before` use `atMs`. */
export function holds(world: SimWorld, c: WorldCondition, atMs: number): boolean {
  if ('all' in c) return c.all.every((x) => holds(world, x, atMs));
  if ('any' in c) return c.any.some((x) => holds(world, x, atMs));
  if ('not' in c) return !holds(world, c.not, atMs);
  if ('after' in c) return world.offsetSeconds(atMs) >= c.after;
  if ('before' in c) return world.offsetSeconds(atMs) < c.before;
  if ('serving' in c) return serviceServes(world, c.serving.region, c.serving.cluster, c.serving.service, c.serving.taskDefinition);
  if ('runningBelow' in c) return serviceRunningCount(world, c.runningBelow.region, c.runningBelow.cluster, c.runningBelow.service) < c.runningBelow.count;
  if ('dbStatus' in c) {
    const wanted = Array.isArray(c.dbStatus.status) ? c.dbStatus.status : [c.dbStatus.status];
    return wanted.includes(dbInstanceStatus(world, c.dbStatus.region, c.dbStatus.id) ?? 'missing');
  }
  if ('dnsPointsTo' in c) return recordPointsTo(world, c.dnsPointsTo.zoneId, c.dnsPointsTo.name, c.dnsPointsTo.setIdentifier, c.dnsPointsTo.contains);
  return false;
}
