import { readDockerfile } from '../../src/sources/dockerfile';
import { checkImage } from '../../src/sources/image';
import type { SourceContext } from '../../src/sources/types';

const NO_FILES: SourceContext = { workdir: '/', readFile: () => undefined };

async function verdicts(dockerfile: string, container?: Record<string, unknown>) {
  const spec = readDockerfile(dockerfile, 'Dockerfile');
  const findings = await checkImage(
    spec,
    NO_FILES,
    container ? { container, containerPath: 'spec.containers[0]' } : {},
  );
  return findings.map((f) => [f.severity, f.rule, f.workers, f.path]);
}

describe('checkImage', () => {
  it('expands $VAR from ENV in shell form, as /bin/sh does', async () => {
    expect(await verdicts('FROM python\nENV WORKERS=4\nCMD gunicorn -w $WORKERS app:app\n')).toEqual([
      ['error', 'gunicorn', 4, 'Dockerfile:2'],
    ]);
  });

  it('passes exec form words as written: no shell and no Kubernetes $(VAR) expansion', async () => {
    const found = await verdicts(
      'FROM python\nENV WORKERS=4\nCMD ["gunicorn", "-w", "$(WORKERS)", "app:app"]\n',
    );
    expect(found).toEqual([['warning', 'gunicorn', null, 'Dockerfile:3']]);
  });

  it('lets the manifest command replace ENTRYPOINT and drop CMD, and its env override ENV', async () => {
    const dockerfile =
      'FROM python\nENV WEB_CONCURRENCY=4\nENTRYPOINT ["gunicorn"]\nCMD ["-w", "3", "app:app"]\n';
    expect(await verdicts(dockerfile)).toEqual([['error', 'gunicorn', 3, 'Dockerfile:4']]);
    expect(await verdicts(dockerfile, { command: ['gunicorn', 'app:app'] })).toEqual([
      ['error', 'gunicorn', 4, 'Dockerfile:2'],
    ]);
    expect(
      await verdicts(dockerfile, {
        command: ['gunicorn', 'app:app'],
        env: [{ name: 'WEB_CONCURRENCY', value: '1' }],
      }),
    ).toEqual([]);
    expect(await verdicts(dockerfile, { args: ['-w', '2', 'app:app'] })).toEqual([
      ['error', 'gunicorn', 2, 'spec.containers[0].args[1]'],
    ]);
  });

  it('reports a script it cannot parse as a warning on that file', async () => {
    const ctx: SourceContext = {
      workdir: '/',
      readFile: (name) =>
        name === '/start.sh' ? { path: 'start.sh', text: '#!/bin/sh\ncase x in\n' } : undefined,
    };
    const findings = await checkImage(
      readDockerfile('FROM x\nENTRYPOINT ["/start.sh"]\n', 'Dockerfile'),
      ctx,
    );
    expect(findings.map((f) => [f.severity, f.rule, f.origin.file])).toEqual([
      ['warning', 'shell', 'start.sh'],
    ]);
  });

  it('reads a supervisord config whose programs start supervisord on that same config once', async () => {
    const conf = ['[supervisord]', 'nodaemon=true', '[program:web]', 'command=gunicorn -w 4 app:app'];
    for (let i = 0; i < 30; i++) conf.push(`[program:again${i}]`, 'command=supervisord -c /app/s.conf');
    let reads = 0;
    const ctx: SourceContext = {
      workdir: '/app',
      readFile: (name) => {
        reads++;
        return name === '/app/s.conf' || name === 's.conf'
          ? { path: 's.conf', text: conf.join('\n') }
          : undefined;
      },
    };
    const findings = await checkImage(
      readDockerfile('FROM x\nWORKDIR /app\nCMD ["supervisord", "-c", "s.conf"]\n', 'Dockerfile'),
      ctx,
    );
    expect(findings.map((f) => [f.severity, f.rule, f.workers, f.path])).toEqual([
      ['error', 'gunicorn', 4, 's.conf:4'],
    ]);
    // Each program is followed once; not 30 × 30 × 30 × 30 times down to the depth limit.
    expect(reads).toBeLessThan(500);
  });
});
