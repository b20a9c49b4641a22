/** The escapes of src/cli/escape.ts, character by character; their use in every format is in escape.test.ts. */
import { parse } from 'yaml';
import { defuseLine, printable, safeJson, safeYaml } from '../../src/cli/escape';

/** Every character a terminal acts on or a reader cannot see the place of. */
const CONTROL = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('the escapes themselves', () => {
  it('name the common controls and give every other one as \\u', () => {
    expect(printable('a\nb\rc\td\u0000e\u001bf\u007fg\u0080h\u009bi\u00a0j')).toBe(
      'a\\nb\\rc\\td\\u0000e\\u001bf\\u007fg\\u0080h\\u009bi\u00a0j',
    );
    expect(
      printable('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029'),
    ).toBe(
      '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029',
    );
    expect(printable('plain text, ünïcødé, 日本語 and emoji 🚀')).toBe(
      'plain text, ünïcødé, 日本語 and emoji 🚀',
    );
  });

  it('defuse both forms of workflow command and nothing else', () => {
    expect(defuseLine('::error::x')).toBe('\\u003a:error::x');
    expect(defuseLine('  \u00a0::error::x')).toBe('  \u00a0\\u003a:error::x');
    expect(defuseLine('a ::error::x')).toBe('a ::error::x');
    expect(defuseLine('see ##[warning]x')).toBe('see ##\\u005bwarning]x');
    expect(defuseLine('deploy.yaml:3:5  error  gunicorn')).toBe('deploy.yaml:3:5  error  gunicorn');
  });

  it('keep JSON exact', () => {
    const value = { s: 'a\u0085b\u009b\u007f\u2028\u202e##[x]\n\u0001', n: [1, '::x::'] };
    const text = safeJson(JSON.stringify(value, null, 2));
    expect(JSON.parse(text)).toEqual(value);
    expect(text.replaceAll('\n', '')).not.toMatch(CONTROL);
    expect(text).not.toContain('##[');
  });
});

describe('safeYaml', () => {
  it('writes hostile strings double-quoted with escapes, and parses back to the same value', () => {
    const value = {
      plain: 'web',
      name: 'evil\u202eyaml',
      ansi: '\u001b[31mred',
      command: '::stop-commands::x',
      legacy: 'a ##[error] b',
      lines: 'one\n::warning::two',
    };
    const text = safeYaml(value);
    for (const line of text.split('\n')) expect(line).not.toMatch(CONTROL);
    expect(text).not.toContain('##[');
    expect(text.split('\n').some((l) => /^\s*::/.test(l))).toBe(false);
    expect(text).toContain('plain: web\n');
    expect(parse(text)).toEqual(value);
  });
});
