// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts and Dockerfiles, where ${…} is parameter expansion.
import { imageOf, parseDockerfile, readDockerfile } from '../../src/sources/dockerfile';
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

describe('an ENV set from a build argument a compose file gives', () => {
  const given = new Map([['W', '3']]);
  const places = new Map([['W', { file: 'compose.yaml', line: 6, key: 'services.web.build.args.W' }]]);
  const envOf = (text: string) => imageOf(parseDockerfile(text, 'Dockerfile', given, places)).env;

  it.each([
    ['ARG W=1\nENV WEB_CONCURRENCY=${W}', 'the stage ARG'],
    ['ARG W=1\nENV WEB_CONCURRENCY="$W"', 'a quoted reference'],
    ['ARG W', 'a global ARG taken by `ARG W` in the stage'],
  ])('points at the compose key when the whole value is the argument (%s)', (stage, _what) => {
    const text =
      stage === 'ARG W'
        ? 'ARG W=1\nFROM python:3.12\nARG W\nENV WEB_CONCURRENCY=$W\n'
        : `FROM python:3.12\n${stage}\n`;
    expect(envOf(text)).toEqual([
      {
        name: 'WEB_CONCURRENCY',
        value: '3',
        line: 6,
        file: 'compose.yaml',
        source: 'compose',
        key: 'services.web.build.args.W',
      },
    ]);
  });

  it.each([
    ['a value built around it', 'FROM python:3.12\nARG W=1\nENV GUNICORN_CMD_ARGS="--workers ${W}"\n'],
    ['an ENV of the same name first', 'FROM python:3.12\nARG W=1\nENV W=2\nENV WEB_CONCURRENCY=$W\n'],
    ['an ARG of an earlier stage', 'FROM python:3.12\nARG W=1\nFROM python:3.12\nENV WEB_CONCURRENCY=$W\n'],
  ])('keeps the Dockerfile ENV line for %s', (_what, text) => {
    const last = envOf(text).at(-1);
    expect(last?.line).toBe(text.split('\n').length - 1);
    expect(last?.file).toBeUndefined();
    expect(last?.source).toBeUndefined();
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
