/**
 * Scenario times: seconds, or '90s' / '+90s' / '5m' / '+1m30s' / '2h', relative to T+0.
 */
import type { DurationSpec } from './scenario';

const DURATION = /^\+?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/;

/** Seconds, or undefined when `spec` is not a duration. */
export function parseDuration(spec: unknown): number | undefined {
  if (typeof spec === 'number') return Number.isFinite(spec) && spec >= 0 ? spec : undefined;
  if (typeof spec !== 'string') return undefined;
  const text = spec.trim();
  if (/^\+?\d+(?:\.\d+)?$/.test(text)) return Number(text.replace('+', ''));
  const m = DURATION.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** A time relative to T+0 that may lie before it (scenario history): '-2h', '-90s', -3600, or any duration. */
export function parseSignedDuration(spec: unknown): number | undefined {
  if (typeof spec === 'number') return Number.isFinite(spec) ? spec : undefined;
  if (typeof spec === 'string' && spec.trim().startsWith('-')) {
    const s = parseDuration(spec.trim().slice(1));
    return s === undefined ? undefined : -s;
  }
  return parseDuration(spec);
}

/** For specs already validated. */
export function durationSeconds(spec: DurationSpec): number {
  const s = parseDuration(spec);
  if (s === undefined) throw new Error(`not a duration: ${JSON.stringify(spec)}`);
  return s;
}

/** T+mm:ss (or T+h:mm:ss past an hour) of an offset in milliseconds. */
export function formatOffset(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `T+${h}:${mm}:${ss}` : `T+${mm}:${ss}`;
}

/** '4m00s', '1h02m', '35s': for late deliveries and time to mitigate. */
export function formatSeconds(seconds: number): string {
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
