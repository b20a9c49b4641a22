// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts and Dockerfiles, where ${…} is parameter expansion.
/**
 * `oneproc check` on repositories and images, as CI runs it: the built CLI over the fixture
 * repositories in test/fixtures/sources/, with exact findings, files, lines and chains.
 */
import { brief, check, requireBuiltCli } from './cli-helpers';

beforeAll(requireBuiltCli);

describe('oneproc check reads what the image runs', () => {
  it('finds the write-up\'s CMD ["uvicorn", …, "--workers", "4"] in its Dockerfile', async () => {
    const { code, findings } = await check(['writeup']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'uvicorn',
        workers: 4,
        file: 'writeup/Dockerfile',
        line: 7,
        chain: ['writeup/Dockerfile:7'],
      },
    ]);
  });

  it('follows ENTRYPOINT into the script, its case dispatch on CMD, and ${WORKERS:-4} against ENV', async () => {
    const { findings } = await check(['entrypoint-script']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 2,
        file: 'entrypoint-script/Dockerfile',
        line: 2,
        chain: [
          'entrypoint-script/Dockerfile:6',
          'entrypoint-script/docker-entrypoint.sh:5',
          'entrypoint-script/Dockerfile:2',
        ],
      },
    ]);
  });

  it('judges only the final stage of a multi-stage build, with the ENV it inherits', async () => {
    const { findings } = await check(['multistage/Dockerfile']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 3,
        file: 'multistage/Dockerfile',
        line: 6,
        chain: ['multistage/Dockerfile:6'],
      },
    ]);
  });

  it('links a manifest container without a command to the only Dockerfile, through its script', async () => {
    const { code, findings } = await check(['linked']);
    expect(code).toBe(1);
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        rule: 'uvicorn',
        workers: 3,
        path: 'spec.template.spec.containers[0].env[0].value',
        file: 'linked/deploy.yaml',
        line: 14,
        kind: 'Deployment',
        name: 'api',
        container: 'api',
        chain: ['linked/deploy.yaml:10', 'linked/Dockerfile:3', 'linked/start.sh:3'],
      }),
    ]);
  });

  it('links with --dockerfile when the folders hold several Dockerfiles', async () => {
    const withoutLink = await check(['linked/deploy.yaml', 'writeup/Dockerfile']);
    expect(withoutLink.findings.map((f) => f.file)).toEqual(['writeup/Dockerfile']);
    const linked = await check([
      'linked/deploy.yaml',
      'writeup/Dockerfile',
      '--dockerfile',
      'linked/Dockerfile',
    ]);
    expect(linked.findings.map((f) => [f.file, f.rule, f.workers])).toEqual([
      ['linked/deploy.yaml', 'uvicorn', 3],
      ['writeup/Dockerfile', 'uvicorn', 4],
    ]);
  });

  it('checks an unpacked image with its config JSON (--image-root)', async () => {
    const { code, findings } = await check(['--image-root', 'image-root/rootfs']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 5,
        file: 'image-root/config.json',
        line: 1,
        chain: ['image-root/config.json:1', '/app/run.sh:2'],
      },
    ]);
  });

  it('says which option is missing for an image root without a config', async () => {
    const { code, stderr } = await check(['--image-root', 'linked']);
    expect(code).toBe(2);
    expect(stderr).toContain('oneproc check: linked: has no image config: name it with --image-config FILE');
  });

  it('follows the write-up\'s own layout: CMD ["python", "main.py"] and uvicorn.run(..., workers=WORKERS)', async () => {
    const { code, findings } = await check(['writeup-python']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'uvicorn',
        workers: 4,
        file: 'writeup-python/main.py',
        line: 7,
        chain: ['writeup-python/Dockerfile:4', 'writeup-python/main.py:16', 'writeup-python/main.py:7'],
      },
    ]);
  });

  it('reads workers from the gunicorn config named with -c: a per-CPU formula is an error', async () => {
    const { findings } = await check(['gunicorn-config']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: null,
        file: 'gunicorn-config/gunicorn.conf.py',
        line: 4,
        chain: ['gunicorn-config/Dockerfile:4', 'gunicorn-config/gunicorn.conf.py:4'],
      },
    ]);
  });

  it('reads the ./gunicorn.conf.py gunicorn loads by itself, with its env default', async () => {
    const { findings } = await check(['gunicorn-implicit']);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'gunicorn',
        workers: 3,
        file: 'gunicorn-implicit/gunicorn.conf.py',
        line: 3,
        chain: ['gunicorn-implicit/Dockerfile:4', 'gunicorn-implicit/gunicorn.conf.py:3'],
      },
    ]);
  });
});
