/**
 * The fixture layouts of the image model (a Dockerfile in a subfolder built from the root, a builder
 * stage, files moved by RUN, `rails server`) claim the count the real server starts with the files
 * where the image puts them: Debian's gunicorn, uWSGI and Puma, each as PID 1 of a private PID and
 * network namespace, counted from /proc with `oneproc observe`'s reader. NGINX Unit has no Debian
 * package (bookworm); its fixture (unit-json) is held to Unit's source in test/sources/unit.test.ts.
 */
import * as path from 'node:path';
import { runCheck } from '../cli/run-check';
import { realCount, requireDebian, stopStarted } from './real-helpers';

const NEEDS: Record<string, string> = {
  '/usr/bin/gunicorn': 'gunicorn',
  '/usr/bin/uwsgi': 'uwsgi',
  '/usr/lib/uwsgi/plugins/python3_plugin.so': 'uwsgi-plugin-python3',
  '/usr/bin/puma': 'puma',
  '/usr/bin/unshare': 'util-linux',
};

beforeAll(() => requireDebian(NEEDS));
afterAll(stopStarted);

/** The worker counts `oneproc check` claims for a fixture repository. */
async function claimed(fixture: string): Promise<Array<number | null>> {
  const { out } = await runCheck(['--format', 'json', fixture], {
    cwd: path.join(__dirname, '..', 'fixtures', 'sources'),
  });
  return (JSON.parse(out) as { findings: Array<{ workers: number | null }> }).findings.map((f) => f.workers);
}

describe('image layouts against the real servers', () => {
  it('subfolder-context: the start script copied from compose/production/django starts 4 gunicorn workers', async () => {
    expect(await claimed('subfolder-context')).toEqual([4]);
    const argv = [
      '/usr/bin/gunicorn',
      '--chdir',
      'app',
      'wsgi:application',
      '-b',
      '127.0.0.1:0',
      '--workers',
      '4',
    ];
    expect(await realCount('subfolder-context', argv, {}, 4)).toBe(4);
  }, 30000);

  it('builder-stage: the config copied beside the entrypoint made in the builder sets 3 workers', async () => {
    expect(await claimed('builder-stage')).toEqual([3]);
    const argv = ['/usr/bin/gunicorn', '-c', 'scripts/gunicorn.conf.py', '-b', '127.0.0.1:0', 'app:app'];
    expect(await realCount('builder-stage', argv, {}, 3)).toBe(3);
  }, 30000);

  it('run-mv: the moved entrypoint runs uWSGI with src/uwsgi.ini, 2 processes', async () => {
    expect(await claimed('run-mv')).toEqual([2]);
    // the ini sets `master = true`; the process-tree reader sees only argv, so say it there too
    const argv = ['/usr/bin/uwsgi', '--master', '--plugin', 'python3', '--ini', 'src/uwsgi.ini'];
    expect(await realCount('run-mv', argv, {}, 2)).toBe(2);
  }, 30000);

  it('rails-puma: `rails server` is Puma with config/puma.rb, 2 workers', async () => {
    expect(await claimed('rails-puma')).toEqual([2]);
    const argv = ['/usr/bin/puma', '-b', 'tcp://127.0.0.1:0'];
    expect(await realCount('rails-puma', argv, { RAILS_ENV: 'production' }, 2)).toBe(2);
  }, 30000);

  it('puma-environment: `bundle exec puma` with RACK_ENV=production loads config/puma/production.rb, 3 workers', async () => {
    expect(await claimed('puma-environment')).toEqual([3]);
    const argv = ['/usr/bin/puma', '-b', 'tcp://127.0.0.1:0'];
    expect(await realCount('puma-environment', argv, { RACK_ENV: 'production' }, 3)).toBe(3);
  }, 30000);

  it('compose-extends: build.args WORKERS=3 makes ENV WEB_CONCURRENCY=3, 3 gunicorn workers; admin sets 2', async () => {
    expect(await claimed('compose-extends')).toEqual([3, 2]);
    const argv = ['/usr/bin/gunicorn', '--bind', '127.0.0.1:0', 'app:app'];
    expect(await realCount('compose-extends', argv, { WEB_CONCURRENCY: '3' }, 3)).toBe(3);
    expect(await realCount('compose-extends', argv, { WEB_CONCURRENCY: '2' }, 2)).toBe(2);
  }, 60000);

  it('runit: the web service runs Puma with /home/app/puma.rb, 3 workers', async () => {
    expect(await claimed('runit')).toEqual([3]);
    // The run script does `cd /home/app`, where the Dockerfile copies app/.
    const argv = ['/usr/bin/puma', '-C', 'puma.rb', '-b', 'tcp://127.0.0.1:0'];
    expect(await realCount('runit/app', argv, {}, 3)).toBe(3);
  }, 30000);

  it('procfile: the web process type runs gunicorn with WEB_WORKERS defaulting to 4, 4 workers', async () => {
    expect((await claimed('procfile'))[0]).toBe(4);
    const argv = ['/usr/bin/gunicorn', 'app:app', '--workers', '4', '--bind', '127.0.0.1:0'];
    expect(await realCount('procfile', argv, {}, 4)).toBe(4);
  }, 30000);
});
