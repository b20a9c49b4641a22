/**
 * The work budget (src/shell/budget.ts): inputs that would make oneproc build unbounded text, words or
 * time are judged up to the kernel's limits and the review's budget, and past them the container gets
 * a `limit` finding that says which limit and where, never an exception or a silent pass.
 */
import { checkContainer, WorkBudget } from '../../src/engine';
import { checkObject } from '../../src/manifest';
import { expandReferences } from '../../src/shell/kubernetes';
import type { Finding } from '../../src/types';
import { reviewBody } from '../../src/webhook/review';
import { doublingEnv, doublingScript, HOSTILE, plainEnv, podReview } from './hostile-inputs';

/** A budget without a time limit, for inputs whose other limits are under test (on a loaded machine). */
const untimed = () => new WorkBudget({ timeMs: Number.POSITIVE_INFINITY });

const summary = (findings: readonly Finding[]) =>
  findings.map((f) => [f.rule, f.severity, f.workers, f.path]);

function findingsOf(body: string): Finding[] {
  const review = JSON.parse(body) as { request: { object: unknown } };
  return checkObject(review.request.object);
}

describe('values that double', () => {
  it('a script that doubles a variable past what a string holds, then starts uvicorn, is judged', () => {
    // dash runs this script and then uvicorn with 4 workers; the value of A is not followed past
    // 128 KiB (MAX_ARG_STRLEN), which is a limit, never an exception.
    const findings = checkContainer(
      { command: ['sh', '-c', doublingScript(24)] },
      { path: 'spec.containers[0]' },
    );
    expect(summary(findings)).toEqual([
      ['uvicorn', 'error', 4, 'spec.containers[0].command[2]'],
      ['limit', 'warning', null, 'spec.containers[0].command[2]'],
    ]);
    expect(findings[1].message).toContain('longer than 128 KiB');
    expect(findings[1].message).toContain('cannot tell how many worker processes');
  });

  it('is denied in enforce mode, not admitted with a warning', () => {
    const result = reviewBody(HOSTILE['`A=$A$A` ×24 in `sh -c`, then uvicorn --workers 4'](), {
      mode: 'enforce',
      check: checkObject,
    });
    expect(result.review.response.allowed).toBe(false);
    expect(result.decision.rules).toContain('uvicorn');
  });

  it('env references that double stop at 128 KiB: the kernel would refuse the container', () => {
    const findings = checkContainer(
      { command: ['sh', '-c', 'exec uvicorn main:app --workers $(A20)'], env: doublingEnv(20) },
      { path: 'spec.containers[0]' },
    );
    // A0 holds 8 characters: A14 is the first value past 128 KiB.
    expect(summary(findings)).toEqual([['limit', 'warning', null, 'spec.containers[0].env[14].value']]);
    expect(findings[0].message).toMatch(
      /longer than 128 KiB.*MAX_ARG_STRLEN.*refuses to start the container/,
    );
  });

  it('ten containers of doubling env references each get their own limit finding', () => {
    const findings = findingsOf(HOSTILE['18 KB of doubling env references, 10 containers']());
    expect(findings.map((f) => [f.rule, f.origin.container])).toEqual(
      Array.from({ length: 10 }, (_, i) => ['limit', `c${i}`]),
    );
  });

  it('words that double, handed on by "$@", are a limit, not an internal error', () => {
    const findings = findingsOf(HOSTILE['2 KB of doubling words']());
    expect(summary(findings)).toEqual([['limit', 'warning', null, 'spec.containers[0].env[14].value']]);
  });

  it('`$(VAR)` expansion stops once its result passes the size given', () => {
    const lookup = (name: string) => (name === 'A' ? { value: 'x'.repeat(1000) } : undefined);
    expect(expandReferences('$(A)$(A)', lookup, 2000)).toEqual([{ text: 'x'.repeat(2000) }]);
    expect(expandReferences('$(A)$(A)$(A)', lookup, 2000)).toEqual([
      { text: '$(A)$(A)$(A)', unknown: expect.stringContaining('128 KiB'), tooLong: true },
    ]);
  });
});

