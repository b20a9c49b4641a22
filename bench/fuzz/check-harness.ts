/**
 * One hostile repository through `oneproc check`, in process: written to disk, checked with `run()`
 * and a captured `CheckIO`, and judged against the properties `check` promises on any input
 * (`PROPERTIES`). The runner (check-runner.ts) calls this in child processes, which bound memory and
 * time; a replay calls it directly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckIO } from '../../src/cli/check';
import { installReadGuard, readsOutside, watchReads } from './read-guard';
import {
  HOST,
  HOST_DIR_NAME,
  HOST_TOKEN,
  HOST_WORKERS,
  type HostileRepo,
  materialize,
  type Places,
  type Planted,
  writeHost,
} from './repos';

/** What `check` must hold on every input; the runner adds `time`, `memory` and `crash`. */
export const PROPERTIES = {
  throws: '`run()` returns an exit status; it never throws',
  'exit-code': 'the exit status is 0, 1 or 2',
  time: 'each input is checked within the time bound (a hang is killed)',
  memory: 'each input is checked within the heap bound (--max-old-space-size)',
  crash: 'the checking process does not die',
  canary: 'nothing in the repository is run: no canary file is created',
  'host-read': 'no file or folder outside the repository is opened or listed',
  'host-report': `nothing outside the repository is reported: no finding of ${HOST_WORKERS} workers, no ${HOST_TOKEN}, no host path`,
  'control-chars':
    'text output (standard output in text format, standard error always) has no raw C0/C1 control character but \\n (and colour codes when colour is on)',
  'workflow-command':
    'no output line is a GitHub Actions workflow command (`::cmd::` at its start, `##[cmd]` anywhere)',
  json: 'JSON and SARIF output parses',
  'exit-status':
    'the exit status agrees with the JSON report (2 on an unreadable input, else 1 on a failing finding, else 0)',
  'silent-pass': 'a planted multi-worker server is reported, or the file that hides it is named',
  prototype: 'Object.prototype is unchanged',
  'stray-output':
    "everything is printed through check's own output (CheckIO), nothing straight to the process's standard output or error",
} as const;

export type Property = keyof typeof PROPERTIES;

export interface Failure {
  readonly property: Property;
  /** What kind of failure, the same for the same cause (counted in the run's figures). */
  readonly kind: string;
  readonly detail: string;
}

export interface Outcome {
  readonly code?: number;
  readonly threw?: string;
  readonly out: string;
  readonly err: string;
  /** Time inside `run()`. */
  readonly ms: number;
}

/** The folders of one worker: the repository, the host folder beside it, the canary folder. */
export interface Workspace extends Places {
  readonly dir: string;
}

export function workspace(dir: string): Workspace {
  const ws = {
    dir,
    repo: path.join(dir, 'repo'),
    host: path.join(dir, HOST_DIR_NAME),
    canary: path.join(dir, 'canary'),
  };
  fs.mkdirSync(dir, { recursive: true });
  writeHost(ws.host);
  fs.mkdirSync(ws.canary, { recursive: true });
  return ws;
}

type Run = (argv: string[], io: CheckIO) => Promise<number>;

let runCheck: Run | undefined;

/** Loads `run()` after the read guard is in place, so every read of oneproc's goes through it. */
export async function loadCheck(): Promise<Run> {
  if (!runCheck) {
    installReadGuard();
    // A require, not an import at the top: the guard must wrap node:fs before oneproc's modules load.
    const check = require('../../src/cli/check') as typeof import('../../src/cli/check');
    runCheck = check.run;
  }
  return runCheck;
}

