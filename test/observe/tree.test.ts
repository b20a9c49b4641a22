import { analyseServers, analyseTree } from '../../src/observe/tree';
import type { ProcessInfo } from '../../src/observe/types';

function p(pid: number, ppid: number, cmd: string | string[]): ProcessInfo {
  const argv = Array.isArray(cmd) ? cmd : cmd.split(' ');
  return { pid, ppid, comm: argv[0]?.split('/').pop()?.slice(0, 15) ?? '', argv, cgroup: '' };
}

const SPAWN = [
  '/usr/bin/python3',
  '-c',
  'from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7)',
  '--multiprocessing-fork',
];
const TRACKER = ['/usr/bin/python3', '-c', 'from multiprocessing.resource_tracker import main;main(4)'];

describe('analyseTree', () => {
  it('counts uvicorn --workers 4 as four spawned workers, not the supervisor or resource tracker', () => {
    const uv = '/usr/bin/python3 -m uvicorn main:app --workers 4';
    const tree = [
      p(1, 0, uv),
      p(7, 1, TRACKER),
      p(8, 1, SPAWN),
      p(9, 1, SPAWN),
      p(10, 1, SPAWN),
      p(11, 1, SPAWN),
    ];
    expect(analyseTree(tree)).toEqual({
      server: 'uvicorn',
      workers: 4,
      mainPid: 1,
      workerPids: [8, 9, 10, 11],
      command: uv,
    });
  });

  it('counts a single uvicorn as one worker', () => {
    expect(analyseTree([p(1, 0, '/usr/bin/python3 -m uvicorn main:app --port 8596')])).toMatchObject({
      server: 'uvicorn',
      workers: 1,
      mainPid: 1,
    });
  });

  it('counts uvicorn --reload as one server process under its reloader', () => {
    const uv = 'uvicorn main:app --reload';
    expect(analyseTree([p(1, 0, uv), p(2, 1, SPAWN)])).toMatchObject({ workers: 1, mainPid: 1 });
  });

  it('counts gunicorn workers forked by the arbiter (same command line)', () => {
    const gu = '/usr/bin/python3 /usr/bin/gunicorn -w 3 app:app';
    const tree = [p(1, 0, 'tini -- sh -c gunicorn'), p(5, 1, gu), p(6, 5, gu), p(7, 5, gu), p(8, 5, gu)];
    expect(analyseTree(tree)).toMatchObject({
      server: 'gunicorn',
      workers: 3,
      mainPid: 5,
      workerPids: [6, 7, 8],
    });
  });

  it('reads gunicorn and puma process titles', () => {
    expect(
      analyseTree([
        p(1, 0, ['gunicorn: master [app]']),
        p(2, 1, ['gunicorn: worker [app]']),
        p(3, 1, ['gunicorn: worker [app]']),
      ]),
    ).toMatchObject({ server: 'gunicorn', workers: 2 });
    expect(
      analyseTree([
        p(1, 0, ['puma 6.4.0 (tcp://0.0.0.0:3000) [app]']),
        p(2, 1, ['puma: cluster worker 0: 1 [app]']),
        p(3, 1, ['puma: cluster worker 1: 1 [app]']),
      ]),
    ).toMatchObject({ server: 'puma', workers: 2 });
  });

  it('counts uWSGI with --master: the master is not a worker', () => {
    const uw = 'uwsgi --master --processes 2 --http :8000';
    expect(analyseTree([p(1, 0, uw), p(2, 1, uw), p(3, 1, uw)])).toMatchObject({
      server: 'uwsgi',
      workers: 2,
      workerPids: [2, 3],
    });
  });

  it('counts uWSGI without a master: the first worker is the parent of the others', () => {
    const uw = 'uwsgi --processes 3 --http :8000';
    expect(analyseTree([p(1, 0, uw), p(2, 1, uw), p(3, 1, uw)])).toMatchObject({
      server: 'uwsgi',
      workers: 3,
      workerPids: [1, 2, 3],
    });
  });

  it('counts the app instances under the pm2 God daemon', () => {
    const tree = [
      p(1, 0, 'node /usr/local/bin/pm2-runtime start app.js -i 2'),
      p(20, 1, ['PM2 v5.3.0: God Daemon (/root/.pm2)']),
      p(21, 20, 'node /app/app.js'),
      p(22, 20, 'node /app/app.js'),
    ];
    expect(analyseTree(tree)).toMatchObject({ server: 'pm2', workers: 2, mainPid: 20 });
  });

  it('counts celery prefork pool processes', () => {
    const c = '/usr/bin/python3 /usr/bin/celery -A tasks worker -c 2';
    expect(analyseTree([p(1, 0, c), p(2, 1, c), p(3, 1, c)])).toMatchObject({ server: 'celery', workers: 2 });
  });

  it('does not count a shell and its identical subshell as workers', () => {
    expect(analyseTree([p(1, 0, 'sh -c x'), p(2, 1, 'sh -c x'), p(3, 2, 'node server.js')])).toMatchObject({
      workers: 1,
    });
  });

  it('is null without live processes (kernel threads, zombies)', () => {
    expect(analyseTree([{ pid: 3, ppid: 2, comm: 'kthreadd', argv: [], cgroup: '' }])).toBeNull();
  });
});

