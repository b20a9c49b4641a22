/**
 * A program oneproc does not know, followed by the words of a server (`/entrypoint.sh gunicorn -w 4
 * app:app`): most entrypoint scripts end in `exec "$@"`, so those words are what runs. From a manifest
 * alone the script is not visible: a warning that names the wrapper and says what the server would do.
 * Where the script can be read (the image door), it is followed instead, and its `exec "$@"` decides.
 */
import { checkContainer } from '../../src/engine';
import { readDockerfile } from '../../src/sources/dockerfile';
import { checkImage } from '../../src/sources/image';
import type { SourceContext } from '../../src/sources/types';

const brief = (container: unknown) =>
  checkContainer(container).map((f) => ({
    rule: f.rule,
    severity: f.severity,
    workers: f.workers,
    path: f.path,
    message: f.message,
  }));

describe('a wrapper script that is not visible', () => {
  it('is a warning naming the script and what the server would start', () => {
    const [finding, ...rest] = brief({ command: ['/entrypoint.sh', 'gunicorn', '-w', '4', 'app:app'] });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'gunicorn',
      severity: 'warning',
      workers: null,
      path: 'container.command[3]',
    });
    expect(finding.message).toContain('`/entrypoint.sh` runs the words after it');
    expect(finding.message).toContain('gunicorn starts 4 worker processes');
  });

  it('names `sh SCRIPT` whole, and works with args under an unknown ENTRYPOINT', () => {
    const [viaSh] = brief({ command: ['sh', '/entrypoint.sh', 'uvicorn', 'app:app', '--workers=3'] });
    expect(viaSh.message).toContain('`sh /entrypoint.sh` runs the words after it');
    expect(viaSh.message).toContain('uvicorn starts 3 worker processes');
    const [args] = brief({ args: ['/docker-entrypoint.sh', 'celery', '-A', 'proj', 'worker', '-c', '4'] });
    expect(args).toMatchObject({ rule: 'celery', severity: 'warning', path: 'container.args[6]' });
    expect(args.message).toContain('`/docker-entrypoint.sh` runs the words after it');
  });

  it('reads the server after the wrapper’s own arguments, and the env the server reads', () => {
    const [finding] = brief({
      command: ['/usr/local/bin/start', '--migrate', 'production', 'gunicorn', 'app:app'],
      env: [{ name: 'WEB_CONCURRENCY', value: '5' }],
    });
    expect(finding).toMatchObject({ rule: 'gunicorn', severity: 'warning', path: 'container.env[0].value' });
    expect(finding.message).toContain('`/usr/local/bin/start --migrate production` runs the words after it');
  });

  it('says what a refused count or thin cluster mode would do', () => {
    const [refused] = brief({ command: ['/entrypoint.sh', 'gunicorn', '-w', '0x4', 'app:app'] });
    expect(refused.message).toContain('gunicorn refuses its worker count');
    const [thin] = brief({ command: ['/run.sh', 'thin', 'start', '-s', '2'] });
    expect(thin.message).toContain('Thin does not keep the container running');
  });

  it('says nothing when the server would run one process', () => {
    expect(brief({ command: ['/entrypoint.sh', 'gunicorn', '-w', '1', 'app:app'] })).toEqual([]);
    expect(brief({ command: ['/entrypoint.sh', 'uvicorn', 'app:app'] })).toEqual([]);
    expect(brief({ command: ['/entrypoint.sh', 'php-fpm', '-F'] })).toEqual([]);
  });

  it('does not read the arguments of programs whose arguments are data', () => {
    expect(brief({ command: ['pip', 'install', 'dramatiq', 'redis'] })).toEqual([]);
    expect(brief({ command: ['chmod', '+x', '/usr/local/bin/dramatiq'] })).toEqual([]);
    expect(brief({ command: ['echo', 'gunicorn', '-w', '4'] })).toEqual([]);
    expect(brief({ command: ['npm', 'install', 'pm2', '-g'] })).toEqual([]);
  });
});

describe('a wrapper script that the image door can read', () => {
  async function image(files: Record<string, string>) {
    const ctx: SourceContext = {
      workdir: '/',
      source: 'image',
      readFile: (name) => {
        const abs = name.startsWith('/') ? name : `/${name}`;
        return files[abs] === undefined ? undefined : { path: abs.slice(1), text: files[abs] };
      },
    };
    const dockerfile =
      'FROM python:3.12\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "-w", "4", "app:app"]\n';
    const findings = await checkImage(readDockerfile(dockerfile, 'Dockerfile'), ctx);
    return findings.map((f) => ({ rule: f.rule, severity: f.severity, workers: f.workers }));
  }

  it('is followed: its `exec "$@"` runs gunicorn -w 4, an error', async () => {
    expect(await image({ '/entrypoint.sh': '#!/bin/sh\nset -e\nexec "$@"\n' })).toEqual([
      { rule: 'gunicorn', severity: 'error', workers: 4 },
    ]);
  });

  it('is followed: a script that runs something else says nothing about the arguments', async () => {
    expect(await image({ '/entrypoint.sh': '#!/bin/sh\nexec gunicorn -w 1 app:app\n' })).toEqual([]);
  });

  it('is a warning naming it when the file is not in the image', async () => {
    expect(await image({})).toEqual([{ rule: 'gunicorn', severity: 'warning', workers: null }]);
  });
});
