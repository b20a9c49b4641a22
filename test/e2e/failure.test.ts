/**
 * The failure the project exists for, reproduced with the real servers: the write-up's app under
 * `uvicorn --workers 4` keeps state in four separate memories.
 */
import {
  EXAMPLE_DIR,
  figure,
  freePort,
  many,
  request,
  requireDebianPackages,
  type Started,
  start,
  stopAll,
  waitReady,
} from './harness';

let port: number;
let server: Started;
const SCENE = 'uvicorn --workers 4, sessions and values in process memory';

beforeAll(async () => {
  requireDebianPackages();
  port = await freePort();
  server = start(
    'uvicorn --workers 4',
    [
      '/usr/bin/python3',
      '-m',
      'uvicorn',
      'main:app',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '4',
    ],
    { cwd: EXAMPLE_DIR, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
  );
  await waitReady(port, '/healthz', server);
}, 30000);

afterAll(stopAll);

describe('uvicorn --workers 4 with state in process memory', () => {
  it('answers reads of a value it just stored with NOT_FOUND from other processes', async () => {
    const stored = await request(port, '/set/color/blue');
    expect(stored.body).toMatchObject({ key: 'color', value: 'blue' });
    const reads = await many(200, 16, () => request(port, '/get/color'));
    const pids = new Set(reads.map((r) => r.body.pid));
    const lost = reads.filter((r) => r.body.value === 'NOT_FOUND');
    const fromWriter = reads.filter((r) => r.body.pid === stored.body.pid);
    const observed = `${reads.length} reads, ${pids.size} process ids, ${lost.length} NOT_FOUND`;
    figure(
      SCENE,
      `${reads.length} reads of a value just stored: answered by ${pids.size} processes, ${lost.length} NOT_FOUND (lost)`,
    );
    expect({ observed, manyProcesses: pids.size > 1, lostSome: lost.length > 0 }).toEqual({
      observed,
      manyProcesses: true,
      lostSome: true,
    });
    // Only the process that stored the value knows it; every other one answers NOT_FOUND.
    expect(fromWriter.every((r) => r.body.value === 'blue')).toBe(true);
    expect(lost.every((r) => r.body.pid !== stored.body.pid)).toBe(true);
  });

  it('logs the user out on some refreshes', async () => {
    const login = await request(port, '/login?user=alice', { method: 'POST' });
    const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0];
    expect(cookie).toMatch(/^session=[0-9a-f]{32}$/);
    const refreshes = await many(100, 16, () => request(port, '/me', { cookie }));
    const loggedOut = refreshes.filter((r) => r.status === 401);
    const observed = `${refreshes.length} refreshes, ${loggedOut.length} answered 401 not logged in`;
    figure(SCENE, `${refreshes.length} refreshes after logging in: ${loggedOut.length} logged out (401)`);
    expect({
      observed,
      loggedOutSometimes: loggedOut.length > 0,
      loggedInSometimes: loggedOut.length < 100,
    }).toEqual({
      observed,
      loggedOutSometimes: true,
      loggedInSometimes: true,
    });
  });
});
