/**
 * A sample event moved to the drill's clock carries its dates along. CloudWatch writes the
 * time of an alarm state change in several places, in several formats: the state's
 * `timestamp`, the `reason` text ("[212.0 (26/11/26 14:03:00)]" for a metric alarm,
 * "at Thursday 26 November, 2026 14:57:45 UTC" for a composite one) and the `reasonData`
 * JSON (queryDate, startDate, the triggering alarms' timestamps). Moving only the timestamp
 * leaves a reason dated another day than the incident; every date in the state moves by the
 * same amount.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

interface DateFormat {
  pattern: RegExp;
  parse: (m: RegExpExecArray) => number;
  format: (ms: number, m: RegExpExecArray) => string;
}

const FORMATS: DateFormat[] = [
  // 2026-11-26T14:04:40.985+0000, 2026-11-26T14:04:40Z (reasonData, timestamps)
  {
    pattern: /\b(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?(Z|\+0000)/g,
    parse: (m) => Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? +m[7].slice(1) : 0),
    format: (ms, m) => {
      const iso = new Date(ms).toISOString();
      return `${iso.slice(0, 19)}${m[7] ? iso.slice(19, 23) : ''}${m[8]}`;
    },
  },
  // (26/11/26 14:03:00): a metric alarm's datapoint times, dd/MM/yy HH:mm:ss UTC
  {
    pattern: /\((\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\)/g,
    parse: (m) => Date.UTC(2000 + +m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!),
    format: (ms) => {
      const d = new Date(ms);
      return `(${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())})`;
    },
  },
  // Thursday 26 November, 2026 14:57:45 UTC: a composite alarm's reason
  {
    pattern: /\b(?:Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday) (\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December), (\d{4}) (\d{2}):(\d{2}):(\d{2}) UTC/g,
    parse: (m) => Date.UTC(+m[3]!, MONTHS.indexOf(m[2]!), +m[1]!, +m[4]!, +m[5]!, +m[6]!),
    format: (ms) => {
      const d = new Date(ms);
      return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
    },
  },
];

/** Every date `text` carries, in any of CloudWatch's formats, moved by `deltaMs` (format kept). */
export function shiftDates(text: string, deltaMs: number): string {
  if (deltaMs === 0) return text;
  let out = text;
  for (const f of FORMATS) {
    out = out.replace(f.pattern, (...args: unknown[]) => {
      const m = args.slice(0, -2) as unknown as RegExpExecArray;
      const ms = f.parse(m);
      return Number.isFinite(ms) ? f.format(ms + deltaMs, m) : String(args[0]);
    });
  }
  return out;
}

/** An alarm state ({ value, reason, reasonData, timestamp }) moved so that its timestamp is `toMs`; its texts follow. */
export function moveAlarmState(state: Record<string, unknown>, toMs: number, formatTimestamp: (ms: number) => string): void {
  const from = typeof state.timestamp === 'string' ? Date.parse(state.timestamp.replace(/\+0000$/, 'Z')) : Number.NaN;
  state.timestamp = formatTimestamp(toMs);
  if (!Number.isFinite(from)) return;
  const delta = toMs - from;
  if (typeof state.reason === 'string') state.reason = shiftDates(state.reason, delta);
  if (typeof state.reasonData === 'string') state.reasonData = shiftDates(state.reasonData, delta);
}
