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

describe('checkContainer on a script of thousands of commands', () => {
  it('judges the first MAX_COMMANDS, merges identical verdicts, and says that it stopped at a limit', () => {
    // 6,000 commands in 126,000 characters: within the kernel's 128 KiB for one argument.
    const findings = checkContainer(
      // (Separated by `;`: a list ending in `&&` is a syntax error, and dash would run none of it.)
      { command: ['sh', '-c', 'gunicorn -w 2 app; '.repeat(6000)] },
      { path: 'spec.containers[0]' },
    );
    expect(findings.map((f) => [f.rule, f.severity, f.workers])).toEqual([
      ['gunicorn', 'error', 2],
      ['limit', 'warning', null],
    ]);
    expect(findings[1].message).toBe(
      `oneproc stopped reading this container at a limit: the container runs more than 1,000 commands, oneproc's limit per container; the first ${MAX_COMMANDS.toLocaleString('en-US')} were judged. It cannot tell how many worker processes the container starts. To exempt it, annotate the workload with oneproc.dev/allow-multiple-workers: "<reason>".`,
    );
    expect(findings[1].path).toBe('spec.containers[0].command[2]');
  });
});

describe('checkContainer when a rule throws', () => {
  const throwing = (where: 'recognise' | 'decide') => ({
    id: 'broken',
    title: 'Broken',
    category: 'web' as const,
    recognise: () => {
      if (where === 'recognise') throw new Error('recognise failed');
      return true;
    },
    decide: (): never => {
      throw new RangeError('Invalid string length');
    },
    fix: () => '',
  });

  it.each(['recognise', 'decide'] as const)(
    'reports the command as not judged (internal), not as a warning of the rule, when %s throws',
    (where) => {
      const findings = checkContainer(
        { command: ['uvicorn', 'main:app', '--workers', '4'] },
        { path: 'spec.containers[0]', rules: [throwing(where)] },
      );
      expect(findings.map((f) => [f.rule, f.severity, f.workers, f.path])).toEqual([
        ['internal', 'warning', null, 'spec.containers[0].command[0]'],
      ]);
      expect(findings[0].message).toBe(
        `oneproc failed to judge this command with its broken rule (${where === 'decide' ? 'RangeError: Invalid string length' : 'Error: recognise failed'}); please report this input.`,
      );
    },
  );
});
