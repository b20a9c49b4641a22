/**
 * Following what an image runs, at its bounds: scripts nested or unfolded past what is read, launchers
 * starting one another too deep, too many commands for one container. Each bound is said — a warning
 * when commands of a file the check read were skipped (the verdict may be incomplete), a note when a
 * file or program is not followed at all — never a silent pass.
 */

import { MAX_COMMANDS, MAX_PARSE_DEPTH, MAX_STEPS, scriptCommands } from '../../src/shell';
import { readDockerfile } from '../../src/sources/dockerfile';
import { checkImage, MAX_DEPTH, MAX_FOLLOWED } from '../../src/sources/image';
import type { SourceContext } from '../../src/sources/types';
import type { Note } from '../../src/types';

async function run(files: Record<string, string>, cmd: string) {
  const ctx: SourceContext = {
    workdir: '/',
    source: 'image',
    readFile: (name) => {
      const abs = name.startsWith('/') ? name : `/${name}`;
      return files[abs] === undefined ? undefined : { path: abs.slice(1), text: files[abs] };
    },
  };
  const notes: Note[] = [];
  const findings = await checkImage(readDockerfile(`FROM debian\nCMD ${cmd}\n`, 'Dockerfile'), ctx, {
    onNote: (n) => notes.push(n),
  });
  return {
    found: findings.map((f) => [f.severity, f.rule, f.workers, f.path]),
    messages: findings.map((f) => f.message),
    notes: notes.map((n) => [n.file, n.line, n.message]),
  };
}

describe('reading one script', () => {
  it(`says where it stopped when blocks nest more than ${MAX_PARSE_DEPTH} deep`, async () => {
    const depth = MAX_PARSE_DEPTH + 10;
    const lines = [
      '#!/bin/sh',
      ...Array(depth).fill('if true; then'),
      'gunicorn -w 4 app:app',
      ...Array(depth).fill('fi'),
    ];
    const { found, messages } = await run({ '/start.sh': lines.join('\n') }, '["/start.sh"]');
    // The `if` on line k nests k - 1 deep and its condition k deep: the first past the bound is the
    // condition on line MAX_PARSE_DEPTH + 1.
    expect(found).toEqual([['warning', 'limit', null, `start.sh:${MAX_PARSE_DEPTH + 1}`]]);
    expect(messages[0]).toContain(`commands nested more than ${MAX_PARSE_DEPTH} deep, oneproc's limit`);
  });

  it(`stops unfolding function calls after ${MAX_STEPS} commands, and says so`, () => {
    const lines = ['#!/bin/sh', 'f0() { export A=1; }'];
    for (let i = 1; i <= 16; i++) lines.push(`f${i}() { f${i - 1}; f${i - 1}; }`);
    lines.push('f16', 'gunicorn -w 4 app:app');
    const result = scriptCommands(lines.join('\n'), { file: 'start.sh' });
    expect(result.commands).toEqual([]);
    expect(result.problems.map((p) => [p.limit, p.message])).toEqual([
      [
        true,
        `a shell script runs more than ${MAX_STEPS.toLocaleString('en')} commands once its function calls are unfolded; oneproc stopped reading it there`,
      ],
    ]);
  });

  it(`reads ${MAX_COMMANDS} commands and warns at the line of the next`, async () => {
    const lines = ['#!/bin/sh', ...Array(MAX_COMMANDS).fill('echo'), 'exec gunicorn -w 4 app:app'];
    const { found } = await run({ '/start.sh': lines.join('\n') }, '["/start.sh"]');
    // The container's own command is the first followed, so the last `echo` is the one past it.
    expect(found).toEqual([['warning', 'limit', null, `start.sh:${MAX_COMMANDS + 1}`]]);
  });
});

describe('following scripts and launchers', () => {
  /** s1.sh runs s2.sh, … s{n}.sh runs `last`. */
  const nested = (n: number, last: string) => {
    const files: Record<string, string> = {};
    for (let i = 1; i < n; i++) files[`/s${i}.sh`] = `#!/bin/sh\n/s${i + 1}.sh\n`;
    files[`/s${n}.sh`] = `#!/bin/sh\n${last}\n`;
    return files;
  };

  it(`notes the script it does not follow, ${MAX_DEPTH} scripts deep`, async () => {
    const { found, notes } = await run(nested(MAX_DEPTH + 2, 'gunicorn -w 4 app:app'), '["/s1.sh"]');
    expect(found).toEqual([]);
    expect(notes).toEqual([
      [
        `s${MAX_DEPTH}.sh`,
        2,
        `s${MAX_DEPTH + 1}.sh is not followed: scripts, launchers and configs start one another more than ${MAX_DEPTH} deep here, so what it starts was not checked`,
      ],
    ]);
  });

  it('still follows scripts above that depth', async () => {
    const { found, notes } = await run(nested(MAX_DEPTH, 'gunicorn -w 4 app:app'), '["/s1.sh"]');
    expect(found).toEqual([['error', 'gunicorn', 4, `s${MAX_DEPTH}.sh:2`]]);
    expect(notes).toEqual([]);
  });

  it('notes each program of a launcher it reads too deep to follow the programs', async () => {
    const files = nested(MAX_DEPTH, 'supervisord -c /s.conf');
    files['/s.conf'] = '[supervisord]\n[program:web]\ncommand=gunicorn -w 4 app:app\n';
    const { found, notes } = await run(files, '["/s1.sh"]');
    expect(found).toEqual([]);
    expect(notes).toEqual([
      [
        's.conf',
        3,
        `\`gunicorn -w 4 app:app\` is not followed: scripts, launchers and configs start one another more than ${MAX_DEPTH} deep here, so what it starts was not checked`,
      ],
    ]);
  });

  it(`follows ${MAX_FOLLOWED} commands for one container, then warns where it stopped`, async () => {
    const conf = ['[supervisord]'];
    for (let i = 0; i < MAX_FOLLOWED + 5; i++) conf.push(`[program:p${i}]`, 'command=sleep 1');
    conf.push('[program:web]', 'command=gunicorn -w 4 app:app');
    const { found, messages } = await run({ '/s.conf': conf.join('\n') }, '["supervisord", "-c", "/s.conf"]');
    // The container's own command is the first followed; its programs the rest.
    const line = 2 * MAX_FOLLOWED + 1;
    expect(found).toEqual([['warning', 'limit', null, `s.conf:${line}`]]);
    expect(messages[0]).toBe(
      `oneproc followed ${MAX_FOLLOWED.toLocaleString('en')} commands of this container's scripts and launchers and stopped; \`sleep 1\` and the commands after it were not followed; the verdict for this container may be incomplete.`,
    );
  });
});

describe('launchers it does not follow', () => {
  it('notes a program run by another interpreter than the shell', async () => {
    const files = {
      '/app/serve': '#!/usr/bin/env python3\nimport uvicorn\nuvicorn.run("main:app", workers=4)\n',
    };
    const { found, notes } = await run(files, '["/app/serve"]');
    expect(found).toEqual([]);
    expect(notes).toEqual([
      [
        'Dockerfile',
        2,
        'app/serve is run by `#!/usr/bin/env python3`, which oneproc does not follow, so what it starts was not checked',
      ],
    ]);
  });
});
