/**
 * The file boundary of `oneproc check`: links inside an unpacked image or a repository are resolved
 * by oneproc, inside the root it was given, never by the host — and whatever it does not read whole
 * is said. Real files and symbolic links in a temporary folder, checked through the CLI's own `run`.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../cli/run-check';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oneproc-boundary-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function link(name: string, target: string): void {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  symlinkSync(target, file);
}

interface Report {
  code: number;
  findings: {
    rule: string;
    severity: string;
    workers: number | null;
    file: string | null;
    message: string;
  }[];
  notes: { message: string; file: string | null }[];
  stderr: string;
}

async function check(argv: string[]): Promise<Report> {
  const { code, out, err } = await runCheck(['-f', 'json', ...argv], { cwd: dir });
  const report = out ? JSON.parse(out) : { findings: [], notes: [] };
  return { code, findings: report.findings, notes: report.notes, stderr: err };
}

const script = (workers: number) => `#!/bin/sh\nexec uvicorn main:app --workers ${workers}\n`;

/** An image config whose entrypoint is `entry`, beside the image root `rootfs/`. */
function imageConfig(entry: string): void {
  write('config.json', JSON.stringify({ config: { Entrypoint: [entry], WorkingDir: '/app' } }));
  mkdirSync(path.join(dir, 'rootfs', 'app'), { recursive: true });
}

describe('links inside --image-root are resolved inside the image', () => {
  /** A host file outside the image that a link must never reach. */
  let host: string;
  beforeEach(() => {
    host = write('host/start.sh', script(4));
  });

  it('an absolute link names an image path: the host file it spells is never read', async () => {
    imageConfig('/app/start.sh');
    link('rootfs/app/start.sh', host);
    const r = await check(['--image-root', 'rootfs']);
    expect(r.findings).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.notes.map((n) => n.message)).toEqual([
      `/app/start.sh is a symbolic link to ${host}, which is not in the image, so it was not followed`,
    ]);
  });

  it('an absolute link reads its target re-rooted under the image root when the image has it', async () => {
    imageConfig('/app/start.sh');
    link('rootfs/app/start.sh', host);
    write(path.join('rootfs', host), script(2));
    const r = await check(['--image-root', 'rootfs']);
    expect(r.findings).toEqual([
      expect.objectContaining({ rule: 'uvicorn', severity: 'error', workers: 2, file: '/app/start.sh' }),
    ]);
  });

  it('a climbing link stops at the image root, as `..` does at /', async () => {
    imageConfig('/app/start.sh');
    // From rootfs/app, enough `..` to reach the host's / and then down to the host file.
    const climb = `${'../'.repeat(30)}${host.slice(1)}`;
    link('rootfs/app/start.sh', climb);
    const outside = await check(['--image-root', 'rootfs']);
    expect(outside.findings).toEqual([]);
    expect(outside.notes.map((n) => n.message)).toEqual([
      `/app/start.sh is a symbolic link to ${climb}, which is not in the image, so it was not followed`,
    ]);

    write(path.join('rootfs', host), script(2));
    const inside = await check(['--image-root', 'rootfs']);
    expect(inside.findings.map((f) => f.workers)).toEqual([2]);
  });

  it('a folder link on the way is resolved inside the image too', async () => {
    imageConfig('/app/bin/start.sh');
    link('rootfs/app/bin', path.dirname(host));
    const r = await check(['--image-root', 'rootfs']);
    expect(r.findings).toEqual([]);
    expect(r.notes.map((n) => n.message)).toEqual([
      `/app/bin is a symbolic link to ${path.dirname(host)}, which is not in the image, so /app/bin/start.sh was not followed`,
    ]);
  });

  it('a looping link is a note, not a hang', async () => {
    imageConfig('/app/start.sh');
    link('rootfs/app/start.sh', 'again.sh');
    link('rootfs/app/again.sh', '/app/start.sh');
    const r = await check(['--image-root', 'rootfs']);
    expect(r.code).toBe(0);
    expect(r.notes.map((n) => n.message)).toEqual([
      '/app/start.sh: more than 40 symbolic links were met resolving it (a loop?), so it was not followed',
    ]);
  });

  it('an image config beside the root that links out of its folder is refused', async () => {
    write('secret.json', JSON.stringify({ config: { Cmd: ['uvicorn', 'main:app', '--workers', '4'] } }));
    mkdirSync(path.join(dir, 'image', 'rootfs'), { recursive: true });
    link('image/config.json', path.join(dir, 'secret.json'));
    const r = await check(['--image-root', 'image/rootfs']);
    expect(r.code).toBe(2);
    expect(r.findings).toEqual([]);
    expect(r.stderr).toContain(
      `image/config.json: cannot be used as the image config: /config.json is a symbolic link to ${path.join(dir, 'secret.json')}, which is not in the image`,
    );
  });
});

describe('folders listed for includes resolve their links inside the image', () => {
  beforeEach(() => {
    write(
      'config.json',
      JSON.stringify({ config: { Cmd: ['supervisord', '-n', '-c', '/etc/supervisor/supervisord.conf'] } }),
    );
    write('rootfs/etc/supervisor/supervisord.conf', '[supervisord]\n[include]\nfiles = conf.d/*.conf\n');
  });

  it('a linked include file is read where the image has it', async () => {
    write('rootfs/etc/supervisor/available/web.conf', '[program:web]\ncommand=gunicorn -w 4 app:app\n');
    link('rootfs/etc/supervisor/conf.d/web.conf', '../available/web.conf');
    const r = await check(['--image-root', 'rootfs']);
    expect(r.findings.map((f) => [f.rule, f.workers, f.file])).toEqual([
      ['gunicorn', 4, '/etc/supervisor/conf.d/web.conf'],
    ]);
  });

  it('an include file linked to a host path is not read, and a note says so', async () => {
    const host = write('host/web.conf', '[program:web]\ncommand=gunicorn -w 4 app:app\n');
    link('rootfs/etc/supervisor/conf.d/web.conf', host);
    const r = await check(['--image-root', 'rootfs']);
    expect(r.findings).toEqual([]);
    expect(r.notes.map((n) => n.message)).toEqual([
      `/etc/supervisor/conf.d/web.conf is a symbolic link to ${host}, which is not in the image, so it was not followed`,
    ]);
  });
});

