/**
 * supervisord's `[include]` on hostile configs: repeated patterns and matches cost one read each, the
 * bounds on patterns and files are said with the file and line, and what cannot be followed is a note.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SERVER_MENTION } from '../../src/servers/registry';
import {
  MAX_INCLUDE_PATTERNS,
  MAX_INCLUDED_FILES,
  supervisordReader,
} from '../../src/servers/supervisord/config';
import type { Expansion, SourceContext, SourceReport } from '../../src/sources/types';

/** The reader as the registry builds it. */
const supervisordConfig = supervisordReader(SERVER_MENTION);

/** A context over `/etc` files, counting reads and folder listings, keeping what is reported. */
function image(files: Record<string, string>, source?: 'repository' | 'image') {
  const reads = new Map<string, number>();
  let listings = 0;
  const reports: SourceReport[] = [];
  const ctx: SourceContext = {
    workdir: '/',
    ...(source ? { source } : {}),
    readFile: (name) => {
      const abs = name.startsWith('/') ? name : `/${name}`;
      if (files[abs] === undefined) return undefined;
      reads.set(abs, (reads.get(abs) ?? 0) + 1);
      return { path: abs.slice(1), text: files[abs] };
    },
    listFiles: (dir) => {
      listings++;
      const names = Object.keys(files)
        .filter((f) => f.slice(0, f.lastIndexOf('/')) === dir)
        .map((f) => f.slice(f.lastIndexOf('/') + 1));
      return names.length > 0 ? names : undefined;
    },
    report: (r) => reports.push(r),
  };
  const run = () =>
    supervisordConfig.expand(
      {
        argv: ['supervisord', '-c', '/etc/supervisord.conf'].map((text) => ({ text, path: 'Dockerfile:5' })),
        env: new Map(),
        wrappers: [],
      },
      ctx,
    ) as Expansion;
  return { run, reads, reports, listings: () => listings };
}

const program = (name: string) => `[program:${name}]\ncommand=gunicorn -w 4 ${name}:app\n`;
const names = (e: Expansion) => (e.programs ?? []).map((p) => p.command.argv[3].text);

