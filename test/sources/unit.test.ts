/**
 * NGINX Unit: `unitd` starts each application of its JSON configuration `processes` times. Debian 12
 * has no Unit package, so the semantics are Unit 1.35's own source (nginx/unit
 * src/nxt_conf_validation.c `nxt_conf_vldt_processes`, src/nxt_router.c `nxt_router_conf_create`,
 * src/nxt_runtime.c `nxt_runtime_conf_init`, pkg/docker/docker-entrypoint.sh), cited in
 * src/servers/unit/config.ts; these tests hold oneproc to them through the CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stripUnitComments, unitProcesses } from '../../src/servers/unit/config';
import { runCheck } from '../cli/run-check';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'sources');

interface Report {
  findings: Array<{
    severity: string;
    rule: string;
    workers: number | null;
    file: string;
    line: number;
    message: string;
    chain?: string[];
  }>;
  notes: Array<{ message: string; file: string | null; line: number | null }>;
}

async function check(argv: string[], cwd = FIXTURES): Promise<{ code: number; report: Report }> {
  const { code, out } = await runCheck(['--format', 'json', ...argv], { cwd });
  return { code, report: JSON.parse(out) as Report };
}

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-unit-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('NGINX Unit', () => {
  it("reads the official image's /docker-entrypoint.d/*.json: each application's processes, at its line", async () => {
    const { code, report } = await check(['unit-json']);
    expect(report.findings.map((f) => [f.rule, f.severity, f.workers, f.file, f.line, f.chain])).toEqual([
      [
        'unit',
        'error',
        4,
        'unit-json/config.json',
        15,
        ['unit-json/Dockerfile:1', 'unit-json/config.json:15'],
      ],
      [
        'unit',
        'error',
        3,
        'unit-json/config.json',
        21,
        ['unit-json/Dockerfile:1', 'unit-json/config.json:21'],
      ],
    ]);
    expect(report.findings[0].message).toContain('Unit keeps 4 processes of application "web"');
    expect(report.findings[1].message).toContain(
      'Unit starts 1 of application "admin" and more under load, up to 3',
    );
    expect(report.findings[1].message).toContain(
      'Fix: set `"processes": 1` (or remove it) for the application',
    );
    expect(code).toBe(1);
  });

  it('reads STATEDIR/conf.json first, from --statedir', async () => {
    const dir = repo({
      Dockerfile:
        'FROM debian:bookworm\nCOPY state/ /srv/unit/\nCOPY snippet.json /docker-entrypoint.d/\nCMD ["unitd", "--no-daemon", "--statedir", "/srv/unit"]\n',
      'state/conf.json': '{"applications": {"app": {"type": "python", "module": "wsgi", "processes": 2}}}\n',
      'snippet.json': '{"applications": {"app": {"type": "python", "module": "wsgi", "processes": 6}}}\n',
    });
    try {
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.workers, f.file, f.line])).toEqual([[2, 'state/conf.json', 1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is fine with one process per application, and says so when no configuration is in the image', async () => {
    const one = repo({
      Dockerfile: 'FROM unit:1.34.1-python3.12\nCOPY config.json /docker-entrypoint.d/\n',
      'config.json':
        '{"applications": {"a": {"type": "python", "processes": 1}, "b": {"type": "python", "processes": {"spare": 0}}, "c": {"type": "python"}}}\n',
    });
    const none = repo({ Dockerfile: 'FROM unit:1.34.1-python3.12\nCOPY app/ /www/\n', 'app/wsgi.py': '' });
    try {
      const fine = (await check(['.'], one)).report;
      expect(fine.findings).toEqual([]);
      // config.json, found while walking, is no manifest: only that may be said of it.
      expect(fine.notes.filter((n) => !n.message.startsWith('skipped:'))).toEqual([]);
      const { code, report } = await check(['.'], none);
      expect(code).toBe(0);
      expect(report.findings).toEqual([]);
      expect(report.notes).toEqual([
        expect.objectContaining({
          file: 'Dockerfile',
          line: 1,
          message:
            '`unitd` (NGINX Unit) starts the applications of its configuration, and none is in the image as its Dockerfile builds it (/var/lib/unit/conf.json, /docker-entrypoint.d/*.json): it is given at run time, so the applications it starts were not checked (a `curl -X PUT --data-binary @FILE` to its control socket in a script is read where it runs)',
        }),
      ]);
    } finally {
      rmSync(one, { recursive: true, force: true });
      rmSync(none, { recursive: true, force: true });
    }
  });

  it('reads a configuration PUT from inside a command substitution, in a function run in the background', async () => {
    const dir = repo({
      Dockerfile:
        'FROM debian:bookworm\nCOPY unit.json /etc/unit/config.json\nCOPY launch.sh /launch.sh\nCMD ["/launch.sh"]\n',
      'launch.sh': [
        '#!/bin/sh',
        'load() {',
        '  CODE=$(curl -s -w "%{http_code}" -X PUT --data-binary @/etc/unit/config.json --unix-socket /run/unit.sock http://localhost/config)',
        '  [ "$CODE" = 200 ] || echo failed',
        '}',
        'load &',
        'exec unitd --no-daemon --control unix:/run/unit.sock',
        '',
      ].join('\n'),
      'unit.json':
        '{\n  "applications": {\n    "app": { "type": "python", "processes": { "max": 4, "spare": 1 } }\n  }\n}\n',
    });
    try {
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([
        ['unit', 4, 'unit.json', 3],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the configuration a script PUTs to the control socket with curl', async () => {
    const dir = repo({
      Dockerfile:
        'FROM debian:bookworm\nCOPY start.sh /start.sh\nCOPY unit/ /etc/unit/\nCMD ["/bin/sh", "/start.sh"]\n',
      'start.sh': [
        '#!/bin/sh',
        'unitd --control unix:/var/run/control.unit.sock',
        'curl -X PUT --data-binary @/etc/unit/config.json --unix-socket /var/run/control.unit.sock http://localhost/config',
        'curl -sX PUT -d@/etc/unit/apps.json --unix-socket /var/run/control.unit.sock localhost/config/applications/',
        'curl -X PUT --data-binary @/etc/unit/missing.json --unix-socket /var/run/control.unit.sock http://localhost/config',
        'curl -s http://localhost/config/applications/web',
        'kill -TERM "$(cat /var/run/unit.pid)"',
        'exec unitd --no-daemon --control unix:/var/run/control.unit.sock',
        '',
      ].join('\n'),
      'unit/config.json': '{\n  "applications": {\n    "web": { "type": "python", "processes": 3 }\n  }\n}\n',
      'unit/apps.json': '{\n  "api": { "type": "python", "processes": { "max": 5 } }\n}\n',
    });
    try {
      const { report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.rule, f.workers, f.file, f.line])).toEqual([
        ['unit', 3, 'unit/config.json', 3],
        ['unit', 5, 'unit/apps.json', 2],
      ]);
      expect(report.notes.map((n) => [n.file, n.line, n.message])).toContainEqual([
        'start.sh',
        5,
        '/etc/unit/missing.json, the NGINX Unit configuration `curl` sends to /config, is not in the image (it may come from the base image debian:bookworm or a RUN step), so the applications it sets were not checked',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns that Unit refuses a configuration whose processes its check rejects', async () => {
    const dir = repo({
      Dockerfile: 'FROM unit:1.34.1-python3.12\nCOPY config.json /docker-entrypoint.d/\n',
      'config.json':
        '{\n "applications": {\n  "a": {"type": "python", "processes": {"max": 2, "spare": 3}}\n }\n}\n',
    });
    try {
      const { code, report } = await check(['.'], dir);
      expect(report.findings.map((f) => [f.severity, f.line])).toEqual([['warning', 3]]);
      expect(report.findings[0].message).toContain('The "spare" number must be less than or equal to "max".');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Unit's processes", () => {
  it('an integer keeps that many; an object starts spare, up to max (default 1); anything else is rejected', () => {
    expect(unitProcesses(undefined)).toEqual({ outcome: 'single' });
    expect(unitProcesses(1)).toEqual({ outcome: 'single' });
    expect(unitProcesses(5)).toEqual({ outcome: 'multiple', max: 5, spare: 5 });
    expect(unitProcesses({ spare: 0 })).toEqual({ outcome: 'single' });
    expect(unitProcesses({ max: 8 })).toEqual({ outcome: 'multiple', max: 8, spare: 0 });
    expect(unitProcesses(0)).toMatchObject({ outcome: 'refused' });
    expect(unitProcesses(2.5)).toMatchObject({ outcome: 'refused' });
    expect(unitProcesses('4')).toMatchObject({ outcome: 'refused' });
    expect(unitProcesses({ max: 0 })).toMatchObject({ outcome: 'refused' });
    expect(unitProcesses({ spare: -1 })).toMatchObject({ outcome: 'refused' });
    expect(unitProcesses({ workers: 2 })).toMatchObject({ outcome: 'refused' });
    expect(unitProcesses(2 ** 31)).toMatchObject({ outcome: 'refused' });
  });

  it("blanks Unit's // and /* */ comments, not the text of strings, and keeps the lines", () => {
    const text = '{ // one\n "a": "http://x/*y*/", /* two\n three */ "b": 1 }';
    const out = stripUnitComments(text);
    expect(JSON.parse(out)).toEqual({ a: 'http://x/*y*/', b: 1 });
    expect(out.split('\n')).toHaveLength(3);
  });
});