/** Writes `repo`, checks it, judges the result and removes it again (unless `keep`). */
export async function checkRepo(
  ws: Workspace,
  repo: HostileRepo,
  options: { readonly keep?: boolean } = {},
): Promise<{ outcome: Outcome; failures: Failure[] }> {
  const run = await loadCheck();
  fs.rmSync(ws.repo, { recursive: true, force: true });
  fs.mkdirSync(ws.repo);
  materialize(repo, ws);
  const prototype = Object.getOwnPropertyNames(Object.prototype).join(',');
  let out = '';
  let err = '';
  const io: CheckIO = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdin: async function* () {
      if (repo.stdin !== undefined) yield Buffer.from(repo.stdin);
    },
    cwd: ws.repo,
    color: repo.color,
  };
  let code: number | undefined;
  let threw: string | undefined;
  const stray = captureStray();
  watchReads(ws.repo);
  const t0 = performance.now();
  try {
    code = await run([...repo.args], io);
  } catch (e) {
    threw = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  const ms = performance.now() - t0;
  const reads = readsOutside();
  const strayText = stray();
  const outcome: Outcome = {
    ...(code === undefined ? {} : { code }),
    ...(threw ? { threw } : {}),
    out,
    err,
    ms,
  };
  const failures = judge(repo, ws, outcome);
  for (const p of reads) {
    const shown = p.startsWith(ws.host) ? `<host>${p.slice(ws.host.length)}` : p;
    failures.push({ property: 'host-read', kind: `read ${shown}`, detail: `read ${p}` });
  }
  const canaries = fs.readdirSync(ws.canary);
  if (canaries.length > 0) {
    failures.push({
      property: 'canary',
      kind: canaries.join(', '),
      detail: `created ${canaries.join(', ')}`,
    });
    for (const c of canaries) fs.rmSync(path.join(ws.canary, c), { recursive: true, force: true });
  }
  if (strayText !== '')
    failures.push({
      property: 'stray-output',
      kind: strayText.trim().split('\n')[0]!.slice(0, 60),
      detail: JSON.stringify(strayText.slice(0, 300)),
    });
  const after = Object.getOwnPropertyNames(Object.prototype).join(',');
  if (after !== prototype || ({} as Record<string, unknown>).polluted !== undefined) {
    failures.push({ property: 'prototype', kind: 'polluted', detail: `Object.prototype has ${after}` });
  }
  if (!options.keep) fs.rmSync(ws.repo, { recursive: true, force: true });
  return { outcome, failures };
}

/**
 * Records what is written straight to the process's standard output and error (a library's
 * console.error, say) until the returned function is called; the text written.
 */
