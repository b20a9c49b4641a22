/**
 * The count a source reader claims is the count the real server starts: Debian's gunicorn run on the
 * fixture's gunicorn.conf.py, and the write-up's `python main.py` (uvicorn.run with workers) run with
 * Debian's FastAPI and uvicorn. Each runs as PID 1 of a private PID and network namespace, counted
 * from /proc with `oneproc observe`'s reader, and stopped with its namespace.
 */
import { claimed, realCount, requireDebian, stopStarted } from './real-helpers';

const NEEDS: Record<string, string> = {
  '/usr/bin/gunicorn': 'gunicorn',
  '/usr/lib/python3/dist-packages/uvicorn': 'python3-uvicorn',
  '/usr/lib/python3/dist-packages/fastapi': 'python3-fastapi',
  '/usr/bin/unshare': 'util-linux',
};

beforeAll(() => requireDebian(NEEDS));
afterAll(stopStarted);

describe('source readers against the real servers', () => {
  it('gunicorn loads ./gunicorn.conf.py by itself and starts the workers it sets', async () => {
    const claim = await claimed('gunicorn-implicit');
    expect(claim).toBe(3);
    expect(
      await realCount('gunicorn-implicit', ['/usr/bin/gunicorn', '-b', '127.0.0.1:8000', 'app:app'], {}, 3),
    ).toBe(3);
  }, 30000);

  it('python main.py with uvicorn.run(workers=WORKERS) starts the workers the reader claims', async () => {
    const claim = await claimed('writeup-python');
    expect(claim).toBe(4);
    expect(await realCount('writeup-python', ['/usr/bin/python3', 'main.py'], {}, 4)).toBe(4);
  }, 30000);
});
