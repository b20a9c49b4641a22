/**
 * The harness's own reading, on fixed inputs: the kubelet's `$(VAR)` expansion, worker counting from
 * a process tree and from server logs, and the message for a missing server.
 */
import {
  countWorkers,
  expandKubernetes,
  FAMILIES,
  kubeletEnv,
  leafWorkers,
  loggedWorkerPids,
  missingMessage,
  type Proc,
} from './harness';

describe('expandKubernetes (kubelet semantics)', () => {
  const vars = new Map([
    ['WORKERS', '4'],
    ['EMPTY', ''],
  ]);
  it.each([
    ['--workers=$(WORKERS)', '--workers=4'],
    ['$(EMPTY)x', 'x'],
    ['$(UNDEFINED)', '$(UNDEFINED)'],
    ['$$(WORKERS)', '$(WORKERS)'],
    ['$$$(WORKERS)', '$4'],
    ['$(WORKERS', '$(WORKERS'],
    ['$((2*$(nproc)+1))', '$((2*$(nproc)+1))'],
    ['a$', 'a$'],
    ['$x $', '$x $'],
  ])('%s → %s', (input, output) => {
    expect(expandKubernetes(input, vars)).toBe(output);
  });

  it('expands each env value against the entries before it, as the kubelet does', () => {
    const env = kubeletEnv([
      { name: 'A', value: '2' },
      { name: 'B', value: '$(A)$(C)' },
      { name: 'C', value: '3' },
    ]);
    expect([...env]).toEqual([
      ['A', '2'],
      ['B', '2$(C)'],
      ['C', '3'],
    ]);
  });
});

const proc = (pid: number, cmdline: string, children: number[] = []): Proc => ({
  pid,
  nspid: pid - 100,
  cmdline,
  children,
});

describe('counting workers', () => {
  it('counts the leaves of a uvicorn tree, not its parent nor the resource tracker', () => {
    const tree = [
      proc(101, 'python3 -m uvicorn asgi:app --workers 2', [102, 103, 104]),
      proc(102, '/usr/bin/python3 -c from multiprocessing.resource_tracker import main;main(4)'),
      proc(103, '/usr/bin/python3 -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5)'),
      proc(104, '/usr/bin/python3 -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5)'),
    ];
    expect(leafWorkers(tree).map((p) => p.pid)).toEqual([103, 104]);
    expect(countWorkers('leaves', tree, '')).toBe(2);
  });

  it('counts a single-process server as one, even with a helper child', () => {
    const tree = [proc(101, 'rq worker', [102]), proc(102, 'redis-server 127.0.0.1:6379')];
    expect(countWorkers('leaves', tree, '')).toBe(1);
  });

  it('counts gunicorn workers from their boot lines, only while they live', () => {
    const log = [
      '[1] [INFO] Listening at: http://127.0.0.1:8000 (1)',
      '[2] [INFO] Booting worker with pid: 2',
      '[3] [INFO] Booting worker with pid: 3',
      '[4] [INFO] Booting worker with pid: 4',
    ].join('\n');
    const tree = [
      proc(101, 'gunicorn: master', [102, 103]),
      proc(102, 'gunicorn: worker'),
      proc(103, 'gunicorn: worker'),
    ];
    expect(loggedWorkerPids('gunicorn-log', log)).toEqual([2, 3, 4]);
    expect(countWorkers('gunicorn-log', tree, log)).toBe(2);
    expect(countWorkers('gunicorn-log', [proc(101, 'gunicorn: master')], '[1] [INFO] Listening at: x')).toBe(
      0,
    );
  });

  it('counts uWSGI workers from their spawn lines, the first worker included without --master', () => {
    const log = [
      'spawned uWSGI worker 1 (pid: 1, cores: 1)',
      'spawned uWSGI worker 2 (pid: 2, cores: 1)',
      'spawned uWSGI worker 3 (and the only) (pid: 3, cores: 1)',
      'spawned uWSGI http 1 (pid: 4)',
    ].join('\n');
    const tree = [
      proc(101, 'uwsgi', [102, 103, 104]),
      proc(102, 'uwsgi'),
      proc(103, 'uwsgi'),
      proc(104, 'uwsgi'),
    ];
    expect(loggedWorkerPids('uwsgi-log', log)).toEqual([1, 2, 3]);
    expect(countWorkers('uwsgi-log', tree, log)).toBe(3);
  });
});

describe('missingMessage', () => {
  it('says nothing when a server is installed, and how to install it otherwise', () => {
    expect(missingMessage('gunicorn')).toBeUndefined();
    const saved = FAMILIES.gunicorn;
    try {
      (FAMILIES as Record<string, unknown>).gunicorn = { ...saved, requires: ['/nonexistent/gunicorn'] };
      expect(missingMessage('gunicorn')).toBe(
        'gunicorn is not installed (missing /nonexistent/gunicorn); install it with: apt-get install -y gunicorn ' +
          'util-linux (scripts/setup.sh does this on a fresh Debian machine)',
      );
    } finally {
      (FAMILIES as Record<string, unknown>).gunicorn = saved;
    }
  });
});