function captureStray(): () => string {
  let text = '';
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  for (const s of streams) {
    s.write = ((chunk: string | Uint8Array) => {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof s.write;
  }
  return () => {
    streams.forEach((s, i) => {
      s.write = originals[i]!;
    });
    return text;
  };
}

/** C0 but \n, DEL and C1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: oneproc's own colour codes
const COLOUR = /\u001b\[\d+m/g;

/** The properties a finished check is judged on, from its output alone. */
export function judge(repo: HostileRepo, ws: Places, o: Outcome): Failure[] {
  const failures: Failure[] = [];
  const fail = (property: Property, kind: string, detail: string) =>
    failures.push({ property, kind, detail });
  if (o.threw !== undefined) fail('throws', o.threw.split('\n')[0]!.slice(0, 120), o.threw.slice(0, 600));
  if (o.code !== undefined && o.code !== 0 && o.code !== 1 && o.code !== 2)
    fail('exit-code', `exit ${o.code}`, `exit status ${o.code}`);

  const format = repo.args[repo.args.indexOf('--format') + 1] ?? 'text';
  const strict = repo.args.includes('--strict');

  // Control characters and workflow commands.
  const stdoutText = format === 'text' ? (repo.color ? o.out.replace(COLOUR, '') : o.out) : undefined;
  for (const [stream, text] of [
    ['standard output', stdoutText],
    ['standard error', o.err],
  ] as const) {
    if (text === undefined) continue;
    const m = CONTROL.exec(text);
    if (m) {
      const char = `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')}`;
      fail('control-chars', `${stream}, ${char}`, `${stream}: ${char} in ${excerpt(text, m.index)}`);
    }
  }
  for (const [stream, text] of [
    ['standard output', o.out],
    ['standard error', o.err],
  ] as const) {
    const line = text.split('\n').find(isWorkflowCommand);
    if (line !== undefined)
      fail(
        'workflow-command',
        `${stream} (${format}), ${line.trimStart().startsWith('::') ? '::' : '##['}`,
        `${stream}: ${JSON.stringify(line.slice(0, 200))}`,
      );
  }

  // The report, as each format carries it.
  let report: { workers: number[]; failing: number } | undefined;
  if (format === 'json' || format === 'sarif') {
    try {
      const parsed = JSON.parse(o.out);
      report = format === 'json' ? fromJson(parsed, strict) : fromSarif(parsed);
    } catch (e) {
      if (o.code !== undefined) fail('json', format, `${(e as Error).message}: ${excerpt(o.out, 0)}`);
    }
  } else {
    report = {
      workers: [...o.out.matchAll(/starts (\d+) worker processes/g)].map((m) => Number(m[1])),
      failing: -1,
    };
  }

  // Nothing from the host folder.
  if (report?.workers.includes(HOST_WORKERS))
    fail('host-report', 'a host finding', `a finding of ${HOST_WORKERS} workers`);
  const output = o.out + o.err;
  // Its first seven letters: error messages quote a few characters of a file (`"# HOSTSECR"...`).
  const token = output.indexOf(HOST_TOKEN.slice(0, 7));
  if (token >= 0)
    fail('host-report', 'a host file quoted', `output quotes a host file: ${excerpt(output, token)}`);
  const spelled = repo.entries.some((e) =>
    (e.kind === 'link' ? e.target : e.kind === 'file' ? e.text : e.head + e.tail).includes(HOST),
  );
  if (!spelled && output.includes(ws.host))
    fail(
      'host-report',
      'the host folder named',
      `output names the host folder: ${excerpt(output, output.indexOf(ws.host))}`,
    );

  // The exit status and the JSON report agree.
  if (format === 'json' && report && o.code !== undefined) {
    const unreadable = o.err
      .split('\n')
      .some((l) => l.startsWith('oneproc check: ') && !l.startsWith('oneproc check: note: '));
    const expected = unreadable ? 2 : report.failing > 0 ? 1 : 0;
    if (o.code !== expected)
      fail('exit-status', `${o.code} for ${expected}`, `exit ${o.code}, but the report says ${expected}`);
  }

  // Planted findings are reported, or what hides them is named.
  if (repo.args.includes('.')) {
    for (const p of repo.planted) {
      if (reported(p, report, output)) continue;
      const found = report?.workers.filter((w) => w === p.workers).length ?? 0;
      const findings = p.count ? `; ${found} of ${p.count} findings` : '';
      fail(
        'silent-pass',
        p.kind,
        `${p.what}: ${p.file}${p.workers ? ` (${p.workers} workers${findings})` : ''} passed in silence`,
      );
    }
  }
  return failures;
}

/**
 * A line the GitHub Actions runner takes for a workflow command (actions/runner,
 * src/Runner.Common/ActionCommand.cs): `TryParseV2` trims leading white space and wants `::`, a
 * command, `::`; the legacy `TryParse` finds `##[` anywhere in the line, then a `]`.
 */
function isWorkflowCommand(line: string): boolean {
  const trimmed = line.trimStart();
  return (trimmed.startsWith('::') && trimmed.indexOf('::', 2) > 2) || /##\[[^\]]*\]/.test(line);
}

function reported(p: Planted, report: { workers: number[] } | undefined, output: string): boolean {
  const found =
    p.workers !== undefined && (report?.workers.filter((w) => w === p.workers).length ?? 0) >= (p.count ?? 1);
  const named = output.includes(p.file);
  return p.expect === 'finding' ? found : p.expect === 'named' ? named : found || named;
}

interface JsonOut {
  findings: { severity: string; workers: number | null; exempted?: unknown }[];
}

function fromJson(parsed: JsonOut, strict: boolean): { workers: number[]; failing: number } {
  const active = parsed.findings.filter((f) => !f.exempted);
  return {
    workers: active.flatMap((f) => (typeof f.workers === 'number' ? [f.workers] : [])),
    failing: active.filter((f) => f.severity === 'error' || (strict && f.severity === 'warning')).length,
  };
}

interface SarifOut {
  runs: { results: { level?: string; suppressions?: unknown[]; properties?: { workers?: unknown } }[] }[];
}

function fromSarif(parsed: SarifOut): { workers: number[]; failing: number } {
  const results = parsed.runs.flatMap((r) => r.results).filter((r) => !r.suppressions);
  return {
    workers: results.flatMap((r) =>
      typeof r.properties?.workers === 'number' ? [r.properties.workers] : [],
    ),
    failing: -1,
  };
}

/** Text around `at`, quoted, with every control character (C1 too) made visible. */
function excerpt(text: string, at: number): string {
  return JSON.stringify(text.slice(Math.max(0, at - 60), at + 100)).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}
