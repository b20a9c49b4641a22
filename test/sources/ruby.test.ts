/** The narrow reader of the worker-count line of Ruby configs (puma.rb, unicorn.conf.rb). */
import type { Env } from '../../src/shell/types';
import { MAX_RUBY_WRAPPERS, rubySetting } from '../../src/sources/config/ruby';

const env = (vars: Record<string, string | undefined>): Env =>
  new Map(
    Object.entries(vars).map(([name, value]) => [
      name,
      value === undefined
        ? { name, unknown: `${name} comes from a Secret`, path: 'env' }
        : { name, value, path: 'env' },
    ]),
  );

const read = (line: string, vars: Record<string, string | undefined> = {}) => {
  const found = rubySetting(`# config\n${line}\n`, 'unicorn.rb', env(vars), 'worker_processes', 'Unicorn');
  return (
    found && {
      text: found.word.text,
      unknown: found.word.unknown,
      path: found.word.path,
      integer: found.integer,
    }
  );
};

describe('rubySetting', () => {
  it.each([
    ['worker_processes 4', {}, '4', true],
    ['worker_processes(4)', {}, '4', true],
    ['worker_processes (4)', {}, '4', true],
    ['worker_processes 4 # four', {}, '4', true],
    ['  worker_processes Integer(ENV["WEB_CONCURRENCY"] || 3)', {}, '3', true],
    ['worker_processes Integer(ENV["WEB_CONCURRENCY"] || 3)', { WEB_CONCURRENCY: '5' }, '5', true],
    ["worker_processes (ENV['WEB_CONCURRENCY'] || 2).to_i", {}, '2', true],
    ['worker_processes ENV.fetch("WEB_CONCURRENCY", 2).to_i', { WEB_CONCURRENCY: '6' }, '6', true],
    ['worker_processes ENV.fetch("WEB_CONCURRENCY") { 2 }', {}, '2', true],
    ['worker_processes ENV.fetch("WEB_CONCURRENCY") { 2 }', { WEB_CONCURRENCY: '3' }, '3', false],
    ['worker_processes Integer(ENV.fetch("WEB_CONCURRENCY", "2"))', {}, '2', true],
    ['worker_processes ENV.fetch("WEB_CONCURRENCY", "2")', {}, '2', false],
    // Ruby literals and conversions as Ruby reads them (checked with Debian's ruby 3.1).
    ['worker_processes 010', {}, '8', true],
    ['worker_processes 1_0', {}, '10', true],
    ['worker_processes 0x4', {}, '4', true],
    ['worker_processes ENV.fetch("WEB_CONCURRENCY") { 0x4 }', {}, '4', true],
    ['worker_processes Integer(ENV["WEB_CONCURRENCY"] || 2)', { WEB_CONCURRENCY: '0x4' }, '4', true],
    ['worker_processes Integer(ENV["WEB_CONCURRENCY"] || 2)', { WEB_CONCURRENCY: ' 010 ' }, '8', true],
    ['worker_processes ENV.fetch("WEB_CONCURRENCY", 2).to_i', { WEB_CONCURRENCY: '3abc' }, '3', true],
    ['worker_processes ENV.fetch("WEB_CONCURRENCY", 2).to_i', { WEB_CONCURRENCY: 'abc' }, '0', true],
  ])('%s with %j → %s', (line, vars, text, integer) => {
    expect(read(line, vars)).toEqual({ text, unknown: undefined, path: 'unicorn.rb:2', integer });
  });

  it('says why Integer() refuses a value: the server does not boot', () => {
    const found = rubySetting(
      'worker_processes Integer(ENV["WEB_CONCURRENCY"] || 2)\n',
      'unicorn.rb',
      env({ WEB_CONCURRENCY: '4abc' }),
      'worker_processes',
      'Unicorn',
    );
    expect(found?.refused).toBe('it is not a base-10 integer, so Ruby\'s Integer() refuses "4abc"');
  });

  it('keeps a fallback it cannot evaluate unknown', () => {
    expect(read('worker_processes ENV.fetch("WEB_CONCURRENCY") { default_workers }')?.unknown).toBe(
      'Unicorn evaluates the Ruby expression `default_workers`',
    );
  });

  it('keeps what it cannot evaluate unknown, with the reason', () => {
    expect(read('worker_processes Etc.nprocessors * 2')).toEqual({
      text: 'Etc.nprocessors * 2',
      unknown: 'Unicorn evaluates the Ruby expression `Etc.nprocessors * 2`',
      path: 'unicorn.rb:2',
      integer: false,
    });
    expect(read('worker_processes (ENV["A"] || 1) + (ENV["B"] || 1)')?.unknown).toContain('evaluates');
    expect(
      read('worker_processes ENV.fetch("WEB_CONCURRENCY", 2).to_i', { WEB_CONCURRENCY: undefined }),
    ).toEqual({
      text: 'ENV.fetch("WEB_CONCURRENCY", 2).to_i',
      unknown: 'WEB_CONCURRENCY comes from a Secret',
      path: 'unicorn.rb:2',
      integer: true,
    });
  });

  it(`reads ${MAX_RUBY_WRAPPERS} wrappers around a value and names the bound past it`, () => {
    const wrapped = (n: number) => `${'('.repeat(n)}4${')'.repeat(n)}`;
    expect(read(`worker_processes ${wrapped(MAX_RUBY_WRAPPERS)}`)?.text).toBe('4');
    expect(read(`worker_processes Integer(${wrapped(MAX_RUBY_WRAPPERS - 1)})`)?.text).toBe('4');
    expect(read(`worker_processes ${wrapped(MAX_RUBY_WRAPPERS + 1)}`)).toEqual({
      text: wrapped(MAX_RUBY_WRAPPERS + 1),
      unknown: `Unicorn evaluates the Ruby expression \`${wrapped(MAX_RUBY_WRAPPERS + 1)}\`, wrapped in Integer(…), (…) or .to_i more than ${MAX_RUBY_WRAPPERS} times, past what oneproc reads`,
      path: 'unicorn.rb:2',
      integer: false,
    });
  });

  it('ignores comments, other settings and lines that only start with the name', () => {
    const text = '# worker_processes 9\nworker_processes_max 7\ntimeout 30\n';
    expect(rubySetting(text, 'u.rb', env({}), 'worker_processes', 'Unicorn')).toBeUndefined();
  });

  it('never throws on hostile text', () => {
    for (const line of [
      'worker_processes ((((',
      'worker_processes )',
      'worker_processes "#',
      'worker_processes',
    ]) {
      expect(() => read(line)).not.toThrow();
    }
  });
});