describe('supervisord [include]', () => {
  it('reads each included file once for 20,000 repeats of one pattern', () => {
    const files: Record<string, string> = {
      '/etc/supervisord.conf': `[supervisord]\n[include]\nfiles = ${Array(20000).fill('conf.d/*.conf').join(' ')}\n`,
    };
    for (let i = 0; i < 10; i++) files[`/etc/conf.d/p${i}.conf`] = program(`p${i}`);
    const { run, reads, reports, listings } = image(files);
    expect(names(run())).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}:app`));
    expect(reads.get('/etc/conf.d/p0.conf')).toBe(1);
    expect(listings()).toBe(1);
    expect(reports).toEqual([]);
  });

  it('reads overlapping patterns once per file, with the values supervisord ends with', () => {
    // supervisord reads a.conf, b.conf, then a.conf again: a's numprocs wins.
    const files: Record<string, string> = {
      '/etc/supervisord.conf':
        '[supervisord]\n[include]\nfiles = conf.d/a.conf conf.d/*.conf conf.d/a.conf\n',
      '/etc/conf.d/a.conf':
        '[program:web]\ncommand=/bin/true\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)s\n',
      '/etc/conf.d/b.conf': '[program:web]\nnumprocs=3\n',
    };
    const { run, reads } = image(files);
    const decisions = run().decisions ?? [];
    expect(
      decisions.map((d) => [d.decision.outcome, 'workers' in d.decision ? d.decision.workers : null]),
    ).toEqual([['multiple', 2]]);
    expect(reads.get('/etc/conf.d/a.conf')).toBeLessThanOrEqual(2);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-include-'));
    try {
      fs.mkdirSync(path.join(dir, 'conf.d'));
      for (const [name, text] of Object.entries(files))
        fs.writeFileSync(path.join(dir, name.replace(/^\/etc\//, '')), text);
      const script = [
        'import sys',
        "sys.path.insert(0, '/usr/lib/python3/dist-packages')",
        'from supervisor.options import ServerOptions',
        'o = ServerOptions()',
        'o.configfile = sys.argv[1]',
        'o.process_config(do_usage=False)',
        'print(len(o.process_group_configs[0].process_configs))',
      ].join('\n');
      const python = spawnSync('/usr/bin/python3', ['-c', script, path.join(dir, 'supervisord.conf')], {
        encoding: 'utf8',
      });
      expect(python.stderr).toBe('');
      expect(python.stdout.trim()).toBe('2');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`reads ${MAX_INCLUDE_PATTERNS} different patterns and warns at the line that lists more`, () => {
    const files: Record<string, string> = { '/etc/conf.d/web.conf': program('web') };
    const patterns = Array.from({ length: MAX_INCLUDE_PATTERNS + 1 }, (_, i) => `conf.d/*${'?'.repeat(i)}`);
    files['/etc/supervisord.conf'] = `[supervisord]\n\n[include]\nfiles = ${patterns.join(' ')}\n`;
    const { run, reports } = image(files);
    expect(names(run())).toEqual(['web:app']);
    expect(reports).toEqual([
      {
        level: 'warning',
        message: `[include] files in etc/supervisord.conf lists more than ${MAX_INCLUDE_PATTERNS} different patterns; oneproc read the first ${MAX_INCLUDE_PATTERNS}, so the files the others match were not read`,
        file: 'etc/supervisord.conf',
        line: 4,
      },
    ]);
  });

  it(`reads ${MAX_INCLUDED_FILES} included files and warns that the rest were not read`, () => {
    const files: Record<string, string> = {
      '/etc/supervisord.conf': '[supervisord]\n[include]\nfiles = conf.d/*\n',
    };
    const count = MAX_INCLUDED_FILES + 2;
    for (let i = 0; i < count; i++) files[`/etc/conf.d/p${String(i).padStart(5, '0')}`] = program(`p${i}`);
    const { run, reports } = image(files);
    expect(run().programs).toHaveLength(MAX_INCLUDED_FILES);
    expect(reports).toEqual([
      {
        level: 'warning',
        message: `[include] files in etc/supervisord.conf matches more than ${MAX_INCLUDED_FILES} files; oneproc read ${MAX_INCLUDED_FILES} of them, so programs in /etc/conf.d/p0${MAX_INCLUDED_FILES} and the files after it were not read`,
        file: 'etc/supervisord.conf',
        line: 3,
      },
    ]);
  });

  it('notes an include it cannot follow: a folder not copied, a pattern in a folder name, an unknown value', () => {
    const files: Record<string, string> = {
      '/etc/supervisord.conf': '[supervisord]\n[include]\nfiles = missing/*.conf */x.conf web.conf\n',
    };
    const { run, reports } = image(files, 'repository');
    run();
    expect(reports.map((r) => [r.level, r.message, r.file, r.line])).toEqual([
      [
        'note',
        "[include] missing/*.conf: the folder /etc/missing is not copied into the image by the Dockerfile's COPY or ADD, so the programs it would add were not followed",
        'etc/supervisord.conf',
        3,
      ],
      [
        'note',
        '[include] */x.conf: oneproc does not match patterns in folder names (/etc/*), so the programs it would add were not followed',
        'etc/supervisord.conf',
        3,
      ],
      [
        'note',
        "[include] web.conf: /etc/web.conf is not copied into the image by the Dockerfile's COPY or ADD, so the programs it would add were not followed",
        'etc/supervisord.conf',
        3,
      ],
    ]);
    const unknown = image({ '/etc/supervisord.conf': '[include]\nfiles = %(ENV_CONF)s/*.conf\n' }, 'image');
    unknown.run();
    expect(unknown.reports.map((r) => [r.level, r.file, r.line])).toEqual([
      ['note', 'etc/supervisord.conf', 2],
    ]);
    expect(unknown.reports[0].message).toMatch(
      /^\[include\] files = %\(ENV_CONF\)s\/\*\.conf cannot be known here \(CONF is not set/,
    );
  });
});
