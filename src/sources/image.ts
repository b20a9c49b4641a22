/**
 * What an image runs, judged by the engine: a Dockerfile's (or image config's) ENTRYPOINT, CMD and
 * ENV, merged with a manifest container the way the kubelet merges them, followed into the scripts it
 * starts and the config files and Python sources those name. Pure except for `ctx.readFile`.
 *
 * Every finding names the decisive file and line (origin.file/line) and the chain of files that led
 * there (origin.chain: `deploy.yaml:14 → Dockerfile:12 → docker-entrypoint.sh:4`).
 */
import { type CheckOptions, checkCommands, findingFor, MAX_COMMANDS } from '../engine';
import { findingKey } from '../findings';
import { fileAt, isFilePlace, type Place } from '../place';
import { RULES } from '../rules';
import { SERVER_MENTION } from '../servers/registry';
import { containerCommands, type Dialect, readShebang, scriptCommands } from '../shell';
import { shellDialect } from '../shell/shells';
import type { ShellProblem, SimpleCommand, Word } from '../shell/types';
import { basename } from '../shell/wrappers';
import type { Finding, Note, Origin } from '../types';
import { DEFAULT_PATH, type ImageSpec, type RunSpec } from './dockerfile';
import { EXPANDERS, LAUNCHERS } from './expanders';
import { isShell } from './shebang';
import {
  contextIn,
  type SourceContext,
  type SourceExpander,
  type SourceFile,
  type SourceReport,
  sourcePath,
} from './types';

export interface ImageCheckOptions extends CheckOptions {
  /** A manifest container run from this image; its command/args/env override the image's. */
  readonly container?: Record<string, unknown>;
  /** The container's field path in its manifest, e.g. `spec.template.spec.containers[0]`. */
  readonly containerPath?: string;
  /** How the manifest container is named in chains, e.g. `deploy.yaml:14`. */
  readonly containerLocation?: string;
  readonly expanders?: readonly SourceExpander[];
  /** Readers of launchers, tried before a command is read as a script (default `LAUNCHERS`). */
  readonly launchers?: readonly SourceExpander[];
  /**
   * Receives what could not be followed (a script not in the image, a file refused), with the
   * workload's origin. Limits that may change the verdict are warning findings, not notes.
   */
  readonly onNote?: (note: Note) => void;
}

/**
 * Scripts, launchers and configs starting one another: how deep they are followed. What starts below
 * is not followed, with a note naming it.
 */
export const MAX_DEPTH = 4;
/**
 * Commands followed for one container (each script line, each launcher program), as the engine judges
 * at most MAX_COMMANDS per container: past it, a warning says where following stopped.
 */
export const MAX_FOLLOWED = MAX_COMMANDS;
/** Wrappers after which the program is a module or package name, not a file on PATH. */
const RUNNERS = /^(python -m|npx|uvx|npm exec|npm x|pnpm dlx|pnpm exec|yarn dlx|yarn exec)$/;
/** Interpreters whose own readers say what they could not follow (`python main.py`, `node server.js`). */
const INTERPRETERS = /^(python[0-9.]*|pypy[0-9.]*|node|nodejs|bun|deno|ruby|perl|php[0-9.]*|java|dotnet)$/;
/**
 * Shell builtins and special utilities a script runs that are never a file to follow (POSIX 2.14 and
 * the regular built-ins of 1.7): `cd`, `export`, `wait`, `trap`, …
 */
const BUILTINS = new Set([
  ':',
  '.',
  'alias',
  'bg',
  'break',
  'cd',
  'command',
  'continue',
  'eval',
  'exec',
  'exit',
  'export',
  'false',
  'fg',
  'getopts',
  'hash',
  'jobs',
  'kill',
  'read',
  'readonly',
  'return',
  'set',
  'shift',
  'source',
  'test',
  '[',
  'times',
  'trap',
  'true',
  'type',
  'ulimit',
  'umask',
  'unalias',
  'unset',
  'wait',
  'echo',
  'printf',
  'local',
  'declare',
  'typeset',
  'let',
  'pwd',
  'sleep',
]);

