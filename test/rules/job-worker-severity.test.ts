/**
 * Job workers warn by default on every path (docs/rules.md, "Severity by default"): a celery worker
 * reached through a process manager's copies — supervisord's `numprocs` (its command from an env
 * variable, `%(ENV_WORKER_CMD)s`) or pm2's `-i N` — is a queue finding like the worker itself, while
 * copies of a web server stay errors. A configured severity for `queue` applies there too.
 */
import { checkContainer } from '../../src/engine';
import { readDockerfile } from '../../src/sources/dockerfile';
import { checkImage } from '../../src/sources/image';
import type { SourceContext } from '../../src/sources/types';

async function image(files: Record<string, string>, dockerfile: string, severity = {}) {
  const ctx: SourceContext = {
    workdir: '/',
    source: 'image',
    readFile: (name) => {
      const abs = name.startsWith('/') ? name : `/${name}`;
      return files[abs] === undefined ? undefined : { path: abs.slice(1), text: files[abs] };
    },
  };
  const findings = await checkImage(readDockerfile(dockerfile, 'Dockerfile'), ctx, { severity });
  return findings.map((f) => ({
    rule: f.rule,
    category: f.category,
    severity: f.severity,
    workers: f.workers,
  }));
}

const SUPERVISORD = (command: string) =>
  `[supervisord]\nnodaemon=true\n[program:worker]\ncommand=${command}\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n`;

describe('copies of a job worker under supervisord', () => {
  const dockerfile = (cmd: string) =>
    `FROM python:3.12\nENV WORKER_CMD="${cmd}"\nCMD ["supervisord", "-n", "-c", "/etc/supervisord.conf"]\n`;

  it('warn when the program, read from an env variable, is a celery worker', async () => {
    const found = await image(
      { '/etc/supervisord.conf': SUPERVISORD('%(ENV_WORKER_CMD)s') },
      dockerfile('celery -A proj worker -c 1'),
    );
    expect(found).toEqual([{ rule: 'supervisord', category: 'queue', severity: 'warning', workers: 2 }]);
  });

  it('follow the configured severity of the queue category', async () => {
    const found = await image(
      { '/etc/supervisord.conf': SUPERVISORD('%(ENV_WORKER_CMD)s') },
      dockerfile('celery -A proj worker -c 1'),
      { queue: 'error' },
    );
    expect(found).toEqual([{ rule: 'supervisord', category: 'queue', severity: 'error', workers: 2 }]);
    const off = await image(
      { '/etc/supervisord.conf': SUPERVISORD('%(ENV_WORKER_CMD)s') },
      dockerfile('celery -A proj worker -c 1'),
      { queue: 'off' },
    );
    expect(off).toEqual([]);
  });

  it('stay errors for copies of a web server', async () => {
    const found = await image(
      { '/etc/supervisord.conf': SUPERVISORD('%(ENV_WORKER_CMD)s') },
      dockerfile('gunicorn app:app'),
    );
    expect(found).toEqual([{ rule: 'supervisord', category: 'web', severity: 'error', workers: 2 }]);
  });
});

describe('pm2 instances of a job worker', () => {
  const brief = (container: unknown) =>
    checkContainer(container).map((f) => ({ rule: f.rule, category: f.category, severity: f.severity }));

  it('warn for `pm2-runtime start celery -i 3 -- worker …`', () => {
    expect(
      brief({
        command: ['pm2-runtime', 'start', 'celery', '-i', '3', '--', '-A', 'proj', 'worker', '-c', '1'],
      }),
    ).toEqual([{ rule: 'pm2', category: 'queue', severity: 'warning' }]);
  });

  it('warn for a command line given as one string, from an env variable', () => {
    expect(
      brief({
        command: ['sh', '-c', 'exec pm2-runtime start "$WORKER" -i 2'],
        env: [{ name: 'WORKER', value: 'celery -A proj worker --pool solo' }],
      }),
    ).toEqual([{ rule: 'pm2', category: 'queue', severity: 'warning' }]);
  });

  it('stay errors for a node server', () => {
    expect(brief({ command: ['pm2-runtime', 'start', 'server.js', '-i', '3'] })).toEqual([
      { rule: 'pm2', category: 'web', severity: 'error' },
    ]);
  });
});
