/**
 * The JSON fault finder agrees with JSON.parse on what is JSON, and with V8 on where the fault is
 * whenever V8's own message gives a position, over random and mutated texts.
 */
import fc from 'fast-check';
import { describeJsonFault, findJsonFault } from '../../src/webhook/json-error';
import { mutatedBody } from './arbitraries';

function v8(text: string): { valid: true } | { valid: false; position: number | undefined } {
  try {
    JSON.parse(text);
    return { valid: true };
  } catch (err) {
    const match = /at position (\d+)/.exec((err as Error).message);
    return { valid: false, position: match ? Number(match[1]) : undefined };
  }
}

/** JSON text, cut or with a few characters spliced in, so that faults fall everywhere. */
const texts = fc.oneof(
  mutatedBody,
  fc.jsonValue().map((v) => JSON.stringify(v, null, 1) ?? ''),
  fc
    .tuple(
      fc.jsonValue(),
      fc.nat(),
      fc.constantFrom('', '"', '\\', ',', ']', '}', ':', '-', '0', 'e', '\u0001', ' '),
    )
    .map(([v, at, insert]) => {
      const text = JSON.stringify(v) ?? '';
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i);
    }),
  fc.string({
    unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', '-', '.', 'e', 't', 'n', '\\', 'u', ' '),
  }),
);

describe('findJsonFault', () => {
  it('finds a fault exactly when JSON.parse fails, at the position V8 reports', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const expected = v8(text);
        const fault = findJsonFault(text);
        if (expected.valid) {
          expect(fault).toBeUndefined();
          return;
        }
        expect(fault).toBeDefined();
        expect(fault?.position).toBeGreaterThanOrEqual(0);
        expect(fault?.position).toBeLessThanOrEqual(text.length);
        if (expected.position !== undefined) expect(fault?.position).toBe(expected.position);
      }),
      { numRuns: 5_000, seed: 1313 },
    );
  });

  it('reads deep nesting without recursion', () => {
    const deep = '['.repeat(1_000_000);
    expect(findJsonFault(deep)).toEqual({ what: 'unexpected end of input', position: 1_000_000 });
    expect(findJsonFault(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
  });

  it.each([
    ['', 'unexpected end of input at position 0'],
    ['\ufeff{}', 'unexpected character at position 0'],
    ['{"a":01}', 'unexpected character at position 6'],
    ['{"a":1.}', 'unexpected character at position 7'],
    ['{"a":-}', 'unexpected character at position 6'],
    ['{"a":1e+}', 'unexpected character at position 8'],
    ['{"a":"\\u12G4"}', 'unexpected character at position 10'],
    ['[1,]', 'unexpected character at position 3'],
    ['{"a" 1}', 'unexpected character at position 5'],
    ['{,}', 'unexpected character at position 1'],
    ['tru', 'unexpected end of input at position 3'],
    ['nul!', 'unexpected character at position 3'],
  ])('describes %j by position only', (text, where) => {
    expect(describeJsonFault(text)).toBe(`request body is not valid JSON: ${where}`);
  });
});
