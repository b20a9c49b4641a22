/**
 * Server config files read by `oneproc check`: the built CLI over fixture repositories in
 * test/fixtures/sources/ whose worker count sits in a uWSGI, puma, pm2 or supervisord file.
 */
import { brief, check, requireBuiltCli } from './cli-helpers';

beforeAll(requireBuiltCli);

describe('oneproc check reads server config files', () => {
  it("replaces `--ini uwsgi.ini` by the file's options, `$(UWSGI_WORKERS)` resolved against ENV", async () => {
    const { code, findings } = await check(['uwsgi-ini']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'uwsgi',
        workers: 4,
        file: 'uwsgi-ini/uwsgi.ini',
        line: 6,
        chain: ['uwsgi-ini/Dockerfile:5', 'uwsgi-ini/uwsgi.ini:6'],
      },
    ]);
  });

  it('applies a trailing app.ini last, so its `processes = %k` (one per CPU) beats `--processes 1`', async () => {
    const { findings } = await check(['uwsgi-cpu']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'warning',
        rule: 'uwsgi',
        workers: null,
        file: 'uwsgi-cpu/app.ini',
        line: 4,
        chain: ['uwsgi-cpu/Dockerfile:4', 'uwsgi-cpu/app.ini:4'],
      },
    ]);
  });

  it('reads `workers ENV.fetch("WEB_CONCURRENCY") { 2 }` from `bundle exec puma -C config/puma.rb`', async () => {
    const { findings } = await check(['puma-config']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'puma',
        workers: 3,
        file: 'puma-config/config/puma.rb',
        line: 4,
        chain: ['puma-config/Dockerfile:5', 'puma-config/config/puma.rb:4'],
      },
    ]);
  });

  it("reads the config/puma.rb Puma loads by itself, `Integer(ENV['WEB_CONCURRENCY'] || 2)` unset", async () => {
    const { findings } = await check(['puma-implicit']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'puma',
        workers: 2,
        file: 'puma-implicit/config/puma.rb',
        line: 2,
        chain: ['puma-implicit/Dockerfile:4', 'puma-implicit/config/puma.rb:2'],
      },
    ]);
  });
});
