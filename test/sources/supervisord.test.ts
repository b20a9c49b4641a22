/**
 * supervisord's config (`[program:x]`, `numprocs`, `[include]`): the built CLI over fixture
 * repositories with exact findings, then Debian's supervisord 4.2.5 run on the fixture's config,
 * counting the copies of the program it really starts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessInfo } from '../../src/observe/types';
import { brief, check, requireBuiltCli } from './cli-helpers';
import { claimed, realCount, requireDebian, stopStarted } from './real-helpers';

beforeAll(() => {
  requireBuiltCli();
  requireDebian({ '/usr/bin/supervisord': 'supervisor', '/usr/bin/unshare': 'util-linux' });
});
afterAll(stopStarted);

describe('oneproc check reads supervisord configs', () => {
  it('reports `numprocs = 3` of a started program, and not the program with autostart=false', async () => {
    const { code, findings } = await check(['supervisord-numprocs']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'supervisord',
        workers: 3,
        file: 'supervisord-numprocs/supervisord.conf',
        line: 18,
        chain: ['supervisord-numprocs/Dockerfile:5', 'supervisord-numprocs/supervisord.conf:18'],
      },
    ]);
    expect(findings[0].message).toContain('[program:queue] runs 3 copies of `/bin/sleep 600`');
  });

  it('follows the default config, its [include], and each program into its own config files', async () => {
    const { code, findings } = await check(['supervisord-include']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 4,
        file: 'supervisord-include/supervisor/conf.d/web.conf',
        line: 4,
        chain: [
          'supervisord-include/Dockerfile:8',
          'supervisord-include/start.sh:3',
          'supervisord-include/supervisor/supervisord.conf',
          'supervisord-include/supervisor/conf.d/web.conf:2',
          'supervisord-include/app/gunicorn.conf.py:3',
          'supervisord-include/supervisor/conf.d/web.conf:4',
        ],
      },
      {
        // Two copies of a celery worker: a job worker, so a warning by default like the worker itself
        // (the `queue` category's default severity, docs/rules.md).
        severity: 'warning',
        rule: 'supervisord',
        workers: 2,
        file: 'supervisord-include/supervisor/conf.d/worker.conf',
        line: 5,
        chain: [
          'supervisord-include/Dockerfile:8',
          'supervisord-include/start.sh:3',
          'supervisord-include/supervisor/supervisord.conf',
          'supervisord-include/supervisor/conf.d/worker.conf:5',
        ],
      },
    ]);
  });
});

describe('the supervisord reader against the real supervisord', () => {
  it('supervisord starts the 3 copies of [program:queue] and leaves [program:migrate] stopped', async () => {
    expect(await claimed('supervisord-numprocs')).toBe(3);
    const run = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-supervisord-'));
    try {
      const argv = ['/usr/bin/supervisord', '-n', '-c', 'supervisord.conf'];
      // The programs supervisord started: its children (PID 1 of the namespace is supervisord).
      const copies = (processes: readonly ProcessInfo[], root: number) => {
        const daemon = processes.find((p) => p.ppid === root);
        return processes.filter((p) => daemon && p.ppid === daemon.pid && p.argv[0] === '/bin/sleep').length;
      };
      expect(await realCount('supervisord-numprocs', argv, { SUPERVISOR_RUN: run }, 3, copies)).toBe(3);
    } finally {
      fs.rmSync(run, { recursive: true, force: true });
    }
  }, 30000);
});
