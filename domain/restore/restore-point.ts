/**
 * Every restore page starts with the age of the restore point: the first thing a person
 * approving a restore must weigh is how much data going back to it loses. Pure.
 */
import type { Page } from '../paging';

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h.toString().padStart(2, '0')}h`;
  if (h > 0) return `${h}h${m.toString().padStart(2, '0')}m`;
  return `${m}m${(s % 60).toString().padStart(2, '0')}s`;
}

/** 'restore point 2026-01-15T02:30:00.000Z, 30m00s old' (or why the age is unknown). */
export function restorePointLine(pointAt: number | undefined, now: number): string {
  if (pointAt === undefined || !Number.isFinite(pointAt)) return 'restore point age UNKNOWN (the source reports no creation time)';
  if (pointAt > now) return `restore point ${new Date(pointAt).toISOString()} is IN THE FUTURE`;
  return `restore point ${new Date(pointAt).toISOString()}, ${formatAge(now - pointAt)} old`;
}

/** The page with the restore point's age as its first line (title) and first diagnosis line. */
export function withRestorePointAge<P extends Omit<Page, 'at'>>(page: P, pointAt: number | undefined, now: number): P {
  const line = restorePointLine(pointAt, now);
  return { ...page, title: `[${line}] ${page.title}`, diagnosis: [line, ...page.diagnosis] };
}
