import { defaultConfig } from '../domain/config';
import { badInputCorpus, runBadInputCorpus } from './bad-input';

const config = defaultConfig;
const now = Date.parse('2026-11-26T15:00:00Z');

describe('bad-input corpus', () => {
  const run = runBadInputCorpus(config, now);

  it.each(run.results.map((r) => [r.name, r] as const))('%s gets its expected outcome', (_name, result) => {
    expect(result.actual).toBe(result.expected);
  });

  it('covers every rejection code and the unrouted case', () => {
    const outcomes = new Set(badInputCorpus(config, now).map((b) => b.expected));
    expect([...outcomes].sort()).toEqual(
      [
        'bad-value', 'foreign-account', 'foreign-region', 'malformed-json', 'missing-field', 'not-an-object', 'oversized', 'too-old', 'unknown-event-type', 'unrouted', 'wrong-type',
        'future-time', 'unknown-field', 'bad-identity', 'too-long',
      ].sort(),
    );
  });

  it('names the field in every rejection that has one to blame', () => {
    for (const r of run.results) {
      if (['missing-field', 'wrong-type', 'bad-value', 'foreign-account', 'foreign-region', 'too-old', 'unknown-event-type', 'future-time', 'unknown-field', 'bad-identity', 'too-long'].includes(r.actual)) {
        expect(r.message).toMatch(/^[\w.[\]-]+: /);
      }
    }
  });

  it('accepts nothing: the figures add up to rejected + unrouted', () => {
    expect(run.accepted).toBe(0);
    expect(run.rejected + run.unrouted).toBe(run.tried);
    expect(run.tried).toBeGreaterThanOrEqual(30);
  });

  it('makes the replayed events too old by their age alone, measured from now', () => {
    const replay = runBadInputCorpus(config, now).results.filter((r) => r.expected === 'too-old');
    expect(replay.map((r) => r.message)).toEqual([expect.stringMatching(/^time: event is 960 s old/), expect.stringMatching(/^time: event is 86400 s old/)]);
  });
});
