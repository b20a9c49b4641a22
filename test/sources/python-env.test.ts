/**
 * A server started from Python code reads only the environment its Python API reads: `uvicorn.run()`
 * ignores UVICORN_* (read by uvicorn's click command line alone) but not WEB_CONCURRENCY; the Granian
 * class ignores GRANIAN_*; a gunicorn BaseApplication ignores GUNICORN_CMD_ARGS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../cli/run-check';

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
  const { out } = await runCheck(['--format', 'json', '.'], { cwd: dir });
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

it('the Granian class does not read WEB_CONCURRENCY either', async () => {
  expect(
    await findings(
      'WEB_CONCURRENCY=3',
      'from granian import Granian\n\nGranian("main:app", interface="asgi").serve()\n',
    ),
  ).toEqual([]);
});

// gunicorn/app/base.py: BaseApplication.do_load_config runs the subclass's load_config only; the
// GUNICORN_CMD_ARGS and ./gunicorn.conf.py reading is Application.load_config's (the CLI's). The
// `workers` default, int(os.environ.get("WEB_CONCURRENCY", 1)), is gunicorn/config.py's: read either way.
const GUNICORN_APP = [
  'from gunicorn.app.base import BaseApplication',
  '',
  'class StandaloneApplication(BaseApplication):',
  '    def __init__(self, app, options=None):',
  '        self.options = options or {}',
  '        self.application = app',
  '        super().__init__()',
  '',
  '    def load_config(self):',
  '        for key, value in self.options.items():',
  '            self.cfg.set(key, value)',
  '',
  '    def load(self):',
  '        return self.application',
  '',
  'def app(environ, start_response):',
  '    pass',
  '',
  'if __name__ == "__main__":',
  '    StandaloneApplication(app, {"bind": "0.0.0.0:8000"}).run()',
  '',
].join('\n');

it('a gunicorn BaseApplication does not read GUNICORN_CMD_ARGS', async () => {
  expect(await findings('GUNICORN_CMD_ARGS="-w 4"', GUNICORN_APP)).toEqual([]);
});

it('a gunicorn BaseApplication reads WEB_CONCURRENCY (the workers default)', async () => {
  expect(await findings('WEB_CONCURRENCY=3', GUNICORN_APP)).toEqual([['gunicorn', 3]]);
});

// hypercorn/run.py run(config): the count is config.workers alone; hypercorn reads no environment.
const HYPERCORN_RUN = [
  'from hypercorn.config import Config',
  'from hypercorn.run import run',
  '',
  'config = Config()',
  'config.application_path = "main:app"',
  '',
  'if __name__ == "__main__":',
  '    run(config)',
  '',
].join('\n');

it('hypercorn.run(config) does not read WEB_CONCURRENCY', async () => {
  expect(await findings('WEB_CONCURRENCY=4', HYPERCORN_RUN)).toEqual([]);
});

it('hypercorn.run(config) reads config.workers', async () => {
  const main = HYPERCORN_RUN.replace(
    'config.application_path',
    'config.workers = 2\nconfig.application_path',
  );
  expect(await findings('WEB_CONCURRENCY=1', main)).toEqual([['hypercorn', 2]]);
});
