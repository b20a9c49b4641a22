/**
 * The Python readers on large and hostile files: what they read whole, and the warning that names the
 * file, the line and the limit when they cannot (the verdict may be incomplete, never a silent pass).
 */
import { readDockerfile } from '../../src/sources/dockerfile';
import { checkImage } from '../../src/sources/image';
import { MAX_SERVER_CALLS } from '../../src/sources/python/entry';
import type { SourceContext } from '../../src/sources/types';
import type { Note } from '../../src/types';

/** An image whose /app holds `files`, running `cmd`; the names read are counted. */
function image(files: Record<string, string>) {
  const reads = new Map<string, number>();
  const ctx: SourceContext = {
    workdir: '/app',
    readFile: (name) => {
      const rel = name.replace(/^\/app\//, '');
      if (!Object.hasOwn(files, rel)) return undefined;
      reads.set(rel, (reads.get(rel) ?? 0) + 1);
      return { path: rel, text: files[rel] };
    },
  };
  return { ctx, reads };
}

async function verdicts(cmd: string, files: Record<string, string>) {
  const { ctx, reads } = image(files);
  const findings = await checkImage(
    readDockerfile(`FROM python\nWORKDIR /app\nCMD ${cmd}\n`, 'Dockerfile'),
    ctx,
  );
  return {
    found: findings.map((f) => [f.severity, f.rule, f.workers, f.path]),
    messages: findings.map((f) => f.message),
    reads,
  };
}

/** `w0 = 4`, `w1 = w0`, … `workers = w{n-1}`: one line per step. */
function chain(n: number): string[] {
  const lines = ['w0 = 4'];
  for (let i = 1; i < n; i++) lines.push(`w${i} = w${i - 1}`);
  lines.push(`workers = w${n - 1}`);
  return lines;
}

describe('the Python entry-point reader on large files', () => {
  it('reads uvicorn.run(workers=4) after a 400 KB list literal', async () => {
    const data = Array.from({ length: 200000 }, (_, i) => i % 10).join(',');
    const main = `import uvicorn\n\nDATA = [${data}]\n\nuvicorn.run("main:app", workers=4)\n`;
    expect(main.length).toBeGreaterThan(400000);
    const { found } = await verdicts('["python", "main.py"]', { 'main.py': main });
    expect(found).toEqual([['error', 'uvicorn', 4, 'main.py:5']]);
  });

  it('resolves a 60,000-step assignment chain to the literal it starts from', async () => {
    const main = ['import uvicorn', ...chain(60000), 'uvicorn.run("main:app", workers=workers)'].join('\n');
    const { found } = await verdicts('["python", "main.py"]', { 'main.py': main });
    expect(found).toEqual([['error', 'uvicorn', 4, 'main.py:2']]);
  });

  it('says so when the calls before the server start exceed what one walk reads', async () => {
    const calls = Array.from({ length: 80000 }, () => 'print()');
    const main = ['import uvicorn', ...calls, 'uvicorn.run("main:app", workers=4)'].join('\n');
    const { found, messages } = await verdicts('["python", "main.py"]', { 'main.py': main });
    expect(found).toHaveLength(1);
    const [severity, rule, workers, path] = found[0];
    expect([severity, rule, workers]).toEqual(['warning', 'limit', null]);
    expect(path).toMatch(/^main\.py:\d+$/);
    expect(messages[0]).toMatch(/^main\.py is too large to read whole: oneproc read 200,000 syntax nodes/);
    expect(messages[0]).toContain('the verdict for this container may be incomplete');
  });

  it(`reads the first ${MAX_SERVER_CALLS} server starts of a file and says the rest were not read`, async () => {
    const runs = Array.from(
      { length: MAX_SERVER_CALLS + 5 },
      (_, i) => `uvicorn.run("main:app", workers=${i + 2})`,
    );
    const main = ['import uvicorn', ...runs].join('\n');
    const { found, messages } = await verdicts('["python", "main.py"]', { 'main.py': main });
    expect(found).toHaveLength(MAX_SERVER_CALLS + 1);
    expect(found[0]).toEqual(['error', 'uvicorn', 2, 'main.py:2']);
    const limit = found.findIndex((f) => f[1] === 'limit');
    expect(found[limit]).toEqual(['warning', 'limit', null, `main.py:${MAX_SERVER_CALLS + 2}`]);
    expect(messages[limit]).toContain(`starts servers more than ${MAX_SERVER_CALLS} times`);
  });

  it('reads one TOML file for a hypercorn config rebuilt on every line, the last one before run()', async () => {
    const lines = ['from hypercorn.config import Config', 'from hypercorn.run import run'];
    for (let i = 0; i < 2000; i++) lines.push('config = Config.from_toml("hypercorn.toml")');
    lines.push('config.application_path = "main:app"', 'run(config)');
    const { found, reads } = await verdicts('["python", "main.py"]', {
      'main.py': lines.join('\n'),
      'hypercorn.toml': 'workers = 3\n',
    });
    expect(found).toEqual([['error', 'hypercorn', 3, 'hypercorn.toml:1']]);
    expect(reads.get('hypercorn.toml')).toBe(1);
  });
});

describe('the gunicorn config reader on long assignment chains', () => {
  it('resolves `workers = w59999` through 60,000 aliases to the 4 they start from', async () => {
    const { found } = await verdicts('["gunicorn", "app:app"]', {
      'gunicorn.conf.py': chain(60000).join('\n'),
    });
    expect(found).toEqual([['error', 'gunicorn', 4, 'gunicorn.conf.py:1']]);
  });

  it('says which name refers to itself in a cycle of aliases', async () => {
    const { found, messages } = await verdicts('["gunicorn", "app:app"]', {
      'gunicorn.conf.py': 'a = b\nb = a\nworkers = a\n',
    });
    expect(found).toEqual([['warning', 'gunicorn', null, 'gunicorn.conf.py:3']]);
    expect(messages[0]).toContain('is assigned from itself');
  });
});

describe('what the Python entry-point reader cannot follow', () => {
  async function notes(cmd: string, source: 'repository' | 'image') {
    const { ctx } = image({});
    const said: Note[] = [];
    await checkImage(
      readDockerfile(`FROM python\nWORKDIR /app\nCMD ${cmd}\n`, 'Dockerfile'),
      { ...ctx, source },
      {
        onNote: (n) => said.push(n),
      },
    );
    return said.map((n) => [n.file, n.line, n.message]);
  }

  it('notes a script `python` runs that the image does not have', async () => {
    expect(await notes('["python", "-u", "main.py"]', 'repository')).toEqual([
      [
        'Dockerfile',
        3,
        "main.py is not copied into the image by the Dockerfile's COPY or ADD, so the server it may start was not checked",
      ],
    ]);
    expect(await notes('python main.py', 'image')).toEqual([
      ['Dockerfile', 3, 'main.py is not in the image, so the server it may start was not checked'],
    ]);
  });

  it('notes a `python -m` module it does not find, and not a server module a rule judges', async () => {
    expect(await notes('["python", "-m", "app.server"]', 'image')).toEqual([
      [
        'Dockerfile',
        3,
        'the module app.server of `python -m` is not found in the working directory or PYTHONPATH (an installed package is not read), so what it starts was not checked',
      ],
    ]);
    expect(await notes('["python", "-m", "uvicorn", "main:app"]', 'image')).toEqual([]);
  });
});
