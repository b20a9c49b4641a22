import { checkContainer, MAX_COMMANDS } from '../src/engine';

describe('checkContainer', () => {
  it.each([
    null,
    undefined,
    42,
    'uvicorn',
    [],
    {},
    { command: null },
    { command: [1, null, {}] },
    { env: 'x' },
  ])('never throws on %p', (input) => {
    expect(() => checkContainer(input)).not.toThrow();
  });

  it('reports nothing for a container without command or args', () => {
    expect(checkContainer({ name: 'app', image: 'python:3.12' })).toEqual([]);
  });
});

describe('checkContainer on a script of tens of thousands of commands', () => {
  it('judges the first MAX_COMMANDS, merges identical verdicts, and says that it stopped', () => {
    const findings = checkContainer(
      { command: ['sh', '-c', 'gunicorn -w 2 app && '.repeat(50_000)] },
      { path: 'spec.containers[0]' },
    );
    expect(findings.map((f) => [f.rule, f.severity, f.workers])).toEqual([
      ['gunicorn', 'error', 2],
      ['shell', 'warning', null],
    ]);
    expect(findings[1].message).toBe(
      `This container runs more than ${MAX_COMMANDS} commands; oneproc judged the first ${MAX_COMMANDS} and cannot tell how many worker processes the rest start.`,
    );
    expect(findings[1].path).toBe('spec.containers[0].command[2]');
  });
});
