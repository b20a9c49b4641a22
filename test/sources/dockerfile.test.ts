// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts and Dockerfiles, where ${…} is parameter expansion.
import { readDockerfile } from '../../src/sources/dockerfile';
import { readImageConfig } from '../../src/sources/image-config';

describe('readDockerfile', () => {
  it('takes the final stage, inheriting ENV and WORKDIR from the stage it is built FROM', () => {
    const spec = readDockerfile(
      [
        'ARG PY=3.12',
        'FROM python:${PY}-slim AS base',
        'ENV WEB_CONCURRENCY=3 \\',
        '    APP_HOME=/srv',
        'WORKDIR $APP_HOME',
        'CMD ["gunicorn", "-w", "8", "app:app"]',
        'FROM node:20 AS assets',
        'CMD ["node", "build.js"]',
        'FROM base',
        'COPY --from=assets /dist ./static',
        'COPY start.sh /start.sh',
        'CMD gunicorn -b :8000 app:app',
      ].join('\n'),
      'Dockerfile',
    );
    expect(spec).toMatchObject({
      file: 'Dockerfile',
      cmd: { words: ['/bin/sh', '-c', 'gunicorn -b :8000 app:app'], shell: true, line: 12 },
      env: [
        { name: 'WEB_CONCURRENCY', value: '3', line: 3 },
        { name: 'APP_HOME', value: '/srv', line: 3 },
      ],
      workdir: '/srv',
      copies: [
        { sources: ['/dist'], dest: '/srv/static', line: 10, fromStage: 'assets' },
        { sources: ['start.sh'], dest: '/start.sh', line: 11 },
      ],
      base: 'python:3.12-slim',
    });
  });

  it('reads exec form without expansion and lets ENTRYPOINT reset an inherited CMD', () => {
    const spec = readDockerfile(
      'FROM python AS a\nCMD ["x"]\nFROM a\nENTRYPOINT ["uvicorn", "main:app", "--workers", "${WORKERS}"]\n',
      'Dockerfile',
    );
    expect(spec.entrypoint).toEqual({
      words: ['uvicorn', 'main:app', '--workers', '${WORKERS}'],
      shell: false,
      line: 4,
    });
    expect(spec.cmd).toBeUndefined();
  });

  it('runs invalid JSON as shell form, as Docker does', () => {
    expect(readDockerfile("FROM x\nCMD ['uvicorn', 'main:app']\n", 'D').cmd).toEqual({
      words: ['/bin/sh', '-c', "['uvicorn', 'main:app']"],
      shell: true,
      line: 2,
    });
  });

  it.each([
    ['an empty file', ''],
    ['no FROM', 'CMD ["x"]\n'],
    ['binary-ish text', '\u0001\u0002FROM\u0000'],
  ])('gives an empty image for %s', (_name, text) => {
    expect(readDockerfile(text, 'D')).toMatchObject({ env: [], copies: [] });
  });
});

describe('readImageConfig', () => {
  it('reads an OCI config and docker inspect output', () => {
    const oci = JSON.stringify({
      config: { Entrypoint: ['/app/run.sh'], Cmd: ['web'], Env: ['A=1', 'B=x=y'], WorkingDir: '/app' },
    });
    expect(readImageConfig(oci, 'config.json')).toEqual({
      file: 'config.json',
      entrypoint: { words: ['/app/run.sh'], shell: false, line: 1 },
      cmd: { words: ['web'], shell: false, line: 1 },
      env: [
        { name: 'A', value: '1', line: 1 },
        { name: 'B', value: 'x=y', line: 1 },
      ],
      workdir: '/app',
      copies: [],
      base: '',
    });
    expect(
      readImageConfig(JSON.stringify([{ Config: { Cmd: ['gunicorn'] } }]), 'inspect.json').cmd?.words,
    ).toEqual(['gunicorn']);
  });

  it('names the file when the JSON is not an image config', () => {
    expect(() => readImageConfig('{"kind":"Pod"}', 'x.json')).toThrow('x.json: has no "config" object');
    expect(() => readImageConfig('{', 'x.json')).toThrow(/^x\.json: is not JSON/);
  });
});