/** Checks what the image (with an optional manifest container) runs. Never rejects. */
export async function checkImage(
  spec: ImageSpec,
  ctx: SourceContext,
  options: ImageCheckOptions = {},
): Promise<Finding[]> {
  try {
    return await check(spec, ctx, options);
  } catch (err) {
    return [
      {
        rule: 'internal',
        category: 'web',
        severity: 'warning',
        message: `oneproc failed to follow what ${spec.file} runs (${String(err)}); please report this input.`,
        path: spec.file,
        workers: null,
        origin: { ...options.origin, file: spec.file },
      },
    ];
  }
}

async function check(spec: ImageSpec, given: SourceContext, options: ImageCheckOptions): Promise<Finding[]> {
  const { container, origins } = mergeContainer(spec, options);
  const limits: Finding[] = [];
  const baseNote = baseEntrypointNote(spec, options.container);
  const said = new Set<string>();
  const workload = workloadOf(options.origin);
  // What the readers and the file boundary say goes to this workload: notes to the door, limits
  // (the verdict may be incomplete) as warnings. Each is said once per workload.
  const ctx: SourceContext = {
    ...given,
    report(r) {
      const key = `${r.level}|${r.file}|${r.line}|${r.message}`;
      if (said.has(key)) return;
      said.add(key);
      if (r.level === 'note') {
        options.onNote?.({
          message: r.message,
          ...(r.file !== undefined ? { file: r.file } : {}),
          ...(r.line !== undefined ? { line: r.line } : {}),
          ...workload,
        });
        return;
      }
      limits.push({
        rule: 'limit',
        category: 'web',
        severity: 'warning',
        message: `${r.message}; the verdict for this container may be incomplete.`,
        path: r.file ? sourcePath(r.file, r.line ?? 1) : spec.file,
        ...(r.file ? { at: { file: r.file, line: r.line ?? 1, source: 'file' } } : {}),
        workers: null,
        origin: { ...options.origin, ...(r.file ? { file: r.file, line: r.line ?? 1 } : {}) },
      });
    },
  };
  if (baseNote) ctx.report?.(baseNote);
  // Words and env entries name the manifest field or the Dockerfile line they came from.
  const { commands, problems } = containerCommands(
    container,
    options.containerPath ?? 'container',
    undefined,
    {
      mentions: SERVER_MENTION,
      places: origins,
    },
  );
  const baseChain = options.containerLocation ? [options.containerLocation] : [];
  const findings: Finding[] = [];
  const expanders = options.expanders ?? EXPANDERS;
  const seen = new Set<string>();

  let followed = 0;
  /**
   * `final` marks a command the container ends on: its own command, a program a launcher or config
   * starts, or one a script `exec`s (or ends with) by a name written in the script itself.
   */
  const visit = async (
    cmd: SimpleCommand,
    chain: string[],
    depth: number,
    at = ctx,
    final = depth === 0,
  ): Promise<void> => {
    const from = fileAt(cmd.argv[0]);
    const place = from ? { file: from.file, line: from.line } : {};
    if (++followed > MAX_FOLLOWED) {
      if (followed === MAX_FOLLOWED + 1)
        ctx.report?.({
          level: 'warning',
          message: `oneproc followed ${MAX_FOLLOWED.toLocaleString('en')} commands of this container's scripts and launchers and stopped; \`${shown(cmd)}\` and the commands after it were not followed`,
          ...place,
        });
      return;
    }
    // The readers of config files and launchers: the first that knows the command decides.
    const expand = async (list: readonly SourceExpander[]): Promise<boolean> => {
      for (const expander of list) {
        const expansion = await expander.expand(cmd, at);
        if (!expansion) continue;
        // A config already being followed (a supervisord program that runs supervisord on its own
        // config): its programs are judged once, where it was first read, not again at every depth.
        if (expansion.chain.some((file) => chain.includes(file))) return true;
        const next = [...chain, ...(from ? [`${from.file}:${from.line}`] : []), ...expansion.chain];
        for (const c of expansion.commands)
          add(countWhereItLives(checkCommands([c], [], options), cmd), next);
        for (const p of expansion.programs ?? []) {
          if (depth >= MAX_DEPTH) {
            const where = fileAt(p.command.argv[0]);
            at.report?.({
              level: 'note',
              message: `\`${shown(p.command)}\` is not followed: scripts, launchers and configs start one another more than ${MAX_DEPTH} deep here, so what it starts was not checked`,
              ...(where ? { file: where.file, line: where.line } : {}),
            });
            continue;
          }
          await visit(p.command, next, depth + 1, p.workdir ? contextIn(at, p.workdir) : at, true);
        }
        for (const d of expansion.decisions ?? []) {
          const rule = (options.rules ?? RULES).find((r) => r.id === d.rule);
          const f = rule ? findingFor(rule, d.command, d.decision, options) : undefined;
          if (f) add([f], next);
        }
        return true;
      }
      return false;
    };
    // Launchers first (s6's /init, runsvdir, `rails server`): what they start is declared by files,
    // not by a script of their own.
    if (await expand(options.launchers ?? LAUNCHERS)) return;
    // A command the container ends on: a note when it cannot be followed at all. (Inside scripts every
    // branch is read, so the `exec "$@"` fallback of an entrypoint would be noted even when the
    // branch before it is the one that runs: a name that came from the arguments says nothing.)
    const pending: { note?: SourceReport } = {};
    const script = scriptOf(cmd, at, final, pending);
    // Too deep: the command is judged as it stands, as any command that is not a script.
    if (script && 'rewrite' in script) {
      // A program of another language run by its `#!` line: its own reader follows it.
      await visit(script.rewrite, chain, depth, at);
      return;
    }
    if (script && depth >= MAX_DEPTH)
      at.report?.({
        level: 'note',
        message: `${script.file.path} is not followed: scripts, launchers and configs start one another more than ${MAX_DEPTH} deep here, so what it starts was not checked`,
        ...place,
      });
    else if (script) {
      const result = scriptCommands(script.file.text, {
        file: script.file.path,
        mentions: SERVER_MENTION,
        args: script.args,
        env: cmd.env,
        envFrom: cmd.envFrom ?? [],
        ...(script.dialect ? { dialect: script.dialect } : {}),
        ...(cmd.entrypointUnknown ? { entrypointUnknown: true } : {}),
        // `. FILE` runs in the script's own shell: read through the same file boundary.
        source: (name) => at.readFile(name),
      });
      const scriptChain = [...chain, ...(from ? [`${from.file}:${from.line}`] : []), script.file.path];
      const last = result.commands[result.commands.length - 1];
      for (const inner of result.commands) {
        // The script line a command is on (its words may come from elsewhere: `exec "$@"`).
        const line = inner.argv.map((w) => fileAt(w)).find((at) => at?.file === script.file.path);
        const where = line ? sourcePath(line.file, line.line) : script.file.path;
        // The program the script execs, or ends on, when the script names it itself (not `"$@"`).
        const name = inner.argv[0]?.text ?? '';
        const named = fileAt(inner.argv[0])?.file === script.file.path;
        const ends = (inner.wrappers.includes('exec') || inner === last) && name !== '' && named;
        await visit(inner, [...scriptChain.slice(0, -1), where], depth + 1, at, ends);
      }
      for (const p of result.problems) pushProblem(p, scriptChain);
      return;
    }
    if (await expand(expanders)) return;
    const judged = checkCommands([cmd], [], options);
    if (pending.note && judged.length === 0 && !INTERPRETERS.test(basename(cmd.argv[0]?.text ?? '')))
      at.report?.(pending.note);
    add(judged, chain);
  };

  const pushProblem = (p: ShellProblem, chain: string[]) => add(checkCommands([], [p], options), chain);
  const add = (list: Finding[], chain: string[]) => {
    for (const found of list) {
      // A rule judging a command alone says a config file "this manifest cannot show"; here the
      // image was read, and the file was not in it.
      const f = found.message.includes('which this manifest cannot show')
        ? {
            ...found,
            message: found.message.replaceAll(
              'which this manifest cannot show',
              given.source === 'repository'
                ? 'and the file is not in the image as oneproc follows its Dockerfile'
                : 'and the file is not in the image',
            ),
          }
        : found;
      const placed = withOrigin(f, options.origin, chain);
      const key = findingKey(placed);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(placed);
    }
  };

  for (const cmd of commands) await visit(cmd, baseChain, 0);
  for (const p of problems) pushProblem(p, baseChain);
  add(limits, baseChain);
  return findings;
}

