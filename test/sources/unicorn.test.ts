/**
 * Unicorn's config file (`worker_processes`): the built CLI over fixture repositories with exact
 * findings, then Debian's Unicorn 6.0 run on the same files, counting the workers it really forks.
 */
import { brief, check, requireBuiltCli } from './cli-helpers';
import { claimed, realCount, requireDebian, stopStarted } from './real-helpers';

beforeAll(() => {
  requireBuiltCli();
  requireDebian({ '/usr/bin/unicorn': 'unicorn', '/usr/bin/unshare': 'util-linux' });
});
afterAll(stopStarted);

describe('oneproc check reads unicorn config files', () => {
  it('reads `worker_processes Integer(ENV["WEB_CONCURRENCY"] || 2)` from `bundle exec unicorn -c FILE`', async () => {
    const { code, findings } = await check(['unicorn-config']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'unicorn',
        workers: 3,
        file: 'unicorn-config/config/unicorn.rb',
        line: 4,
        chain: ['unicorn-config/Dockerfile:5', 'unicorn-config/config/unicorn.rb:4'],
      },
    ]);
    expect(findings[0].path).toBe('unicorn-config/config/unicorn.rb:4');
  });

  it('keeps the last `worker_processes(ENV.fetch("WEB_CONCURRENCY") { 2 }.to_i)` of the file', async () => {
    const { findings } = await check(['unicorn-fetch']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'unicorn',
        workers: 2,
        file: 'unicorn-fetch/unicorn.conf.rb',
        line: 3,
        chain: ['unicorn-fetch/Dockerfile:4', 'unicorn-fetch/unicorn.conf.rb:3'],
      },
    ]);
  });

  it("finds nothing when the file has no worker_processes: Unicorn's default is one worker", async () => {
    const { code, findings } = await check(['unicorn-default']);
    expect(code).toBe(0);
    expect(findings).toEqual([]);
  });

  it('warns, naming the line, when the count is a Ruby expression it does not evaluate', async () => {
    const { code, findings } = await check(['unicorn-unknown']);
    expect(code).toBe(0);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'warning',
        rule: 'unicorn',
        workers: null,
        file: 'unicorn-unknown/config/unicorn.rb',
        line: 4,
        chain: ['unicorn-unknown/Dockerfile:4', 'unicorn-unknown/config/unicorn.rb:4'],
      },
    ]);
    expect(findings[0].message).toContain('`worker_processes Etc.nprocessors * 2`');
  });
});

describe('the unicorn reader against the real Unicorn', () => {
  const listen = ['-l', '127.0.0.1:0'];

  it('Unicorn forks the 3 workers read from WEB_CONCURRENCY through the config', async () => {
    expect(await claimed('unicorn-config')).toBe(3);
    const argv = ['/usr/bin/unicorn', '-c', 'config/unicorn.rb', ...listen];
    expect(await realCount('unicorn-config', argv, { WEB_CONCURRENCY: '3' }, 3)).toBe(3);
  }, 30000);

  it('Unicorn applies the last worker_processes line, with its fallback of 2', async () => {
    expect(await claimed('unicorn-fetch')).toBe(2);
    const argv = ['/usr/bin/unicorn', '-c', 'unicorn.conf.rb', ...listen];
    expect(await realCount('unicorn-fetch', argv, {}, 2)).toBe(2);
  }, 30000);

  it('Unicorn forks one worker for a config without worker_processes', async () => {
    expect(await claimed('unicorn-default')).toBe(1);
    const argv = ['/usr/bin/unicorn', '--config-file=config/unicorn.rb', ...listen];
    expect(await realCount('unicorn-default', argv, {}, 1)).toBe(1);
  }, 30000);
});