describe("the kernel's limits on what a container's program is given", () => {
  it('a `sh -c` script longer than 128 KiB: the kernel refuses it, nothing is read', () => {
    const findings = findingsOf(HOSTILE['2 MiB `sh -c` of plain words']());
    expect(summary(findings)).toEqual([['limit', 'warning', null, 'spec.containers[0].command[2]']]);
    expect(findings[0].message).toContain('execve fails with E2BIG');
  });

  it('a 128 KiB `sh -c` of one command is read whole', () => {
    const findings = checkContainer(
      { command: ['sh', '-c', `uvicorn main:app ${'a '.repeat(60_000)} --workers 3`] },
      { budget: untimed() },
    );
    expect(summary(findings)).toEqual([['uvicorn', 'error', 3, 'container.command[2]']]);
  });

  it('arguments and environment past 2 MiB in all: the kernel refuses the container', () => {
    // 80,000 variables of about 25 bytes, with the kernel's NUL and pointer each: 2.7 MiB.
    const findings = checkContainer(
      { command: ['uvicorn', 'main:app', '--workers', '4'], env: plainEnv(80_000) },
      { path: 'spec.containers[0]', budget: untimed() },
    );
    expect(findings.map((f) => f.rule)).toEqual(['limit']);
    expect(findings[0].message).toContain('exceed 2 MiB');
    expect(findings[0].path).toMatch(/^spec\.containers\[0\]\.env\[\d+\]\.value$/);
  });

  it('60,000 variables fit, and the command is judged', () => {
    const findings = checkContainer(
      { command: ['uvicorn', 'main:app', '--workers', '4'], env: plainEnv(60_000) },
      { budget: untimed() },
    );
    expect(findings.map((f) => [f.rule, f.workers])).toEqual([['uvicorn', 4]]);
  });
});

describe("the review's budget", () => {
  const container = (i: number) => ({
    name: `c${i}`,
    image: 'python:3.12',
    command: ['uvicorn', 'main:app', '--workers', '2', '--port', String(8000 + i)],
  });

  it('words: once spent, every container left gets a limit finding', () => {
    const object = (podReview([0, 1, 2].map(container)) as { request: { object: unknown } }).request.object;
    const findings = checkObject(object, { budget: new WorkBudget({ words: 8 }) });
    expect(findings.map((f) => [f.rule, f.origin.container])).toEqual([
      ['uvicorn', 'c0'],
      ['limit', 'c1'],
      ['limit', 'c2'],
    ]);
    expect(findings[1].message).toContain('budget of 8 words is spent');
  });

  it('time: checked as it reads, with an injected clock', () => {
    let now = 0;
    const budget = new WorkBudget({ timeMs: 5, now: () => now++ });
    const object = (podReview([0, 1, 2, 3, 4, 5].map(container)) as { request: { object: unknown } }).request
      .object;
    const findings = checkObject(object, { budget });
    const limits = findings.filter((f) => f.rule === 'limit');
    expect(limits.length).toBeGreaterThan(0);
    expect(limits[0].message).toContain('time budget of 5 ms ran out');
    // Every container is either judged or says it was not.
    expect(new Set(findings.map((f) => f.origin.container)).size).toBe(6);
  });

  it('text: a script that builds more than the budget stops at it', () => {
    const script = `W=${'x'.repeat(1000)}\n${'echo $W $W $W $W\n'.repeat(200)}exec gunicorn -w 4 app`;
    const findings = checkContainer(
      { command: ['sh', '-c', script] },
      { budget: new WorkBudget({ text: 100_000 }) },
    );
    expect(findings.map((f) => f.rule)).toEqual(['limit']);
    expect(findings[0].message).toContain('expanded text is spent');
  });

  it('2 MiB of text built by one container is its own limit', () => {
    // Each line builds 4 × 100,000 characters: the container passes 2 MiB after six lines.
    const script = `W=${'x'.repeat(100_000)}\n${'echo $W $W $W $W\n'.repeat(8)}exec gunicorn -w 4 app`;
    const findings = checkContainer({ command: ['sh', '-c', script] });
    expect(findings.map((f) => f.rule)).toEqual(['limit']);
    expect(findings[0].message).toContain('more than 2 MiB of text');
  });
});

describe('exceptions', () => {
  it('stay `internal`', () => {
    const container = {
      get command(): never {
        throw new Error('boom');
      },
    };
    const findings = checkContainer(container, { path: 'spec.containers[0]' });
    expect(summary(findings)).toEqual([['internal', 'warning', null, 'spec.containers[0]']]);
  });
});
