import { firstPositional } from '../../src/argv/options';
import { stripLaunchers } from '../../src/argv/program';
import { argvCommands } from '../../src/shell';
import { command, words } from '../rules/hand';

describe('stripLaunchers', () => {
  it.each([
    [['bundle', 'exec', 'puma', '-w', '2'], 'puma', 'bundle exec'],
    [['bin/bundle', 'exec', '--keep-file-descriptors', 'puma'], 'puma', 'bundle exec'],
    [['bundle', 'exec', '--gemfile', 'Gemfile.prod', 'puma'], 'puma', 'bundle exec'],
    [['npx', '--yes', 'pm2-runtime', 'app.js'], 'pm2-runtime', 'npx'],
    [['npm', 'exec', '--', 'pm2-runtime'], 'pm2-runtime', 'npm exec'],
    [['yarn', 'exec', 'pm2-runtime'], 'pm2-runtime', 'yarn exec'],
    [['python3', '-m', 'celery', 'worker'], 'celery', 'python -m'],
    [['python3.12', '-u', '-m', 'dramatiq', 'tasks'], 'dramatiq', 'python -m'],
  ])('strips the launcher of %j', (argv, program, wrapper) => {
    const inner = stripLaunchers(command(argv));
    expect(inner.argv[0].text).toBe(program);
    expect(inner.argv[0].path).toBe(`command[${argv.indexOf(program)}]`);
    expect(inner.wrappers).toEqual([wrapper]);
  });

  it('names each launcher as the shell layer does, from the same table', () => {
    const argv = ['bundle', 'exec', 'python3', '-m', 'celery', 'worker'];
    expect(stripLaunchers(command(argv)).wrappers).toEqual(
      argvCommands(words(argv), new Map()).commands[0].wrappers,
    );
  });

  it('returns the same command when there is no launcher, or nothing after it', () => {
    const plain = command(['puma']);
    expect(stripLaunchers(plain)).toBe(plain);
    const bare = command(['bundle', 'exec']);
    expect(stripLaunchers(bare)).toBe(bare);
  });
});

describe('firstPositional', () => {
  it('skips options and the values of options that take one', () => {
    const argv = words(['celery', '-A', 'proj', '--loglevel=info', '-q', 'worker', '-c', '2']);
    expect(firstPositional(argv, 1, ['-A'])).toEqual({ word: argv[5], index: 5 });
  });

  it('returns the word after --', () => {
    const argv = words(['x', '--', '-weird']);
    expect(firstPositional(argv, 1)?.word.text).toBe('-weird');
  });
});
