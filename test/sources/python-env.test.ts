/**
 * A server started from Python code reads only the environment its Python API reads: `uvicorn.run()`
 * ignores UVICORN_* (read by uvicorn's click command line alone) but not WEB_CONCURRENCY; the Granian
 * class ignores GRANIAN_*; a gunicorn BaseApplication ignores GUNICORN_CMD_ARGS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type CheckIO, run } from '../../src/cli/check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-pyenv-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function findings(env: string, main: string) {
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    `FROM python:3.12\nWORKDIR /app\nCOPY main.py .\nENV ${env}\nCMD ["python", "main.py"]\n`,
  );
  writeFileSync(path.join(dir, 'main.py'), main);
  let out = '';
  const io: CheckIO = {
    stdout: (t) => {
      out += t;
    },
    stderr: () => {},
    stdin: async function* () {},
    cwd: dir,
    color: false,
  };
  await run(['--format', 'json', '.'], io);
  return (JSON.parse(out) as { findings: Array<{ rule: string; workers: number | null }> }).findings.map(
    (f) => [f.rule, f.workers],
  );
}

const UVICORN =
  'import uvicorn\n\napp = None\n\nif __name__ == "__main__":\n    uvicorn.run("main:app", host="0.0.0.0")\n';

it('uvicorn.run() does not read UVICORN_WORKERS', async () => {
  expect(await findings('UVICORN_WORKERS=4', UVICORN)).toEqual([]);
});

it('uvicorn.run() reads WEB_CONCURRENCY', async () => {
  expect(await findings('WEB_CONCURRENCY=4', UVICORN)).toEqual([['uvicorn', 4]]);
});

it('the Granian class does not read GRANIAN_WORKERS', async () => {
  expect(
    await findings(
      'GRANIAN_WORKERS=3',
      'from granian import Granian\n\nGranian("main:app", interface="asgi").serve()\n',
    ),
  ).toEqual([]);
});
