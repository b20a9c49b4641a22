/**
 * The count a config-file reader claims is the count the real server starts: Debian's uWSGI (with its
 * python3 plugin) on the fixture's uwsgi.ini and Debian's Puma on the fixture's config/puma.rb. Each
 * runs as PID 1 of a private PID and network namespace, counted from /proc with `oneproc observe`'s
 * reader, and stopped with its namespace (SIGKILL to unshare, whose --kill-child takes the rest).
 */
import { claimed, realCount, requireDebian, stopStarted } from './real-helpers';

const NEEDS: Record<string, string> = {
  '/usr/bin/uwsgi': 'uwsgi',
  '/usr/lib/uwsgi/plugins/python3_plugin.so': 'uwsgi-plugin-python3',
  '/usr/bin/puma': 'puma',
  '/usr/bin/unshare': 'util-linux',
};

beforeAll(() => requireDebian(NEEDS));
afterAll(stopStarted);

describe('config-file readers against the real servers', () => {
  it('uWSGI applies uwsgi.ini where --ini stands, with $(UWSGI_WORKERS) from the environment', async () => {
    expect(await claimed('uwsgi-ini')).toBe(4);
    const argv = [
      '/usr/bin/uwsgi',
      // the ini sets `master = true`; the process-tree reader sees only argv, so say it there too
      '--master',
      '--plugin',
      'python3',
      '--ini',
      'uwsgi.ini',
      '--http-socket',
      '127.0.0.1:0',
    ];
    expect(await realCount('uwsgi-ini', argv, { UWSGI_WORKERS: '4' }, 4)).toBe(4);
  }, 30000);

  it('Puma reads `workers ENV.fetch("WEB_CONCURRENCY") { 2 }` from -C config/puma.rb', async () => {
    expect(await claimed('puma-config')).toBe(3);
    const argv = ['/usr/bin/puma', '-C', 'config/puma.rb', '-b', 'tcp://127.0.0.1:0'];
    expect(await realCount('puma-config', argv, { WEB_CONCURRENCY: '3' }, 3)).toBe(3);
  }, 30000);

  it('Puma loads config/puma.rb by itself and falls back to its default of 2', async () => {
    expect(await claimed('puma-implicit')).toBe(2);
    const argv = ['/usr/bin/puma', '-b', 'tcp://127.0.0.1:0'];
    expect(await realCount('puma-implicit', argv, {}, 2)).toBe(2);
  }, 30000);
});