describe('analyseServers: every server of a tree', () => {
  const UV = '/usr/bin/python3 -m uvicorn main:app --workers 2';
  const GU = '/usr/bin/python3 /usr/bin/gunicorn -w 3 app:app';

  it('reports uvicorn and gunicorn started side by side, each with its workers', () => {
    const tree = [
      p(1, 0, ['sh', '-c', 'uvicorn main:app --workers 2 & gunicorn -w 3 app:app']),
      p(10, 1, UV),
      p(11, 10, TRACKER),
      p(12, 10, SPAWN),
      p(13, 10, SPAWN),
      p(20, 1, GU),
      p(21, 20, GU),
      p(22, 20, GU),
      p(23, 20, GU),
    ];
    expect(analyseServers(tree)).toEqual([
      { server: 'uvicorn', workers: 2, mainPid: 10, workerPids: [12, 13], command: UV },
      { server: 'gunicorn', workers: 3, mainPid: 20, workerPids: [21, 22, 23], command: GU },
    ]);
    expect(analyseTree(tree)).toMatchObject({ server: 'gunicorn', workers: 3 });
  });

  it('reports the single-process servers a process manager runs, not the manager', () => {
    const tree = [
      p(1, 0, '/usr/bin/python3 /usr/bin/supervisord -n -c /etc/supervisord.conf'),
      p(10, 1, '/usr/bin/python3 -m uvicorn api:app --port 8000'),
      p(20, 1, '/usr/bin/python3 /usr/bin/gunicorn -w 1 admin:app'),
    ];
    expect(analyseServers(tree).map((s) => [s.server, s.workers, s.mainPid])).toEqual([
      ['uvicorn', 1, 10],
      ['gunicorn', 1, 20],
    ]);
  });

  it('reports pm2-runtime and its God daemon once, as the daemon with its instances', () => {
    const tree = [
      p(1, 0, 'node /usr/local/bin/pm2-runtime start app.js -i 2'),
      p(20, 1, ['PM2 v5.3.0: God Daemon (/root/.pm2)']),
      p(21, 20, 'node /app/app.js'),
      p(22, 20, 'node /app/app.js'),
    ];
    expect(analyseServers(tree).map((s) => [s.server, s.workers, s.mainPid])).toEqual([['pm2', 2, 20]]);
  });

  it('is empty without live processes', () => {
    expect(analyseServers([{ pid: 3, ppid: 2, comm: 'kthreadd', argv: [], cgroup: '' }])).toEqual([]);
  });
});