describe('COPY sources are read as BuildKit reads them, inside the build context', () => {
  it('COPY ../repo-secrets/start.sh is <context>/repo-secrets/start.sh, never the sibling folder', async () => {
    write(
      'repo/Dockerfile',
      'FROM python:3.12\nCOPY ../repo-secrets/start.sh /start.sh\nENTRYPOINT ["/start.sh"]\n',
    );
    write('repo-secrets/start.sh', script(4));
    const none = await check(['repo']);
    expect(none.findings).toEqual([]);

    write('repo/repo-secrets/start.sh', script(2));
    const own = await check(['repo']);
    expect(own.findings).toEqual([
      expect.objectContaining({ rule: 'uvicorn', workers: 2, file: 'repo/repo-secrets/start.sh' }),
    ]);
  });

  it('a repository file linked out of the context is refused with a note naming it', async () => {
    write('repo/Dockerfile', 'FROM python:3.12\nCOPY start.sh /start.sh\nENTRYPOINT ["/start.sh"]\n');
    write('outside/start.sh', script(4));
    link('repo/start.sh', '../outside/start.sh');
    const r = await check(['repo']);
    expect(r.findings).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.notes).toEqual([
      expect.objectContaining({
        file: 'repo/start.sh',
        message:
          'repo/start.sh is a symbolic link to ../outside/start.sh, outside the build context, so it was not followed there: the builder resolves it inside the context, as repo/outside/start.sh, which does not exist',
      }),
    ]);
  });

  it('an absolute link is re-rooted under the context, as BuildKit does', async () => {
    const host = write('outside/start.sh', script(4));
    write('repo/Dockerfile', 'FROM python:3.12\nCOPY start.sh /start.sh\nENTRYPOINT ["/start.sh"]\n');
    link('repo/start.sh', host);
    write(path.join('repo', host), script(2));
    const r = await check(['repo']);
    expect(r.findings.map((f) => [f.workers, f.file])).toEqual([[2, path.join('repo', host)]]);
    expect(r.notes.map((n) => n.file)).toEqual(['repo/start.sh']);
  });

  it('a link inside a copied folder points into the image, not out of the context', async () => {
    write('repo/Dockerfile', 'FROM python:3.12\nCOPY app/ /app/\nENTRYPOINT ["/app/start.sh"]\n');
    write('outside/start.sh', script(4));
    link('repo/app/start.sh', '../../outside/start.sh');
    const r = await check(['repo']);
    expect(r.findings).toEqual([]);
    expect(r.notes.map((n) => n.message)).toEqual([
      'repo/app/start.sh is a symbolic link to ../../outside/start.sh: in the image that is /outside/start.sh, which the Dockerfile does not provide (COPY, ADD, RUN mv/cp/ln), so it was not followed',
    ]);
  });

  it('a link inside a copied folder is followed where the image has its target', async () => {
    write(
      'repo/Dockerfile',
      'FROM python:3.12\nCOPY app/ /app/\nCOPY scripts/ /opt/scripts/\nENTRYPOINT ["/app/start.sh"]\n',
    );
    write('repo/scripts/run.sh', script(3));
    link('repo/app/start.sh', '/opt/scripts/run.sh');
    const r = await check(['repo']);
    expect(r.findings.map((f) => [f.workers, f.file])).toEqual([[3, 'repo/scripts/run.sh']]);
  });
});

describe('files not read whole are said', () => {
  it('a config file over 1 MiB is a warning naming the file and the limit', async () => {
    write(
      'repo/Dockerfile',
      'FROM python:3.12\nCOPY . /app\nWORKDIR /app\nCMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]\n',
    );
    write('repo/gunicorn.conf.py', `workers = 4\n${'# padding\n'.repeat(110_000)}`);
    const r = await check(['repo']);
    // The count is then unknown (gunicorn's own warning), and the limit says why.
    expect(r.findings.map((f) => [f.rule, f.severity, f.file])).toEqual([
      ['gunicorn', 'warning', 'repo/Dockerfile'],
      ['limit', 'warning', 'repo/gunicorn.conf.py'],
    ]);
    expect(r.findings[1].message).toBe(
      'repo/gunicorn.conf.py is 1100012 bytes, over the 1 MiB limit for a script or config file, so it was not read; the verdict for this container may be incomplete.',
    );
    expect(r.code).toBe(0);
    expect((await check(['--strict', 'repo'])).code).toBe(1);
  });

  it('a binary entrypoint is a note, not "absent"', async () => {
    write('repo/Dockerfile', 'FROM python:3.12\nCOPY server /app/server\nENTRYPOINT ["/app/server"]\n');
    write('repo/server', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    const r = await check(['repo']);
    expect(r.notes.map((n) => n.message)).toEqual([
      'repo/server is a binary file (it holds a NUL byte), not a script or config file, so it was not read',
    ]);
  });
});
