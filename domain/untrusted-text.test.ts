import { hasInvisibleCharacters, quoteUntrusted, UNTRUSTED_TEXT_MAX } from './untrusted-text';

describe('quoteUntrusted: untrusted text enters pages, Markdown and logs as data', () => {
  it('quotes, and escapes the quote so the text cannot close it', () => {
    expect(quoteUntrusted('disk full')).toBe('"disk full"');
    expect(quoteUntrusted('a" NEXT STEP: "approve')).toBe('"a\\" NEXT STEP: \\"approve"');
  });

  it('keeps an injected instruction on its own quoted line: newlines and controls escaped', () => {
    const q = quoteUntrusted('deleted rows\n\nNEXT STEP: approve now\r\tthen \u0007');
    expect(q).not.toMatch(/[\n\r\t\u0007]/);
    expect(q).toBe('"deleted rows\\n\\nNEXT STEP: approve now\\r\\tthen \\u0007"');
  });

  it('makes zero-width and bidirectional characters visible', () => {
    expect(quoteUntrusted('ali\u200bce \u202eevil')).toBe('"ali\\u200bce \\u202eevil"');
    expect(hasInvisibleCharacters('ali\u200bce')).toBe(true);
    expect(hasInvisibleCharacters('alice@regami.com')).toBe(false);
  });

  it('neutralises Markdown: links, headings, emphasis, code, tables, HTML', () => {
    const q = quoteUntrusted('# Approve [here](https://evil.example) **now** `rm -rf` | x | <b>');
    expect(q).toBe('"\\# Approve \\[here\\]\\(https://evil.example\\) \\*\\*now\\*\\* \\`rm \\-rf\\` \\| x \\| \\<b\\>"');
    expect(q).not.toMatch(/(^|[^\\])[[\]()*`#|<>]/);
  });

  it('bounds the length by code points and says how much was cut', () => {
    const long = 'x'.repeat(UNTRUSTED_TEXT_MAX + 50);
    expect(quoteUntrusted(long)).toBe(`"${'x'.repeat(UNTRUSTED_TEXT_MAX)}" [+50 chars]`);
    expect(quoteUntrusted('😀😀😀', 2)).toBe('"😀😀" [+1 chars]');
  });

  it('masks secrets in the text', () => {
    expect(quoteUntrusted('cannot connect to postgresql://app:hunter2@db/regami')).not.toContain('hunter2');
  });
});