/**
 * What the base image may add that oneproc cannot see: a Dockerfile whose stages set no ENTRYPOINT,
 * built on an image oneproc does not know, runs its CMD through the base's ENTRYPOINT if it has one
 * (`tini`, a launcher); with no CMD either, the base decides everything.
 */
function baseEntrypointNote(spec: ImageSpec, container: Record<string, unknown> | undefined) {
  if (spec.entrypointKnown !== false || spec.entrypoint) return undefined;
  if (Array.isArray(container?.command) && container.command.length > 0) return undefined;
  const hasArgs = Array.isArray(container?.args) && container.args.length > 0;
  const fromLine = spec.stages?.find((s) => s.index === spec.stage)?.line;
  if (!spec.cmd && !hasArgs) {
    return {
      level: 'note' as const,
      message: `${spec.file} sets no ENTRYPOINT or CMD, so the image runs what its base image ${spec.base} sets, which oneproc cannot see; nothing was checked`,
      file: spec.file,
      ...(fromLine ? { line: fromLine } : {}),
    };
  }
  return {
    level: 'note' as const,
    message: `${spec.base ? `the base image ${spec.base}` : 'the image'} may set an ENTRYPOINT that runs ${hasArgs ? "the container's args" : 'this CMD'}; oneproc cannot see it and checked ${hasArgs ? 'the args' : 'the CMD'} as the command`,
    file: spec.file,
    ...(spec.cmd && !hasArgs ? { line: spec.cmd.line } : fromLine ? { line: fromLine } : {}),
  };
}

