/**
 * The engine accepts any JSON value and answers with well-formed findings: it never throws, never
 * falls back to its "could not check" answers, never changes its input, and answers the same input
 * the same way. Bounded runs here; `bench/fuzz/engine.ts` runs a million inputs on demand.
 */
import fc from 'fast-check';
import { anyJson, containerLike, engineInput } from '../bench/fuzz/arbitraries';
import { checkContainer } from '../src/engine';
import type { Finding, Origin } from '../src/types';

/** Runs per property; raise with ONEPROC_PROPERTY_RUNS for a longer local run. */
const RUNS = Number(process.env.ONEPROC_PROPERTY_RUNS) || 400;
const SEED = process.env.ONEPROC_PROPERTY_SEED ? Number(process.env.ONEPROC_PROPERTY_SEED) : undefined;
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

const PATH = 'spec.template.spec.containers[0]';
const ORIGIN: Origin = {
  file: 'deploy.yaml',
  document: 0,
  kind: 'Deployment',
  name: 'web',
  container: 'app',
};

/** The engine's catch-all answers: reaching them means some part threw. */
const FALLBACKS = [/failed to check this container/, /could not read this command line/];

/** Every field of a finding as `src/types.ts` and the README define it. */
function wellFormed(finding: Finding): string[] {
  const problems: string[] = [];
  if (typeof finding.rule !== 'string' || finding.rule === '') problems.push('rule');
  if (finding.category !== 'web' && finding.category !== 'queue') problems.push('category');
  if (finding.severity !== 'error' && finding.severity !== 'warning') problems.push('severity');
  if (typeof finding.message !== 'string' || finding.message.length < 20) problems.push('message');
  if (typeof finding.path !== 'string' || !finding.path.startsWith(PATH)) problems.push('path');
  const { workers } = finding;
  if (workers !== null && !(Number.isSafeInteger(workers) && workers > 1)) problems.push('workers');
  if (finding.severity === 'warning' && finding.category === 'web' && workers !== null) {
    problems.push('a web warning carries no count');
  }
  if (JSON.stringify(finding.origin) !== JSON.stringify(ORIGIN)) problems.push('origin');
  if (finding.exempted !== undefined) problems.push('exempted');
  if (FALLBACKS.some((re) => re.test(finding.message))) problems.push(`fallback: ${finding.message}`);
  return problems;
}

function check(input: unknown): Finding[] {
  return checkContainer(input, { path: PATH, origin: ORIGIN });
}

describe('checkContainer on arbitrary input', () => {
  it('answers any JSON value with an array of well-formed findings', () => {
    fc.assert(
      fc.property(anyJson, (input) => {
        const findings = check(input);
        expect(Array.isArray(findings)).toBe(true);
        expect(findings.flatMap(wellFormed)).toEqual([]);
      }),
      params,
    );
  });

  it('answers container-shaped input with well-formed findings, without a fallback', () => {
    fc.assert(
      fc.property(containerLike, (input) => {
        expect(check(input).flatMap(wellFormed)).toEqual([]);
      }),
      params,
    );
  });

  it('does not change its input and answers the same input the same way', () => {
    fc.assert(
      fc.property(engineInput, (input) => {
        const before = JSON.stringify(input);
        const first = check(input);
        expect(JSON.stringify(input)).toBe(before);
        expect(check(input)).toEqual(first);
      }),
      params,
    );
  });

  it('drops a category whose severity is off and keeps the others as configured', () => {
    fc.assert(
      fc.property(containerLike, (input) => {
        const findings = checkContainer(input, { path: PATH, origin: ORIGIN, severity: { queue: 'off' } });
        expect(findings.filter((f) => f.category === 'queue')).toEqual([]);
        const raised = checkContainer(input, { path: PATH, origin: ORIGIN, severity: { queue: 'error' } });
        expect(raised.filter((f) => f.category === 'web')).toEqual(
          check(input).filter((f) => f.category === 'web'),
        );
      }),
      params,
    );
  });

  it('never throws on values JSON cannot hold', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true }),
        (input) => {
          expect(() => checkContainer(input)).not.toThrow();
        },
      ),
      params,
    );
  });
});

describe('checkContainer on adversarial input', () => {
  const deep = (depth: number): unknown => {
    let value: unknown = 'uvicorn';
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };
  const huge = 'x'.repeat(1024 * 1024);
  const cases: [string, unknown][] = [
    ['a 1 MiB argument', { name: 'app', command: ['gunicorn', '-w', huge] }],
    [
      'a 1 MiB sh -c script of words',
      { name: 'app', command: ['sh', '-c', 'gunicorn -w 4 '.repeat(80_000)] },
    ],
    ['100,000 arguments', { name: 'app', command: ['uvicorn', ...Array(100_000).fill('--workers')] }],
    [
      'unbalanced quotes and parentheses',
      { name: 'app', command: ['sh', '-c', `'"$((${'('.repeat(50_000)}`] },
    ],
    ['a 1 MiB chain of $(VAR) references', { name: 'app', command: ['gunicorn', '$(A)'.repeat(200_000)] }],
    [
      'env referring to itself',
      { name: 'app', command: ['gunicorn', '-w', '$(A)'], env: [{ name: 'A', value: '$(A)$(A)' }] },
    ],
    ['nesting 10,000 levels deep', { name: 'app', command: deep(10_000), env: deep(10_000) }],
    [
      'a command that is a huge object',
      { name: 'app', command: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [i, 'uvicorn'])) },
    ],
  ];

  it.each(cases)('answers %s with well-formed findings', (_name, input) => {
    const findings = check(input);
    expect(findings.flatMap(wellFormed)).toEqual([]);
  });
});
