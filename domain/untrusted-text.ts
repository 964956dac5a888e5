/**
 * Untrusted text is data. Alarm reasons, requester text, tags, resource names and anything
 * else a third party can write enter pages, Markdown drafts and log lines only through
 * quoteUntrusted: quoted, one line (newlines and control characters escaped, zero-width and
 * bidirectional marks made visible), length bounded, Markdown neutralised, secrets masked.
 * It can then be read by a human, but never be mistaken for our own words ("NEXT STEP:
 * approve now" stays inside quotes on the line it came in on) and never renders as a link,
 * a heading or a table.
 */
import { redactSecrets } from './redact';

/** Default bound: a page line stays readable. */
export const UNTRUSTED_TEXT_MAX = 300;

/** Characters Markdown (CommonMark, GFM, Slack mrkdwn) gives meaning to. */
const MARKDOWN = /[\\`*_{}[\]()#+\-!|<>~=]/g;
/** C0/C1 controls, DEL, zero-width and bidirectional marks, line/paragraph separators, BOM. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

function escapeInvisible(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * The text as a quoted, single-line, bounded, inert string: `"…"`.
 * Bounded before escaping (by code points, so a surrogate pair is never split) and the cut
 * says how much was dropped.
 */
export function quoteUntrusted(value: unknown, maxLength: number = UNTRUSTED_TEXT_MAX): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value) ?? String(value);
  const chars = Array.from(redactSecrets(text));
  const kept = chars.length > maxLength ? chars.slice(0, maxLength).join('') : chars.join('');
  const cut = chars.length > maxLength ? ` [+${chars.length - maxLength} chars]` : '';
  // Markdown first (it escapes backslashes), then the invisible characters' own escapes, then the quote.
  const inert = kept.replace(MARKDOWN, (c) => `\\${c}`).replace(INVISIBLE, escapeInvisible).replace(/"/g, '\\"');
  return `"${inert}"${cut}`;
}

/** True when the text holds a character quoteUntrusted would escape as invisible (identities reject these). */
export function hasInvisibleCharacters(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  const found = INVISIBLE.test(text);
  INVISIBLE.lastIndex = 0;
  return found;
}