/**
 * A count that a config file sets (`workers = 3` in gunicorn.conf.py:4) is judged as the words a reader
 * made of it (`--workers 3`); the fix then names the file and line where the count lives instead of
 * telling to drop words the command line does not have.
 */
function countWhereItLives(findings: Finding[], cmd: SimpleCommand): Finding[] {
  const own = fileAt(cmd.argv[0]);
  return findings.map((f) => {
    const at = f.cause && isFilePlace(f.cause.at) ? f.cause.at : undefined;
    if (!at || (own && own.file === at.file)) return f;
    const message = f.message.replace(
      /Fix: drop `([^`]+)`[^;]*;/,
      (_all, evidence: string) =>
        `Fix: set the count in ${at.file}:${at.line} to 1 (oneproc reads it as \`${evidence}\`), or pass a count of 1 on the command line, which wins;`,
    );
    return message === f.message ? f : { ...f, message };
  });
}

/** The workload fields of an origin, which a note carries. */
function workloadOf(origin: Origin | undefined): Pick<Note, 'kind' | 'namespace' | 'name' | 'container'> {
  const out: Pick<Note, 'kind' | 'namespace' | 'name' | 'container'> = {};
  if (origin?.kind !== undefined) out.kind = origin.kind;
  if (origin?.namespace !== undefined) out.namespace = origin.namespace;
  if (origin?.name !== undefined) out.name = origin.name;
  if (origin?.container !== undefined) out.container = origin.container;
  return out;
}

