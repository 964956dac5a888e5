/**
 * SDK timestamps to epoch ms. Tolerant of a value that is not a Date (a timestamp some
 * transport left as a number, an ISO string or an empty object): unknown is undefined.
 */
export function epochMs(d: unknown): number | undefined {
  if (d instanceof Date) return Number.isNaN(d.getTime()) ? undefined : d.getTime();
  if (typeof d === 'number' && Number.isFinite(d)) return d;
  if (typeof d === 'string') {
    const t = Date.parse(d);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