/** The container the kubelet runs: the manifest's command/args/env over the image's. */
function mergeContainer(spec: ImageSpec, options: ImageCheckOptions) {
  const c = options.container ?? {};
  const cpath = options.containerPath ?? 'container';
  const escapeDollars = (w: string) => w.replaceAll('$', () => '$$'); // the kubelet expands $(VAR) only in the manifest's words
  const origins: Record<'command' | 'args' | 'env', Place[]> = { command: [], args: [], env: [] };
  const inImage = (run: RunSpec, i: number): Place => ({
    file: run.file ?? spec.file,
    line: run.lines?.[i] ?? run.line,
    source: run.source ?? 'dockerfile',
    ...(run.key !== undefined ? { key: run.lines ? `${run.key}[${i}]` : run.key } : {}),
  });
  const manifestCommand = Array.isArray(c.command) ? (c.command as unknown[]) : undefined;
  const manifestArgs = Array.isArray(c.args) ? (c.args as unknown[]) : undefined;
  let command: unknown[] = [];
  let args: unknown[] = [];
  if (manifestCommand) {
    command = manifestCommand;
    origins.command = manifestCommand.map((_, i) => ({ field: `${cpath}.command[${i}]` }));
  } else if (spec.entrypoint) {
    command = spec.entrypoint.words.map(escapeDollars);
    const entry = spec.entrypoint;
    origins.command = command.map((_, i) => inImage(entry, i));
  }
  if (manifestArgs) {
    args = manifestArgs;
    origins.args = manifestArgs.map((_, i) => ({ field: `${cpath}.args[${i}]` }));
  } else if (!manifestCommand && spec.cmd) {
    args = spec.cmd.words.map(escapeDollars);
    const cmd = spec.cmd;
    origins.args = args.map((_, i) => inImage(cmd, i));
  }
  // With no ENTRYPOINT, the args are the command (as Docker runs them) — the CMD, or a manifest's
  // args when the image is known to set no ENTRYPOINT (its Dockerfile's base is one oneproc knows).
  if (command.length === 0 && args.length > 0 && (!manifestArgs || spec.entrypointKnown === true)) {
    command = args;
    origins.command = origins.args;
    args = [];
    origins.args = [];
  }
  // The official node image's ENTRYPOINT docker-entrypoint.sh runs `node "$@"` when the first word is
  // an option or not a command (`CMD ["server.js"]`), else `exec "$@"` (docker-library/node
  // docker-entrypoint.sh: `if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] …`).
  if (spec.knownBase === 'node' && !spec.entrypoint && !manifestCommand && command.length > 0) {
    const first = String(command[0]);
    if (first.startsWith('-') || /^[^/]*\.(c|m)?js$/.test(first)) {
      command = ['node', ...command];
      origins.command = [origins.command[0], ...origins.command];
    }
  }
  const manifestEnv = Array.isArray(c.env) ? (c.env as Array<Record<string, unknown>>) : [];
  const names = new Set(manifestEnv.map((e) => e?.name));
  const env: unknown[] = [];
  for (const e of spec.env) {
    if (names.has(e.name)) continue;
    env.push({ name: e.name, value: escapeDollars(e.value) });
    origins.env.push({
      file: e.file ?? spec.file,
      line: e.line,
      source: e.source ?? 'dockerfile',
      ...(e.key !== undefined ? { key: e.key } : {}),
    });
  }
  manifestEnv.forEach((e, i) => {
    env.push(e);
    origins.env.push({ field: `${cpath}.env[${i}]` });
  });
  const container: Record<string, unknown> = {
    command,
    args,
    env,
    ...(c.envFrom ? { envFrom: c.envFrom } : {}),
  };
  if (command.length === 0) delete container.command;
  return { container, origins };
}

/**
 * A script the command runs (`/docker-entrypoint.sh …`, `sh start.sh …`, a bare `start` found on
 * PATH), when the image has it. `final` marks a command that the container ends on (its own command,
 * or one a script `exec`s): when it is neither a server oneproc knows nor a file of the image, a note
 * says so, since nothing after it was checked.
 */
function scriptOf(
  cmd: SimpleCommand,
  ctx: SourceContext,
  final: boolean,
  pending: { note?: SourceReport },
):
  | { readonly rewrite: SimpleCommand }
  | { readonly file: SourceFile; readonly args: Word[]; readonly dialect: Dialect | undefined }
  | undefined {
  const words = cmd.argv;
  if (words.length === 0 || words[0].unknown) return undefined;
  let index = 0;
  if (isShell(basename(words[0].text)) && words[1] && !words[1].text.startsWith('-')) index = 1;
  const name = words[index]?.text;
  if (!name || (index === 0 && RULES.some((r) => safeRecognise(r, cmd)))) return undefined;
  if (index === 0 && BUILTINS.has(name)) return undefined;
  // `python -m MODULE`, `npx NAME`: a module or package, not a file on PATH; their readers follow it.
  if (index === 0 && RUNNERS.test(cmd.wrappers[cmd.wrappers.length - 1] ?? '')) return undefined;
  // A bare name is looked up on PATH, as execvp(3) does; a relative path from the working directory.
  const bare = index === 0 && !name.includes('/');
  const searchPath = cmd.env.get('PATH')?.value ?? DEFAULT_PATH;
  const candidates = bare
    ? searchPath
        .split(':')
        .filter((dir) => dir.startsWith('/'))
        .map((dir) => `${dir.replace(/\/+$/, '')}/${name}`)
    : [name];
  let file: SourceFile | undefined;
  // When the file boundary says why a candidate was not read (a dangling link, a binary, a limit),
  // that is the note; "not in the image" would contradict it.
  let explained = false;
  const probe: SourceContext = {
    ...ctx,
    report(r) {
      explained = true;
      ctx.report?.(r);
    },
  };
  for (const candidate of candidates) {
    file = probe.readFile(candidate);
    if (file || explained) break;
  }
  if (!file) {
    if (explained || (bare && !final)) return undefined;
    const where = fileAt(words[index]);
    const whence = ctx.whence?.(candidates[0]);
    // A bare name is said only when nothing else reads the command (a config reader, a rule).
    const say = bare ? (r: SourceReport) => (pending.note = r) : (r: SourceReport) => ctx.report?.(r);
    say({
      level: 'note',
      message: bare
        ? `\`${name}\` is not a server oneproc knows, and no file of that name is on the PATH of the image${
            ctx.source === 'repository' ? ' as its Dockerfile builds it' : ''
          }${whence ? ` (${whence})` : ''}, so what it runs was not checked`
        : ctx.source === 'repository'
          ? `${name} is not copied into the image by the Dockerfile's COPY, ADD or RUN mv/cp/ln${
              whence ? ` (${whence})` : ' (it may come from the base image or a RUN step)'
            }, so what it starts was not followed`
          : `${name} is not in the image, so what it starts was not followed`,
      ...(where ? { file: where.file, line: where.line } : {}),
    });
    return undefined;
  }
  if (index === 0 && !file.text.startsWith('#!') && !name.endsWith('.sh')) {
    if (final && bare)
      ctx.report?.({
        level: 'note',
        message: `${file.path} (\`${name}\` on PATH) is not a script oneproc can read (no #! line), so what it runs was not checked`,
        ...(fileAt(words[0]) ? { file: fileAt(words[0])?.file, line: fileAt(words[0])?.line } : {}),
      });
    return undefined;
  }
  const shebang = readShebang(file.text);
  if (index === 0 && shebang?.kind === 'other') {
    // A program of another language (`#!/usr/bin/env python3`): the kernel runs
    // `INTERPRETER FILE ARGS`, which that language's reader follows (fs/binfmt_script.c).
    // (Their readers take files by extension; another name gets the note below.)
    const readable = { python: /\.py$/, node: /\.[cm]?js$/, ruby: /\.rb$/ };
    if (shebang.language !== undefined && readable[shebang.language].test(name)) {
      const program: Word = { text: shebang.interpreter, path: words[0].path };
      const rewrite: SimpleCommand = {
        ...cmd,
        argv: [
          program,
          { ...words[0], text: file.path.startsWith('/') ? file.path : name },
          ...words.slice(1),
        ],
      };
      return { rewrite };
    }
    const where = fileAt(words[0]);
    ctx.report?.({
      level: 'note',
      message: `${file.path} is run by \`${shebang.line.slice(0, 80).trim()}\`, which oneproc does not follow, so what it starts was not checked`,
      ...(where ? { file: where.file, line: where.line } : {}),
    });
    return undefined;
  }
  // `bash x.sh` runs bash; a file run directly, its `#!` line's shell; one without, /bin/sh (dash).
  const dialect: Dialect | undefined =
    index === 1
      ? (shellDialect(basename(words[0].text)) ?? 'dash')
      : shebang?.kind === 'shell'
        ? shebang.dialect
        : undefined;
  return { file, args: words.slice(index + 1), dialect };
}

/** A command as a person reads it, cut short: for messages. */
function shown(cmd: SimpleCommand): string {
  const text = cmd.argv.map((w) => w.text).join(' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function safeRecognise(rule: { recognise(c: SimpleCommand): boolean }, cmd: SimpleCommand): boolean {
  try {
    return rule.recognise(cmd);
  } catch {
    return false;
  }
}

function withOrigin(f: Finding, base: Origin | undefined, chain: string[]): Finding {
  const at = isFilePlace(f.at) ? f.at : undefined;
  const origin: Origin = { ...base, ...f.origin };
  if (at) {
    origin.file = at.file;
    origin.line = at.line;
    delete origin.column;
  }
  const full = [...chain];
  const last = at ? `${at.file}:${at.line}` : undefined;
  if (last && full[full.length - 1] !== last && !full.includes(last)) full.push(last);
  return { ...f, origin: { ...origin, chain: dedupeFiles(full) } };
}

/** `Dockerfile`, `Dockerfile:12` → keep the one with the line; two lines of one file both stay. */
function dedupeFiles(chain: string[]): string[] {
  const out: string[] = [];
  for (const step of chain) {
    const file = step.replace(/:\d+$/, '');
    const prev = out[out.length - 1];
    if (prev === step) continue;
    if (prev && prev.replace(/:\d+$/, '') === file && !(/:\d+$/.test(prev) && /:\d+$/.test(step))) {
      if (/:\d+$/.test(step)) out[out.length - 1] = step;
      continue;
    }
    out.push(step);
  }
  return out;
}
