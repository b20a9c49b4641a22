/**
 * The shell interpreter: every piece of shell the project meets (a container's `sh -c`, an image's
 * script files, supervisord/pm2/compose/Procfile commands) is parsed by parse.ts and walked here with
 * its state, in order: shell and exported variables, functions with their own positional parameters,
 * `set --`/`shift`, `.`/`source` in the current shell, `eval` of known text, `case`/`if`/`[ ]`
 * decided when their operands are known (both sides kept, each command marked with the condition
 * that decides it, when not), loops read once. Nothing runs: a command is recorded with the words and
 * environment it would get, and wrappers are stripped from it (wrappers.ts). What cannot be known
 * stays as written, marked unknown with the reason. See docs/shell.md.
 *
 * The semantics are dash's (Debian's /bin/sh, 0.5.12: src/eval.c `evaltree`, src/var.c, src/expand.c)
 * unless the script runs under bash (its shebang, or `bash -c`), where they differ in what is
 * followed here: `[[ … ]]`, `source` and `function NAME` exist only in bash.
 */
import { cpuFormulaBounds, evalArithmetic, isCpuCount, pythonCpuFormula } from './arith';
import { MAX_ARG_STRLEN, type WorkBudget } from './budget';
import { EnvBuilder, OverlayEnv } from './env';
import { type Piece, undefinedReason } from './kubernetes';
import {
  MARK_OPEN,
  MARKER_RE,
  type Marker,
  MarkerTable,
  type Node,
  Parser,
  ParseStop,
  type Redirect,
  type WordNode,
} from './parse';
import { type Dialect, isShellProgram, shellDialect } from './shells';
import type { Env, EnvEntry, EnvFromSource, Place, ShellProblem, SimpleCommand, Word } from './types';
import { basename, stripWrapper } from './wrappers';

export type { Dialect } from './shells';

/** A file a script sources (`. FILE`), as the caller's file boundary returns it. */
export interface SourcedFile {
  readonly path: string;
  readonly text: string;
}

/** Shared by everything that one container produces. */
export interface Context {
  readonly commands: SimpleCommand[];
  readonly problems: ShellProblem[];
  readonly envFrom: readonly EnvFromSource[];
  readonly entrypointUnknown: boolean;
  /** Pieces of words that carry Kubernetes references with unknown values (for scripts). */
  readonly pieces: WeakMap<Word, readonly Piece[]>;
  /** Scripts left to run before giving up on pathological input (nested `sh -c`, `eval`, `.`). */
  nesting: number;
  /** The review's work budget: words, text and time (budget.ts). */
  readonly work: WorkBudget;
  /**
   * Commands recorded at most. Scripts are read command by command and reading stops once this many
   * commands were found, so a 1 MiB script costs no more than its first commands (the engine judges
   * `MAX_COMMANDS` and says that it stopped).
   */
  readonly limit: number;
  /** Commands run (each function call unfolded) before reading stops: see MAX_STEPS. */
  steps?: number;
  /**
   * A script file is being read: a syntax error is reported whatever it mentions (the whole file is
   * the program the container runs), not only when it mentions a server.
   */
  readonly file?: string;
  /** Reads a file that the script sources, when the caller has files (an image). */
  readonly source?: (path: string) => SourcedFile | undefined;
  /** The caller's words that make a script line matter (`ShellOptions.mentions`). */
  readonly mentions?: RegExp;
  /**
   * The places of the paths this run rendered (a script's `file:line`) or was given (its caller's
   * words and variables): at the end of the run each word and variable gets its `at` from here, so
   * that no one reads a place back out of a path.
   */
  readonly places?: Map<string, Place>;
}

/** What the caller of the shell reader tells it besides the words and the environment. */
export interface ShellOptions {
  /**
   * The words that make a script line matter to the caller (oneproc passes the servers' program names
   * from its registry, src/servers/registry.ts, so the shell itself knows no server). A line the
   * reader cannot read, or a script it stops following at its nesting limit, is reported only when
   * its text matches, and the message names the match (group 1 when the pattern has one). Without
   * it, every such line and script is reported: a reader that is not told what matters hides nothing.
   * Not global nor sticky (a copy without those flags is used otherwise).
   */
  readonly mentions?: RegExp;
}

/** `options.mentions` for a Context: a pattern whose `exec` keeps no state between texts. */
export function mentionsOf(options: ShellOptions | undefined): { mentions?: RegExp } {
  const p = options?.mentions;
  if (!p) return {};
  return { mentions: p.global || p.sticky ? new RegExp(p.source, p.flags.replace(/[gy]/g, '')) : p };
}

/**
 * Whether `text` matters to the caller: undefined when it does not, else the words for a message
 * ("a shell script mentioning gunicorn", or "a shell script" when the caller named no words).
 */
function mentioned(ctx: Context, text: string): string | undefined {
  if (!ctx.mentions) return 'shell script';
  const m = ctx.mentions.exec(text);
  return m ? `shell script mentioning ${m[1] ?? m[0]}` : undefined;
}

/** `file:line` of a script's line, recorded with its place in `ctx.places`. */
function scriptLinePath(ctx: Context, file: string, line: number): string {
  const path = `${file}:${line}`;
  if (ctx.places && !ctx.places.has(path)) ctx.places.set(path, { file, line, source: 'script' });
  return path;
}

/** Where a command runs: its environment and the wrappers around it so far. */
interface Frame {
  readonly env: Env;
  readonly wrappers: readonly string[];
  /** `env -i` ran: a variable that is not in `env` is known to be unset. */
  readonly cleared: boolean;
  /** The undecided conditions the command runs under (SimpleCommand.when). */
  readonly when?: string;
}

const MAX_DEPTH = 12;
/** Function calls nested deeper than this are not followed (dash's own limit is the C stack). */
const MAX_CALL_DEPTH = 50;
/**
 * Commands run in one container, counting each run of a function body: `f2() { f1; f1; }` doubles at
 * every level, so a short script can otherwise unfold into millions of commands.
 */
export const MAX_STEPS = 20_000;

/** Analyses one argv: strips wrappers, runs scripts, and records the simple command. */
export function analyseArgv(argv: readonly Word[], frame: Frame, ctx: Context, depth: number): void {
  let words = argv;
  let env = frame.env;
  let cleared = frame.cleared;
  const wrappers = [...frame.wrappers];
  for (let guard = 0; guard < 64 && words.length > 0; guard++) {
    const result = stripWrapper(words);
    if (!result) break;
    wrappers.push(result.name);
    if ('script' in result) {
      if (--ctx.nesting < 0 || depth >= MAX_DEPTH) {
        limitIfMentioned(ctx, result.script.text, result.script.path);
        return;
      }
      const dialect: Dialect = shellDialect(result.name.split(' ')[0]) ?? 'dash';
      const inner: Frame =
        frame.when === undefined ? { env, wrappers, cleared } : { env, wrappers, cleared, when: frame.when };
      runScript(result.script, result.arg0, result.positionals, inner, ctx, depth + 1, dialect);
      return;
    }
    if (result.clear) {
      env = new Map((result.set ?? []).map((entry) => [entry.name, entry]));
      cleared = true;
    } else if (result.set || result.unset) {
      // An overlay over the environment so far: `env A=B` copies nothing (see env.ts).
      env = OverlayEnv.with(env, result.set ?? [], result.unset ?? []);
    }
    words = result.argv;
  }
  if (words.length === 0 || ctx.commands.length >= ctx.limit) return;
  ctx.commands.push(makeCommand(words, env, wrappers, ctx, frame.when));
}

function makeCommand(
  argv: readonly Word[],
  env: Env,
  wrappers: readonly string[],
  ctx: Context,
  when: string | undefined,
): SimpleCommand {
  const cmd: {
    argv: readonly Word[];
    env: Env;
    wrappers: readonly string[];
    entrypointUnknown?: boolean;
    envFrom?: readonly EnvFromSource[];
    when?: string;
  } = { argv, env, wrappers };
  if (ctx.entrypointUnknown) cmd.entrypointUnknown = true;
  if (ctx.envFrom.length > 0) cmd.envFrom = ctx.envFrom;
  if (when !== undefined) cmd.when = when;
  return cmd;
}

/** oneproc's limit on scripts run by scripts, reached: a limit, reported when the script matters (`mentioned`). */
function limitIfMentioned(ctx: Context, text: string, path: string): void {
  const what = mentioned(ctx, text);
  if (what === undefined) return;
  ctx.work.reach(
    'nesting',
    `a ${what} is nested more than ${MAX_DEPTH} deep (or more than 256 scripts run), oneproc's limit for scripts run by scripts`,
    path,
  );
}

function problemIfMentioned(ctx: Context, text: string, path: string, what: string): void {
  const script = mentioned(ctx, text);
  if (script === undefined) return;
  if (ctx.problems.some((p) => p.path === path && p.message.includes(what))) return;
  ctx.problems.push({ message: `A ${script} ${what}`, path });
}

/** A shell variable as the script sees it. */
type VarState =
  /** `items`: a bash array's elements (`value` is the first, as `$NAME` gives it). */
  | {
      readonly kind: 'value';
      readonly value: string;
      readonly path: string;
      readonly items?: readonly string[];
    }
  | { readonly kind: 'unset' }
  /**
   * `absent`: not set anywhere this container shows (not in env, not possibly from envFrom). A bare
   * `$X` then stays unknown (the image may set X), but `${X:-default}` takes its default.
   * `formula`: a number over the CPU count (`$(nproc)`, `2*$(nproc)+1`), with `atLeast` its least.
   */
  | {
      readonly kind: 'unknown';
      readonly why: string;
      readonly absent?: boolean;
      readonly formula?: string;
      readonly atLeast?: number;
    };

interface Var {
  readonly state: VarState;
  readonly exported: boolean;
}

/** What the last command's exit status is known to be, and how to name that command in messages. */
interface Status {
  /** true: 0, false: non-zero, undefined: known only in the container. */
  readonly ok: boolean | undefined;
  readonly label: string;
}

type Flow = 'exit' | 'return' | 'break' | 'continue';

/** A side of an undecided condition that returned from the function it ran in: the shell's variables then. */
interface Returned {
  readonly vars: ReadonlyMap<string, Var>;
  readonly positionals: Word[];
  readonly label?: string;
}

/** The state of one running shell (a script, with the `eval`s, `.` files and functions it runs). */
class Shell {
  /** Variables assigned or unset by the script itself. */
  readonly vars = new Map<string, Var>();
  readonly functions = new Map<string, { body: Node; path: string }>();
  /** The environment of the commands it starts: `frame.env` plus what the script exported. */
  readonly exported: EnvBuilder;
  positionals: Word[];
  /**
   * Set once the script reads variables from somewhere not visible here (`. FILE` not read,
   * `export $(…)`): a variable the pod does not set may have been set there.
   */
  hidden?: string;
  /** The path of the command being run (a script word's field path, or `file:line`). */
  path: string;
  markers: MarkerTable;
  /** The path of a line of the text being run. */
  linePath: (line: number) => string;
  flow: Flow | undefined;
  status: Status = { ok: true, label: '' };
  /** Undo logs of the branches, subshells and loops being run: a variable's value before them. */
  readonly journals: Map<string, Var | undefined>[] = [];
  /** `local` variables of the functions being run, with their values before the call. */
  readonly locals: Map<string, Var | undefined>[] = [];
  /** Undecided conditions around the current command, outermost first. */
  readonly conditions: string[] = [];
  loops = 0;
  readonly calling: string[] = [];
  /**
   * For each function (or `. FILE`) being run, the first undecided side that returned from it early
   * (`if …; then return 0; fi`): the variables then, and the condition it ran under. The caller goes
   * on from it as well as from the end of the body.
   */
  readonly returns: (Returned | undefined)[] = [];

  constructor(
    readonly frame: Frame,
    readonly ctx: Context,
    readonly depth: number,
    readonly arg0: Word | undefined,
    positionals: Word[],
    readonly dialect: Dialect,
    path: string,
    markers: MarkerTable,
    linePath: (line: number) => string,
  ) {
    this.positionals = positionals;
    this.exported = new EnvBuilder(frame.env);
    this.path = path;
    this.markers = markers;
    this.linePath = linePath;
    if (frame.when !== undefined) this.conditions.push(frame.when);
  }

  lookup(name: string): VarState {
    const own = this.vars.get(name);
    if (own) return own.state;
    const entry = this.frame.env.get(name);
    if (entry) {
      if (entry.value !== undefined) return { kind: 'value', value: entry.value, path: entry.path };
      return entry.atLeast !== undefined
        ? { kind: 'unknown', why: entry.unknown ?? `${name} is not known here`, atLeast: entry.atLeast }
        : { kind: 'unknown', why: entry.unknown ?? `${name} is not known here` };
    }
    if (this.frame.cleared) return { kind: 'unset' };
    const reason = undefinedReason(this.ctx.envFrom, name);
    if (reason !== undefined) return { kind: 'unknown', why: reason };
    if (this.hidden !== undefined) {
      return {
        kind: 'unknown',
        why: `${name} is not set in the container's env, but ${this.hidden} may set it`,
      };
    }
    return {
      kind: 'unknown',
      why: `${name} is not set in the container's env (the image may set it)`,
      absent: true,
    };
  }

  /** Notes the value of `name` before a change, for the branch, loop or subshell being run. */
  private record(name: string): void {
    const journal = this.journals[this.journals.length - 1];
    if (journal && !journal.has(name)) journal.set(name, this.vars.get(name));
  }

  assign(name: string, state: VarState, exportIt: boolean): void {
    const before = this.vars.get(name);
    const exported = exportIt || before?.exported === true || (!before && this.frame.env.has(name));
    this.put(name, { state, exported });
  }

  /** Sets a variable as a whole (its value and whether it is exported), recorded for undo. */
  put(name: string, v: Var | undefined): void {
    this.record(name);
    const wasExported = this.vars.get(name)?.exported ?? this.frame.env.has(name);
    if (v === undefined) {
      this.vars.delete(name);
      const inherited = this.frame.env.get(name);
      if (inherited) this.exported.set(inherited);
      else if (wasExported) this.exported.remove(name);
      return;
    }
    this.vars.set(name, v);
    const state = v.state;
    if (!v.exported) {
      if (wasExported) this.exported.remove(name);
      return;
    }
    if (state.kind === 'unset') this.exported.remove(name);
    else if (state.kind === 'value') this.exported.set({ name, value: state.value, path: state.path });
    else
      this.exported.set(
        state.atLeast !== undefined
          ? { name, unknown: state.why, atLeast: state.atLeast, path: this.path }
          : { name, unknown: state.why, path: this.path },
      );
  }

  /** The environment a command started now receives, plus its own `A=B` prefixes. */
  childEnv(prefix: EnvEntry[]): Env {
    return OverlayEnv.with(this.exported.snapshot(), prefix);
  }

  /** The conditions the current command runs under, as `SimpleCommand.when` says them. */
  when(): string | undefined {
    return this.conditions.length === 0 ? undefined : this.conditions.join(', and ');
  }
}

/** Runs a `sh -c` script (or `npx -c`, `su -c`, …). */
function runScript(
  script: Word,
  arg0: Word | undefined,
  positionals: Word[],
  frame: Frame,
  ctx: Context,
  depth: number,
  dialect: Dialect,
): void {
  const markers = new MarkerTable();
  let text = sanitize(script.text);
  const pieces = ctx.pieces.get(script);
  if (pieces) {
    text = '';
    for (const piece of pieces) {
      if (piece.unknown === undefined) text += sanitize(piece.text);
      else if (looksLikeCommand(piece.text, frame.env)) {
        // `$(nproc)` with envFrom present: the kubelet leaves it (no key of that name, in practice),
        // and the shell runs it as a command substitution.
        text += sanitize(piece.text);
      } else
        text += markers.add({ kind: 'kubernetes', text: piece.text, quoted: true, unknown: piece.unknown });
    }
  } else if (script.unknown !== undefined && !hasShellSyntax(script.text)) {
    // The whole script is a value nobody can see here (e.g. from a Secret).
    text = markers.add({ kind: 'kubernetes', text: script.text, quoted: true, unknown: script.unknown });
  }
  const shell = new Shell(
    frame,
    ctx,
    depth,
    arg0,
    positionals,
    dialect,
    script.path,
    markers,
    () => script.path,
  );
  runText(text, shell);
}

export interface ScriptOptions extends ShellOptions {
  /** The script's path as shown to users (`docker-entrypoint.sh`); commands' paths are `file:line`. */
  readonly file: string;
  /** `$1`, `$2`, …: the words the script is run with (the container's args, the CMD, a caller's words). */
  readonly args?: readonly Word[];
  /** The environment the script starts with: only what its caller exported. */
  readonly env?: Env;
  readonly envFrom?: readonly EnvFromSource[];
  /** The shell that runs it (its shebang's); default dash, Debian's /bin/sh. */
  readonly dialect?: Dialect;
  /** Reads a file the script sources with `.`/`source` (through the caller's file boundary). */
  readonly source?: (path: string) => SourcedFile | undefined;
  /** Commands are run by the image's ENTRYPOINT, which is unknown (SimpleCommand.entrypointUnknown). */
  readonly entrypointUnknown?: boolean;
  /** Wrappers already around the script (`tini`, …). */
  readonly wrappers?: readonly string[];
}

/** Runs a script file; its commands' words have paths `file:line`. */
export function runScriptFile(text: string, options: ScriptOptions, ctx: Context): void {
  const linePath = (line: number) => scriptLinePath(ctx, options.file, line);
  const shell = new Shell(
    { env: options.env ?? new Map(), wrappers: options.wrappers ?? [], cleared: false },
    ctx,
    1,
    { text: options.file, path: linePath(1) },
    [...(options.args ?? [])],
    options.dialect ?? 'dash',
    linePath(1),
    new MarkerTable(),
    linePath,
  );
  runText(sanitize(text), shell);
}

/** `$(nproc)`-like: a lowercase name that the container's env does not define. */
function looksLikeCommand(reference: string, env: Env): boolean {
  const m = /^\$\(([a-z][a-z0-9_-]*)\)$/.exec(reference);
  return m !== null && !env.has(m[1]);
}

/** Private-use characters that mark substitutions must not come from the input itself. */
function sanitize(text: string): string {
  return text.indexOf(MARK_OPEN) < 0 && text.indexOf('\uE001') < 0
    ? text
    : text.replace(/[\uE000\uE001]/g, '\uFFFD');
}

function hasShellSyntax(text: string): boolean {
  return /[\s;&|$`'"]/.test(text);
}

/** Parses and runs `text` in `shell`, one complete command at a time, as dash does. */
function runText(text: string, shell: Shell): void {
  // Every script read (a container's, a nested `sh -c`, an `eval`, a sourced file) counts.
  if (!shell.ctx.work.text(text.length, shell.path)) return;
  const parser = new Parser(text, shell.markers, shell.dialect === 'bash');
  const reportOpen = () => {
    if (parser.unterminated === undefined) return;
    problemIfMentioned(
      shell.ctx,
      reveal(parser.unterminatedText, shell.markers),
      shell.path,
      `leaves ${parser.unterminated} unclosed, so the shell would not run it as written`,
    );
  };
  for (;;) {
    if (shell.flow !== undefined || !going(shell)) break;
    let node: Node | undefined;
    try {
      node = parser.next();
    } catch (err) {
      if (!(err instanceof ParseStop)) throw err;
      reportOpen();
      const path = shell.linePath(err.line);
      if (err.limit) {
        shell.ctx.work.reach(
          'nesting',
          `a shell script ${err.message}; oneproc stopped reading it there`,
          path,
        );
      } else if (shell.ctx.file !== undefined && shell.depth === 1 && shell.calling.length === 0) {
        // dash stops at a syntax error: the commands before it ran, none after it does.
        shell.ctx.problems.push({
          message: `${shell.ctx.file} has a syntax error at line ${err.line} (${err.message}): the shell stops there and runs nothing after it`,
          path,
        });
      } else if (parser.unterminated === undefined) {
        problemIfMentioned(
          shell.ctx,
          text,
          path,
          `has a syntax error at line ${err.line} (${err.message}), where the shell stops`,
        );
      }
      return;
    }
    if (node === undefined) break;
    run(node, shell);
  }
  reportOpen();
  // `exit` ends the script; `return` ends a sourced file or a function; either ends an `eval`.
}

/** True while reading may go on (commands below the limit, budget left). */
function going(shell: Shell): boolean {
  return shell.ctx.commands.length < shell.ctx.limit && shell.ctx.work.stopped(shell.path) === undefined;
}

/** Puts the original text back in place of markers (for messages). */
function reveal(text: string, markers: MarkerTable): string {
  if (text.indexOf(MARK_OPEN) < 0) return text;
  return text.replace(MARKER_RE, (_m, id: string) => markers.get(id)?.text ?? '');
}

const UNKNOWN_STATUS = (label: string): Status => ({ ok: undefined, label });

/** Runs one node of the syntax tree. */
function run(node: Node, shell: Shell): void {
  if (shell.flow !== undefined || !going(shell)) return;
  switch (node.type) {
    case 'simple':
      runSimple(node.words, node.redirects, node.line, shell);
      return;
    case 'list':
      for (const item of node.items) {
        if (shell.flow !== undefined) return;
        if (item.background) {
          // `cmd &` runs in a subshell: it starts, and the script goes on.
          isolated(shell, () => run(item.node, shell));
          shell.status = { ok: true, label: '' };
        } else run(item.node, shell);
      }
      return;
    case 'andor': {
      run(node.first, shell);
      for (const { op, node: next } of node.rest) {
        if (shell.flow !== undefined) return;
        const st = shell.status;
        const runs = op === '&&' ? st.ok : st.ok === undefined ? undefined : !st.ok;
        if (runs === true) run(next, shell);
        else if (runs === undefined) {
          const label = `${st.label} ${op === '&&' ? 'succeeds' : 'fails'}`;
          alternatives(shell, [{ label, run: () => run(next, shell) }, { run: () => {} }]);
          shell.status = UNKNOWN_STATUS(st.label);
        }
      }
      return;
    }
    case 'pipeline': {
      // Each command of a pipeline runs in a subshell (dash; bash without `lastpipe`).
      if (node.commands.length === 1) run(node.commands[0], shell);
      else for (const c of node.commands) isolated(shell, () => run(c, shell));
      const st = shell.status;
      if (node.bang) shell.status = { ok: st.ok === undefined ? undefined : !st.ok, label: `! ${st.label}` };
      return;
    }
    case 'group':
      run(node.body, shell);
      return;
    case 'subshell':
      isolated(shell, () => run(node.body, shell));
      return;
    case 'function':
      shell.functions.set(node.name, { body: node.body, path: shell.linePath(node.line) });
      shell.status = { ok: true, label: '' };
      return;
    case 'if':
      runIf(node, shell);
      return;
    case 'case':
      runCase(node, shell);
      return;
    case 'loop':
    case 'for':
      runLoop(node, shell);
      return;
  }
}

/** Runs `body` in a subshell: nothing it assigns, and no `exit` in it, reaches the script. */
function isolated(shell: Shell, body: () => void): void {
  const positionals = shell.positionals;
  const journal = new Map<string, Var | undefined>();
  shell.journals.push(journal);
  try {
    body();
  } finally {
    shell.journals.pop();
    undo(shell, journal);
    shell.positionals = positionals;
    shell.flow = undefined;
  }
}

function undo(shell: Shell, journal: Map<string, Var | undefined>): void {
  for (const [name, before] of journal) shell.put(name, before);
}

function sameVar(a: Var | undefined, b: Var | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.exported !== b.exported) return false;
  const x = a.state;
  const y = b.state;
  if (x.kind !== y.kind) return false;
  if (x.kind === 'value' && y.kind === 'value')
    return x.value === y.value && (x.items ?? []).join('\0') === (y.items ?? []).join('\0');
  if (x.kind === 'unknown' && y.kind === 'unknown') return x.why === y.why;
  return true;
}

/**
 * Runs undecided alternatives (the sides of an `if`, the arms of a `case`): each from the same
 * state, its commands marked with its condition; afterwards a variable they leave different is
 * unknown, saying which condition decides it.
 */
function alternatives(shell: Shell, runs: readonly { label?: string; run: () => void }[]): void {
  const before = shell.positionals;
  const results: {
    changes: Map<string, Var | undefined>;
    flow: Flow | undefined;
    positionals: Word[];
    label?: string;
    vars?: Map<string, Var>;
  }[] = [];
  const names = new Set<string>();
  for (const r of runs) {
    const journal = new Map<string, Var | undefined>();
    shell.journals.push(journal);
    if (r.label !== undefined) shell.conditions.push(r.label);
    try {
      r.run();
    } finally {
      if (r.label !== undefined) shell.conditions.pop();
      shell.journals.pop();
    }
    const changes = new Map<string, Var | undefined>();
    for (const name of journal.keys()) {
      changes.set(name, shell.vars.get(name));
      names.add(name);
    }
    results.push({
      changes,
      flow: shell.flow,
      positionals: shell.positionals,
      ...(r.label !== undefined ? { label: r.label } : {}),
      // A side that returns from a function: the variables it returns with, for the end of the call
      // (copied once per call: only the first early return is kept).
      ...(shell.flow === 'return' &&
      shell.returns.length > 0 &&
      shell.returns[shell.returns.length - 1] === undefined
        ? { vars: new Map(shell.vars) }
        : {}),
    });
    undo(shell, journal);
    shell.flow = undefined;
    shell.positionals = before;
  }
  // Only the sides that go on to the next command matter for what follows; a side that returns from
  // the function goes on after its call (bash and dash alike: `return` ends the function, not the
  // script), so it is kept for the end of the call when other sides go on.
  const going = results.filter((r) => r.flow === undefined);
  const back = results.find((r) => r.flow === 'return' && r.vars);
  const top = shell.returns.length - 1;
  if (back?.vars && going.length > 0 && shell.returns[top] === undefined)
    shell.returns[top] = {
      vars: back.vars,
      positionals: back.positionals,
      ...(back.label !== undefined ? { label: back.label } : {}),
    };
  if (going.length === 0) {
    if (back?.vars) {
      // Some sides return and the others end the script: the caller goes on from a returning one.
      restoreVars(shell, back.vars);
      shell.positionals = back.positionals;
      shell.flow = 'return';
      return;
    }
    shell.flow = results[0]?.flow;
    return;
  }
  shell.positionals = going[0].positionals;
  const labels = runs.map((r) => r.label).filter((l): l is string => l !== undefined);
  for (const name of names) {
    const current = shell.vars.get(name);
    const finals = going.map((r) => (r.changes.has(name) ? r.changes.get(name) : current));
    if (finals.every((v) => sameVar(v, finals[0]))) {
      if (!sameVar(finals[0], current)) shell.put(name, finals[0]);
      continue;
    }
    const exported = finals.some((v) => v?.exported) || (current === undefined && shell.frame.env.has(name));
    shell.put(name, {
      state: {
        kind: 'unknown',
        why: `${name} is set differently depending on whether ${labels.slice(0, 2).join(' or ')}`,
      },
      exported,
    });
  }
}

/** The label of a condition, for `when` and messages: `[ "$ROLE" = web ]` at its line. */
function labelOf(argv: readonly Word[], shell: Shell): string {
  const text = argv.map((w) => w.text).join(' ');
  const where = shell.path;
  return `\`${short(text)}\` (${where})`;
}

function runIf(node: Extract<Node, { type: 'if' }>, shell: Shell): void {
  // Arms are tried in order; from the first undecided condition on, every arm that may run is an
  // alternative (flat, so a chain of 10,000 `elif`s costs no recursion).
  const options: { label?: string; run: () => void }[] = [];
  let pending: string | undefined;
  for (const arm of node.arms) {
    run(arm.cond, shell);
    if (shell.flow !== undefined) return;
    const st = shell.status;
    if (st.ok === false) continue;
    if (st.ok === true) {
      if (pending === undefined) {
        run(arm.body, shell);
        return;
      }
      options.push({ label: pending, run: () => run(arm.body, shell) });
      alternatives(shell, options);
      return;
    }
    options.push({ label: `${st.label} succeeds`, run: () => run(arm.body, shell) });
    pending = `${st.label} fails`;
  }
  const otherwise = node.otherwise;
  if (pending === undefined) {
    if (otherwise) run(otherwise, shell);
    else shell.status = { ok: true, label: '' };
    return;
  }
  options.push({ label: pending, run: otherwise ? () => run(otherwise, shell) : () => {} });
  alternatives(shell, options);
}

function runCase(node: Extract<Node, { type: 'case' }>, shell: Shell): void {
  shell.path = shell.linePath(node.line);
  const subject = expandSingle(node.subject.raw, shell);
  const shown = `\`${short(reveal(node.subject.raw, shell.markers))}\``;
  const options: { label?: string; run: () => void }[] = [];
  let catchAll = false;
  let closed = false;
  for (const arm of node.arms) {
    let matched: boolean | undefined = false;
    const written: string[] = [];
    for (const p of arm.patterns) {
      const pattern = expandSingle(p.raw, shell);
      written.push(pattern.text);
      if (subject.unknown !== undefined || pattern.unknown !== undefined || EXTGLOB.test(pattern.text)) {
        if (pattern.unknown === undefined && pattern.text === '*') catchAll = true;
        matched = undefined;
      } else if (globMatch(pattern.text, subject.text)) {
        matched = true;
        break;
      }
    }
    if (matched === false) continue;
    const body = () => run(arm.body, shell);
    if (matched === true && options.length === 0) {
      body();
      return;
    }
    options.push({ label: `${shown} matches \`${short(written.join('|'))}\``, run: body });
    if (matched === true || catchAll) {
      closed = true;
      break;
    }
  }
  if (options.length === 0) {
    shell.status = { ok: true, label: '' };
    return;
  }
  if (!closed) options.push({ label: `${shown} matches none of the patterns`, run: () => {} });
  alternatives(shell, options);
}

function runLoop(node: Extract<Node, { type: 'loop' | 'for' }>, shell: Shell): void {
  // The body is read once. A variable it assigns is unknown afterwards: its value depends on the
  // iteration.
  const journal = new Map<string, Var | undefined>();
  shell.journals.push(journal);
  shell.loops++;
  const where = shell.linePath(node.line);
  let once = false; // the body surely runs at least once
  try {
    if (node.type === 'for') {
      shell.path = where;
      const items = node.items
        ? expandWords(
            node.items.map((w) => w.raw),
            shell,
          )
        : shell.positionals;
      if (items === undefined) return;
      if (items.length === 0) return;
      once = true;
      if (items.length === 1 && items[0].unknown === undefined)
        shell.assign(node.name, { kind: 'value', value: items[0].text, path: items[0].path }, false);
      else
        shell.assign(
          node.name,
          {
            kind: 'unknown',
            why: `${node.name} is assigned by the \`for\` loop at ${where}, once for each of ${short(items.map((w) => w.text).join(' '))}`,
          },
          false,
        );
      run(node.body, shell);
    } else {
      run(node.cond, shell);
      const st = shell.status;
      const enters = node.until ? (st.ok === undefined ? undefined : !st.ok) : st.ok;
      if (enters === false || shell.flow !== undefined) return;
      if (enters === true) {
        once = true;
        run(node.body, shell);
      } else
        alternatives(shell, [
          { label: `${st.label} ${node.until ? 'fails' : 'succeeds'}`, run: () => run(node.body, shell) },
          { run: () => {} },
        ]);
    }
  } finally {
    shell.loops--;
    shell.journals.pop();
    // `break`/`continue` end here; an `exit` or `return` in a body that may not run is not certain.
    if (shell.flow === 'break' || shell.flow === 'continue' || !once) shell.flow = undefined;
    const outer = shell.journals[shell.journals.length - 1];
    for (const [name, before] of journal) {
      if (outer && !outer.has(name)) outer.set(name, before);
      const now = shell.vars.get(name);
      if (node.type === 'for' && name === node.name) continue;
      if (now === undefined || sameVar(now, before)) continue;
      shell.put(name, {
        state: {
          kind: 'unknown',
          why: `${name} is assigned in the loop at ${where}, so its value depends on the iteration`,
        },
        exported: now.exported,
      });
    }
  }
}

const NAME_EQ = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Builtins that change only state oneproc does not follow (or nothing): not commands to judge. */
const QUIET_BUILTINS = new Set(['trap', 'umask', 'ulimit', 'shopt', 'alias', 'unalias', 'hash', 'wait']);

/** One simple command: assignments, then a builtin, a function call or a program. */
function runSimple(
  words: readonly WordNode[],
  redirects: readonly Redirect[],
  line: number,
  shell: Shell,
): void {
  const ctx = shell.ctx;
  shell.path = shell.linePath(line);
  // The review's time and budget are checked once per command: a script stops where they run out.
  if (ctx.work.stopped(shell.path) !== undefined) return;
  ctx.steps = (ctx.steps ?? MAX_STEPS) - 1;
  if (ctx.steps < 0) {
    ctx.work.reach(
      'steps',
      `a shell script runs more than ${MAX_STEPS.toLocaleString('en')} commands once its function calls are unfolded; oneproc stopped reading it there`,
      shell.path,
    );
    shell.flow = 'exit';
    return;
  }
  // `A=B cmd` prefixes and plain assignments. With a command, its words are expanded before the
  // assignments' values (XCU 2.9.1 steps 2 and 4: `A="$G" cmd "${G:=x}"` gives A the value x).
  let i = 0;
  while (i < words.length && (NAME_EQ.test(words[i].lead) || words[i].items)) i++;
  const prefix: EnvEntry[] = [];
  const prefixStates: { name: string; state: VarState }[] = [];
  const readPrefix = () => {
    for (let k = 0; k < i; k++) {
      const items = words[k].items;
      if (items) {
        const array = arrayState(words[k].raw, items, shell);
        if (array) prefixStates.push(array);
        continue;
      }
      const m = NAME_EQ.exec(words[k].lead) as RegExpExecArray;
      const raw = words[k].raw.slice(m[0].length);
      const state = assignedState(m[1], raw, expandValue(raw, shell), shell);
      prefixStates.push({ name: m[1], state });
      prefix.push(
        state.kind === 'value'
          ? { name: m[1], value: state.value, path: shell.path }
          : state.kind === 'unknown'
            ? state.atLeast !== undefined
              ? { name: m[1], unknown: state.why, atLeast: state.atLeast, path: shell.path }
              : { name: m[1], unknown: state.why, path: shell.path }
            : { name: m[1], value: '', path: shell.path },
      );
    }
  };
  if (i >= words.length) readPrefix();
  if (i >= words.length) {
    for (const { name, state } of prefixStates) shell.assign(name, state, false);
    shell.status = {
      ok: prefix.some((e) => e.unknown !== undefined) ? undefined : true,
      label: 'the assignment',
    };
    return;
  }
  const first = words[i];
  const rawArgs = words.slice(i + 1).map((w) => w.raw);
  if (
    first.plain &&
    (first.raw === 'export' ||
      first.raw === 'declare' ||
      first.raw === 'typeset' ||
      first.raw === 'readonly' ||
      first.raw === 'local')
  ) {
    declare(first.raw, rawArgs, shell);
    // `local args=(-w 4)`, `declare -a args=(…)`: declared above (`args=`), then given its elements.
    for (const w of words.slice(i + 1)) {
      const array = w.items && arrayState(w.raw, w.items, shell);
      if (array) shell.assign(array.name, array.state, false);
    }
    shell.status = { ok: true, label: first.raw };
    return;
  }
  if (first.plain && first.raw === 'unset') {
    const functionsToo = rawArgs.includes('-f');
    for (const arg of rawArgs) {
      if (arg.startsWith('-')) continue;
      if (functionsToo) shell.functions.delete(arg);
      // `unset` removes the variable and its export attribute (XCU unset): a later assignment is a
      // plain shell variable again.
      else if (NAME.test(arg)) shell.put(arg, { state: { kind: 'unset' }, exported: false });
    }
    shell.status = { ok: true, label: 'unset' };
    return;
  }
  const argv = expandWords(
    words.slice(i).map((w) => w.raw),
    shell,
  );
  if (argv === undefined) return;
  readPrefix();
  if (argv.length === 0) {
    for (const { name, state } of prefixStates) shell.assign(name, state, false);
    shell.status = UNKNOWN_STATUS('the command');
    return;
  }
  const label = labelOf(argv, shell);
  shell.status = UNKNOWN_STATUS(label);
  const program = argv[0].unknown === undefined ? argv[0].text : undefined;
  const fn = program !== undefined ? shell.functions.get(program) : undefined;
  if (fn) {
    callFunction(program as string, fn.body, argv.slice(1), prefixStates, shell);
    return;
  }
  switch (program) {
    case ':':
    case 'true':
      shell.status = { ok: true, label };
      return;
    case 'false':
      shell.status = { ok: false, label };
      return;
    case 'set': {
      const dashes = argv.findIndex((w) => w.text === '--');
      if (dashes > 0) shell.positionals = argv.slice(dashes + 1);
      else if (argv.length > 1 && !/^[-+]/.test(argv[1].text)) shell.positionals = argv.slice(1);
      else if (
        argv.length > 1 &&
        /^[-+]/.test(argv[1].text) &&
        argv.length > 2 &&
        !argv[1].text.includes('o')
      )
        shell.positionals = argv.slice(2);
      shell.status = { ok: true, label };
      return;
    }
    case 'shift': {
      const n = argv[1] ? Number.parseInt(argv[1].text, 10) : 1;
      const count = argv[1]?.unknown === undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
      if (count === undefined) {
        shell.positionals = shell.positionals.map((w) => ({
          text: w.text,
          unknown: `the arguments are shifted by ${short(argv[1]?.text ?? '')}, which is not known here`,
          path: w.path,
        }));
      } else if (count > shell.positionals.length) {
        // dash: "can't shift that many" — a special builtin's error ends a non-interactive shell.
        shell.status = { ok: false, label };
        if (shell.dialect === 'dash') shell.flow = 'exit';
        return;
      } else shell.positionals = shell.positionals.slice(count);
      shell.status = { ok: true, label };
      return;
    }
    case 'exit':
      shell.flow = 'exit';
      return;
    case 'return':
      shell.flow = shell.calling.length > 0 || shell.depth > 0 ? 'return' : 'exit';
      return;
    case 'break':
    case 'continue':
      if (shell.loops > 0) shell.flow = program;
      return;
    case 'read':
      for (const w of argv.slice(1)) {
        if (NAME.test(w.text)) {
          shell.assign(
            w.text,
            { kind: 'unknown', why: `${w.text} is read from input when the container starts` },
            false,
          );
        }
      }
      return;
    case 'eval':
      runEval(argv.slice(1), shell);
      return;
    case '.':
    case 'source':
      if (program === 'source' && shell.dialect === 'dash') {
        // dash has no `source` builtin (src/builtins.def.in): the command is not found.
        shell.status = { ok: false, label };
        return;
      }
      sourceFile(argv, shell);
      return;
    case 'test':
    case '[':
    case '[[': {
      if (program === '[[' && shell.dialect === 'dash') {
        // dash has no `[[`: the shell looks for a program of that name and finds none (status 127).
        shell.status = { ok: false, label: `${label} (dash has no [[)` };
        return;
      }
      const args = argv.slice(1);
      if (program !== 'test') {
        if (args[args.length - 1]?.text !== (program === '[' ? ']' : ']]')) {
          shell.status = { ok: false, label };
          return;
        }
        args.pop();
      }
      // Recorded as before: a `[` command is harmless to the rules, and keeps the order readable.
      recordCommand(argv, prefix, shell, redirects);
      shell.status = { ok: evalTest(args, program === '[['), label };
      return;
    }
  }
  if (program !== undefined && QUIET_BUILTINS.has(program)) {
    shell.status = { ok: true, label };
    return;
  }
  recordCommand(argv, prefix, shell, redirects);
  // `exec CMD` replaces the shell: nothing after it runs.
  if (program === 'exec' && argv.length > 1) shell.flow = 'exit';
  else if (program === 'exec') shell.status = { ok: true, label };
}

/** Records a program the script starts, with its environment; wrappers and `sh -c` are followed. */
function recordCommand(argv: Word[], prefix: EnvEntry[], shell: Shell, redirects: readonly Redirect[]): void {
  const heredoc = redirects.find((r) => r.heredoc !== undefined)?.heredoc;
  if (heredoc && heredoc.text !== '') {
    const reader = basename(argv[0].text);
    if (isShellProgram(reader) && !argv.some((w) => w.text === '-c')) {
      problemIfMentioned(
        shell.ctx,
        heredoc.text,
        shell.path,
        `feeds a here-document to ${reader}, which oneproc does not read`,
      );
    }
  }
  const when = shell.when();
  const frame: Frame = {
    env: shell.childEnv(prefix),
    wrappers: shell.frame.wrappers,
    cleared: shell.frame.cleared,
    ...(when !== undefined ? { when } : {}),
  };
  analyseArgv(argv, frame, shell.ctx, shell.depth);
}

/** A function call: its words are its positional parameters, its `local`s are undone at its end. */
function callFunction(
  name: string,
  body: Node,
  args: Word[],
  prefix: readonly { name: string; state: VarState }[],
  shell: Shell,
): void {
  if (shell.calling.length >= MAX_CALL_DEPTH || shell.calling.includes(name)) {
    // A recursive call: its body is read once, where it was first called.
    shell.status = UNKNOWN_STATUS(`the recursive call of ${name}`);
    return;
  }
  const positionals = shell.positionals;
  const locals = new Map<string, Var | undefined>();
  shell.locals.push(locals);
  shell.calling.push(name);
  shell.positionals = args;
  // `A=B f`: dash makes A=B visible to the function for the call (src/eval.c `evalfun` with
  // `poplocalvars`), as a local of the call.
  for (const p of prefix) {
    if (!locals.has(p.name)) locals.set(p.name, shell.vars.get(p.name));
    shell.assign(p.name, p.state, true);
  }
  shell.returns.push(undefined);
  try {
    run(body, shell);
  } finally {
    rejoin(shell, shell.returns.pop(), name);
    shell.calling.pop();
    shell.locals.pop();
    for (const [n, before] of locals) shell.put(n, before);
    shell.positionals = positionals;
    if (shell.flow === 'return') shell.flow = undefined;
  }
}

/** Sets every variable back to what `vars` holds (recorded for undo, as any assignment). */
function restoreVars(shell: Shell, vars: ReadonlyMap<string, Var>): void {
  for (const n of new Set([...vars.keys(), ...shell.vars.keys()]))
    if (!sameVar(vars.get(n), shell.vars.get(n))) shell.put(n, vars.get(n));
}

/**
 * The end of a function call (or `. FILE`) that some undecided sides returned from early: when the
 * rest of the body ended the script (`exit 1` after `if …; then return 0; fi`), the caller goes on from
 * the sides that returned, with what they set; otherwise from the end of the body too, and a variable
 * the two leave different is unknown.
 */
function rejoin(shell: Shell, returned: Returned | undefined, name: string): void {
  if (!returned) return;
  if (shell.flow === 'exit') {
    shell.flow = 'return';
    restoreVars(shell, returned.vars);
    shell.positionals = returned.positionals;
    return;
  }
  const first = returned;
  for (const n of new Set([...first.vars.keys(), ...shell.vars.keys()])) {
    const v = first.vars.get(n);
    const current = shell.vars.get(n);
    if (sameVar(v, current)) continue;
    const exported = v?.exported === true || current?.exported === true;
    shell.put(n, {
      state: {
        kind: 'unknown',
        why: `${n} is set differently depending on whether ${name} returns early${first.label !== undefined ? ` (when ${first.label})` : ''}`,
      },
      exported,
    });
  }
}

/** `. FILE [ARGS]`: the file runs in the current shell, when the caller can read it. */
function sourceFile(argv: Word[], shell: Shell): void {
  const name = argv[1];
  if (!name) return;
  const program = argv[0].text;
  // A virtualenv's activate script only sets VIRTUAL_ENV, PATH and the prompt.
  if (/(?:^|\/)activate$/.test(name.text) && name.unknown === undefined) {
    recordCommand(argv, [], shell, []);
    shell.status = { ok: true, label: program };
    return;
  }
  const file = name.unknown === undefined ? shell.ctx.source?.(name.text) : undefined;
  if (!file) {
    shell.hidden ??= `\`${program} ${short(name.text)}\``;
    recordCommand(argv, [], shell, []);
    return;
  }
  if (--shell.ctx.nesting < 0 || shell.calling.length >= MAX_CALL_DEPTH) {
    limitIfMentioned(shell.ctx, file.text, shell.path);
    return;
  }
  const { markers, linePath, positionals } = shell;
  shell.markers = new MarkerTable();
  shell.linePath = (line) => scriptLinePath(shell.ctx, file.path, line);
  if (argv.length > 2) shell.positionals = argv.slice(2);
  shell.calling.push(`. ${file.path}`);
  shell.returns.push(undefined);
  try {
    runText(sanitize(file.text), shell);
  } finally {
    rejoin(shell, shell.returns.pop(), `. ${file.path}`);
    shell.calling.pop();
    shell.markers = markers;
    shell.linePath = linePath;
    if (argv.length > 2) shell.positionals = positionals;
    if (shell.flow === 'return') shell.flow = undefined;
  }
}

/**
 * `test`/`[`/`[[`, as dash's src/bltin/test.c and bash's test.c read them: true/false when every
 * operand is known, undefined otherwise (file tests are known only in the container).
 */
function evalTest(args: readonly Word[], doubleBracket: boolean): boolean | undefined {
  const known = (w: Word | undefined) => w !== undefined && w.unknown === undefined;
  const t = (k: number) => args[k]?.text;
  // `!` and the binary connectives of `[[` and `test`, read left to right.
  if (args.length === 0) return false;
  if (t(0) === '!' && args.length > 1) {
    const v = evalTest(args.slice(1), doubleBracket);
    return v === undefined ? undefined : !v;
  }
  for (const [op, and] of [
    [doubleBracket ? '||' : '-o', false],
    [doubleBracket ? '&&' : '-a', true],
  ] as const) {
    const at = args.findIndex(
      (w, k) => k > 0 && k < args.length - 1 && w.text === op && w.unknown === undefined,
    );
    if (at > 0) {
      const a = evalTest(args.slice(0, at), doubleBracket);
      const b = evalTest(args.slice(at + 1), doubleBracket);
      if (and) return a === false || b === false ? false : a === true && b === true ? true : undefined;
      return a === true || b === true ? true : a === false && b === false ? false : undefined;
    }
  }
  if (args.length === 1) return known(args[0]) ? args[0].text !== '' : undefined;
  if (args.length === 2) {
    const op = t(0);
    if (op === '-n' || op === '-z') {
      if (!known(args[1])) return undefined;
      return op === '-n' ? args[1].text !== '' : args[1].text === '';
    }
    return undefined;
  }
  if (args.length === 3) {
    const op = t(1);
    if (!known(args[0]) || !known(args[2])) return undefined;
    const a = args[0].text;
    const b = args[2].text;
    switch (op) {
      case '=':
      case '==':
        if (doubleBracket && EXTGLOB.test(b)) return undefined;
        return doubleBracket ? globMatch(b, a) : a === b;
      case '!=':
        if (doubleBracket && EXTGLOB.test(b)) return undefined;
        return doubleBracket ? !globMatch(b, a) : a !== b;
      case '-eq':
      case '-ne':
      case '-lt':
      case '-le':
      case '-gt':
      case '-ge': {
        if (!/^\s*[-+]?\d+\s*$/.test(a) || !/^\s*[-+]?\d+\s*$/.test(b)) return undefined;
        const x = BigInt(a.trim());
        const y = BigInt(b.trim());
        return op === '-eq'
          ? x === y
          : op === '-ne'
            ? x !== y
            : op === '-lt'
              ? x < y
              : op === '-le'
                ? x <= y
                : op === '-gt'
                  ? x > y
                  : x >= y;
      }
    }
  }
  return undefined;
}

/**
 * The commands a `$(…)` runs that matter to the caller, recorded as any others: a `curl` (the
 * `curl -X PUT --data-binary @conf.json` that gives NGINX Unit its configuration) or a command that
 * mentions a server. Its body runs in a subshell (XCU 2.6.3), so nothing it sets reaches the script,
 * and its words stand at the line of the command that holds it. Its output stays unknown. Other
 * substitutions (`$(nproc)`, `$(python -c …)`) only compute a value and are not recorded.
 */
function runSubstitution(text: string, shell: Shell): void {
  if (!text.startsWith('$(') || !text.endsWith(')') || text.startsWith('$((')) return;
  const body = text.slice(2, -1);
  if (!/(?:^|[\s;&|(])curl\s/.test(body) && !shell.ctx.mentions?.test(body)) return;
  const { path, linePath, status } = shell;
  shell.linePath = () => path;
  try {
    isolated(shell, () => runText(body, shell));
  } finally {
    shell.path = path;
    shell.linePath = linePath;
    shell.status = status;
  }
}

/** bash's extended patterns (`+(…)`, `@(…)`, `!(…)`, `?(…)`, `*(…)`): not matched here, so undecided. */
const EXTGLOB = /[?*+@!]\(/;

/** Shell pattern matching (`case`, `[[ == ]]`): `*`, `?`, `[…]` and backslash escapes; linear. */
export function globMatch(pattern: string, text: string): boolean {
  if (pattern.length > 4096 || text.length > 65536) return false;
  // Iterative wildcard matching with one backtrack point per `*` (the classic linear-space method).
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  const classAt = (at: number, c: string): { end: number; ok: boolean } | undefined => {
    let k = at + 1;
    const negate = pattern[k] === '!' || pattern[k] === '^';
    if (negate) k++;
    let ok = false;
    const start = k;
    while (k < pattern.length && (pattern[k] !== ']' || k === start)) {
      if (pattern[k + 1] === '-' && pattern[k + 2] !== undefined && pattern[k + 2] !== ']') {
        if (c >= pattern[k] && c <= pattern[k + 2]) ok = true;
        k += 3;
      } else {
        if (pattern[k] === c) ok = true;
        k++;
      }
    }
    if (k >= pattern.length) return undefined;
    return { end: k + 1, ok: negate ? !ok : ok };
  };
  while (s < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p++;
      starS = s;
      continue;
    }
    if (pc !== undefined) {
      if (pc === '?') {
        p++;
        s++;
        continue;
      }
      if (pc === '[') {
        const cls = classAt(p, text[s]);
        if (cls?.ok) {
          p = cls.end;
          s++;
          continue;
        }
        if (cls === undefined && text[s] === '[') {
          p++;
          s++;
          continue;
        }
      } else if (pc === '\\' && pattern[p + 1] === text[s]) {
        p += 2;
        s++;
        continue;
      } else if (pc === text[s]) {
        p++;
        s++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP + 1;
    s = ++starS;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * bash's `NAME=(a b c)` and `NAME+=(d)`: the items expanded and split as a command's words are
 * (bash's `assign_compound_array_list`), each an element; unknown when one of them is.
 */
function arrayState(
  head: string,
  items: readonly WordNode[],
  shell: Shell,
): { name: string; state: VarState } | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=$/.exec(head);
  if (!m) return undefined;
  const name = m[1];
  const words = expandWords(
    items.map((w) => w.raw),
    shell,
  );
  if (!words) return { name, state: { kind: 'unknown', why: `the array ${name} is too large to read` } };
  const unknown = words.find((w) => w.unknown !== undefined);
  if (unknown)
    return {
      name,
      state: {
        kind: 'unknown',
        why: `an element of the array ${name} (${shell.path}) is unknown: ${unknown.unknown}`,
      },
    };
  let before: readonly string[] = [];
  if (m[2] === '+') {
    const v = shell.lookup(name);
    if (v.kind === 'unknown') return { name, state: { kind: 'unknown', why: v.why } };
    if (v.kind === 'value') before = v.items ?? [v.value];
  }
  const all = [...before, ...words.map((w) => w.text)];
  return { name, state: { kind: 'value', value: all[0] ?? '', path: shell.path, items: all } };
}

/** The state an assignment `NAME=raw` gives NAME. */
function assignedState(name: string, raw: string, value: ExpandedValue, shell: Shell): VarState {
  if (value.unknown === undefined) return { kind: 'value', value: value.text, path: shell.path };
  const why = assignedFrom(name, raw, value.unknown, shell);
  if (value.formula !== undefined)
    return {
      kind: 'unknown',
      why,
      formula: value.formula,
      ...(value.atLeast !== undefined ? { atLeast: value.atLeast } : {}),
    };
  return { kind: 'unknown', why };
}

/** Why a variable assigned in the script is unknown: what it was set from, and why that is unknown. */
function assignedFrom(name: string, raw: string, why: string, shell: Shell): string {
  // `A=$A$A` again and again: the reason is already about A, and stays one sentence long.
  if (why.startsWith(`${name} is set to `)) return why;
  return `${name} is set to ${short(reveal(raw, shell.markers))} at ${shell.path}, and ${why}`;
}

/** `export A=B C`, `declare -x A=B`, `readonly A=B`, `local A=B`. */
function declare(builtin: string, args: string[], shell: Shell): void {
  const options = args.filter((a) => /^[-+]/.test(a)).join('');
  const exportIt = builtin === 'export' || /^-\w*x/.test(options) || /-\w*x/.test(options);
  const local =
    builtin === 'local' || ((builtin === 'declare' || builtin === 'typeset') && !/g/.test(options));
  const locals = local ? shell.locals[shell.locals.length - 1] : undefined;
  for (const arg of args) {
    if (/^[-+]/.test(arg)) continue;
    if (/^\uE000[0-9a-z]+\uE001$/.test(arg)) {
      // `export $(cat .env | xargs)`: names and values are only known in the container.
      shell.hidden ??= `\`${builtin} ${short(reveal(arg, shell.markers))}\``;
      continue;
    }
    const m = NAME_EQ.exec(arg);
    const name = m ? m[1] : NAME.test(arg) ? arg : undefined;
    if (name === undefined) continue;
    if (locals && !locals.has(name)) locals.set(name, shell.vars.get(name));
    if (m) {
      const raw = arg.slice(m[0].length);
      shell.assign(name, assignedState(name, raw, expandValue(raw, shell), shell), exportIt);
    } else if (exportIt) {
      shell.assign(name, shell.lookup(name), true);
    } else if (locals) {
      // `local X` without a value: dash keeps the value, bash unsets it (both: local to the call).
      if (shell.dialect === 'bash') shell.assign(name, { kind: 'unset' }, false);
    }
  }
}

/** `eval ARGS`: the joined words are run as a script in the current shell, when they are known. */
function runEval(args: Word[], shell: Shell): void {
  const text = args.map((w) => w.text).join(' ');
  const unknown = args.find((w) => w.unknown !== undefined);
  if (unknown) {
    problemIfMentioned(
      shell.ctx,
      text,
      shell.path,
      `runs \`eval\` on a value that is not known here (${unknown.unknown})`,
    );
    return;
  }
  if (--shell.ctx.nesting < 0 || shell.calling.length >= MAX_CALL_DEPTH) {
    limitIfMentioned(shell.ctx, text, shell.path);
    return;
  }
  const { markers, linePath, path } = shell;
  shell.markers = new MarkerTable();
  shell.linePath = () => path;
  try {
    runText(sanitize(text), shell);
  } finally {
    shell.markers = markers;
    shell.linePath = linePath;
  }
}
/** What one marker expands to. */
type Expansion =
  | { readonly kind: 'text'; readonly text: string; readonly split: boolean; readonly path?: string }
  | {
      readonly kind: 'unknown';
      readonly text: string;
      readonly why: string;
      /** A number over the CPU count, as arithmetic can use it (`$(nproc)`, `2*$(nproc)+1`). */
      readonly formula?: string;
      readonly atLeast?: number;
    }
  /** Positional parameters; `star` for `$*`, which joins them into one word inside quotes. */
  | { readonly kind: 'words'; readonly words: readonly Word[]; readonly star: boolean };

/**
 * Why a value the script builds is not followed past MAX_ARG_STRLEN (e.g. `A=$A$A` repeated): dash
 * would hold it, but no program can be given it, and following it would cost oneproc without limit.
 */
function scriptValueTooLong(shell: Shell): string {
  return shell.ctx.work.reach(
    'script-value',
    'a value the script builds grows longer than 128 KiB, the kernel’s limit for one argument or environment string (MAX_ARG_STRLEN); oneproc does not follow it',
    shell.path,
  );
}

/** The text of positional parameters joined by blanks, unless that passes MAX_ARG_STRLEN. */
function joined(words: readonly Word[]): string | undefined {
  let size = words.length;
  for (const w of words) size += w.text.length;
  return size > MAX_ARG_STRLEN ? undefined : words.map((w) => w.text).join(' ');
}

/**
 * Expands a word that is not split (an assignment's value). A value that would pass MAX_ARG_STRLEN
 * (or the budget) is unknown, with its text as written.
 */
/** A value that is not split: its text, or why it is unknown (and its CPU formula, if it is one). */
interface ExpandedValue {
  readonly text: string;
  readonly unknown?: string;
  readonly formula?: string;
  readonly atLeast?: number;
}

function expandSingle(raw: string, shell: Shell): ExpandedValue {
  return expandValue(raw, shell);
}

function expandValue(raw: string, shell: Shell): ExpandedValue {
  if (raw.indexOf(MARK_OPEN) < 0) return { text: raw };
  // A value that is exactly one expansion keeps what that expansion knows (a CPU formula).
  const whole = /^\uE000([0-9a-z]+)\uE001$/.exec(raw);
  // Expanded once: a substitution's commands are recorded each time it is expanded.
  let once: Expansion | undefined;
  if (whole) {
    const marker = shell.markers.get(whole[1]);
    if (marker) {
      const e = expandMarker(marker, shell);
      once = e;
      if (e.kind === 'unknown' && e.formula !== undefined)
        return e.atLeast !== undefined
          ? { text: e.text, unknown: e.why, formula: e.formula, atLeast: e.atLeast }
          : { text: e.text, unknown: e.why, formula: e.formula };
    }
  }
  let text = '';
  let unknown: string | undefined;
  let last = 0;
  // Why `t` cannot be added, or undefined when it can.
  const refused = (t: string | undefined) =>
    t === undefined || text.length + t.length > MAX_ARG_STRLEN
      ? scriptValueTooLong(shell)
      : shell.ctx.work.text(t.length, shell.path)
        ? undefined
        : (shell.ctx.work.stopped(shell.path) ?? '');
  for (const m of raw.matchAll(MARKER_RE)) {
    const literal = raw.slice(last, m.index);
    const whyNot = refused(literal);
    if (whyNot !== undefined) return { text: raw, unknown: whyNot };
    text += literal;
    last = (m.index ?? 0) + m[0].length;
    const marker = shell.markers.get(m[1]);
    if (!marker) continue;
    const e = once ?? expandMarker(marker, shell);
    const value = e.kind === 'words' ? joined(e.words) : e.text;
    const tooMuch = refused(value);
    if (tooMuch !== undefined || value === undefined) return { text: raw, unknown: tooMuch ?? '' };
    text += value;
    if (e.kind === 'unknown') unknown ??= e.why;
    else if (e.kind === 'words') unknown ??= e.words.find((w) => w.unknown !== undefined)?.unknown;
  }
  text += raw.slice(last);
  return unknown === undefined ? { text } : { text, unknown };
}

/**
 * Expands the words of a command: markers resolved, unquoted known values split into words. Each
 * word is counted against the review's budget; undefined once the budget is spent.
 */
function expandWords(raw: readonly string[], shell: Shell): Word[] | undefined {
  const out: Word[] = [];
  const work = shell.ctx.work;
  for (const word of raw) {
    if (word.indexOf(MARK_OPEN) < 0) {
      if (!work.words(1, shell.path)) return undefined;
      out.push({ text: word, path: shell.path });
      continue;
    }
    if (!expandWordInto(word, shell, out)) return undefined;
  }
  return out;
}

/** Expands one raw word into `out` (none, one or several words); false once the budget is spent. */
function expandWordInto(raw: string, shell: Shell, out: Word[]): boolean {
  const work = shell.ctx.work;
  // The word being built: its text, first unknown reason, and whether anything real is in it.
  let text = '';
  let unknown: string | undefined;
  let path: string | undefined;
  let solid = false; // holds literal text or quoted content: kept even when empty
  let parts = 0;
  let capped = false; // past MAX_ARG_STRLEN: the rest of this word is not built
  let spent = false;
  let least: number | undefined; // the least value of a word that is one CPU formula
  const push = () => {
    if (solid || text !== '' || unknown !== undefined) {
      if (!work.words(1, shell.path)) spent = true;
      const p = parts === 1 && path !== undefined ? path : shell.path;
      out.push(
        unknown === undefined
          ? { text, path: p }
          : parts === 1 && least !== undefined
            ? { text, unknown, atLeast: least, path: p }
            : { text, unknown, path: p },
      );
    }
    least = undefined;
    text = '';
    unknown = undefined;
    path = undefined;
    solid = false;
    parts = 0;
    capped = false;
  };
  const cap = (why: string) => {
    // Kept as a short unknown word: no program could be given it anyway.
    capped = true;
    unknown = why;
    text = `${text.slice(0, 40)}…`;
    if (work.stopped(shell.path) !== undefined) spent = true;
  };
  const add = (t: string, why?: string, from?: string) => {
    if (capped) return;
    if (text.length + t.length > MAX_ARG_STRLEN) return cap(scriptValueTooLong(shell));
    if (!work.text(t.length, shell.path)) return cap(work.stopped(shell.path) ?? '');
    text += t;
    if (why !== undefined && unknown === undefined) unknown = why;
    parts++;
    path = from;
  };
  let last = 0;
  for (const m of raw.matchAll(MARKER_RE)) {
    if (spent) return false;
    const index = m.index ?? 0;
    if (index > last) {
      add(raw.slice(last, index));
      solid = true;
    }
    last = index + m[0].length;
    const marker = shell.markers.get(m[1]);
    if (!marker) continue;
    const e = expandMarker(marker, shell);
    // A quoted expansion makes a word even when empty — except "$@" with no parameters (XCU 2.5.2).
    if (marker.quoted && !(e.kind === 'words' && !e.star)) solid = true;
    if (e.kind === 'unknown') {
      add(e.text, e.why);
      least = e.atLeast;
    } else if (e.kind === 'text') {
      if (!e.split || marker.quoted) {
        add(e.text, undefined, e.path);
        continue;
      }
      // Unquoted: the value is split into words on blanks (IFS), as the shell does.
      const fields = e.text.split(/[ \t\n]+/);
      for (let f = 0; f < fields.length && !spent; f++) {
        if (f > 0) push();
        if (fields[f] !== '') add(fields[f], undefined, e.path);
      }
    } else if (marker.quoted && e.star) {
      // "$*" (and "$1"): the parameters joined by blanks, one word.
      if (e.words.length === 0) continue;
      const u = e.words.find((w) => w.unknown !== undefined);
      const all = joined(e.words);
      if (all === undefined) cap(scriptValueTooLong(shell));
      else add(all, u?.unknown, e.words.length === 1 ? e.words[0].path : undefined);
    } else if (marker.quoted) {
      // "$@": one word per parameter (the first and last join their neighbours).
      for (let k = 0; k < e.words.length && !spent; k++) {
        const w = e.words[k];
        if (k > 0) push();
        add(w.text, w.unknown, w.path);
        solid = true;
      }
    } else {
      // Unquoted $@, $*, $1: each parameter is split on blanks again, empty fields dropped.
      for (let k = 0; k < e.words.length && !spent; k++) {
        const w = e.words[k];
        if (k > 0) push();
        if (w.unknown !== undefined) {
          add(w.text, w.unknown, w.path);
          continue;
        }
        const fields = w.text.split(/[ \t\n]+/);
        for (let f = 0; f < fields.length && !spent; f++) {
          if (f > 0) push();
          if (fields[f] !== '') add(fields[f], undefined, w.path);
        }
      }
    }
  }
  if (last < raw.length) {
    add(raw.slice(last));
    solid = true;
  }
  push();
  return !spent;
}

const SIMPLE_PARAM =
  /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-])\}|([A-Za-z_][A-Za-z0-9_]*|\d|[@*#?$!-]))$/s;
const OP_PARAM = /^\$\{([A-Za-z_][A-Za-z0-9_]*|\d+|[@*])(:?[-=+?])(.*)\}$/s;
const LENGTH_PARAM = /^\$\{#([A-Za-z_][A-Za-z0-9_]*)\}$/;

function expandMarker(marker: Marker, shell: Shell): Expansion {
  switch (marker.kind) {
    case 'command': {
      runSubstitution(marker.text, shell);
      const why = `the command substitution ${short(marker.text)} runs only in the container`;
      // The number of CPUs of the node: unknown, but at least 1.
      if (isCpuCount(marker.text))
        return { kind: 'unknown', text: marker.text, why, formula: marker.text, atLeast: 1 };
      const formula = pythonCpuFormula(marker.text);
      const bounds = formula === undefined ? null : cpuFormulaBounds(`$((${formula}))`);
      if (formula !== undefined && bounds)
        return { kind: 'unknown', text: `$((${formula}))`, why, formula, atLeast: bounds.min };
      return { kind: 'unknown', text: marker.text, why };
    }
    case 'arithmetic':
      return arithmetic(marker.text, shell);
    case 'process':
      return { kind: 'unknown', text: marker.text, why: 'a process substitution' };
    case 'kubernetes':
      return { kind: 'unknown', text: marker.text, why: marker.unknown ?? 'not known here' };
    case 'heredoc':
      return { kind: 'text', text: '', split: false };
    case 'param':
      return expandParam(marker.text, shell);
  }
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function expandParam(text: string, shell: Shell, depth = 0): Expansion {
  const simple = SIMPLE_PARAM.exec(text);
  if (simple) {
    const name = simple[1] ?? simple[2];
    return expandName(name, text, shell);
  }
  // `${@:2}`, `${@:2:1}`, `${*:2}` (bash): the parameters from the offset on ($0 is offset 0).
  const slice = /^\$\{([@*]):(\d{1,6})(?::(\d{1,6}))?\}$/.exec(text);
  if (slice) {
    const all = shell.arg0
      ? [shell.arg0, ...shell.positionals]
      : [{ text: 'sh', path: shell.path }, ...shell.positionals];
    const from = Number(slice[2]);
    const words = all.slice(from, slice[3] === undefined ? undefined : from + Number(slice[3]));
    return { kind: 'words', words, star: slice[1] === '*' };
  }
  // bash arrays: `${NAME[@]}`, `${NAME[*]}`, `${NAME[N]}`, `${#NAME[@]}`; a plain variable is an
  // array of one (bash's `array_value` on a scalar).
  const indexed = /^\$\{(#?)([A-Za-z_][A-Za-z0-9_]*)\[([@*]|\d{1,6})\]\}$/.exec(text);
  if (indexed) {
    const [, count, name, index] = indexed;
    const v = shell.lookup(name);
    if (v.kind === 'unknown') return unknownOf(text, v);
    const items = v.kind === 'value' ? (v.items ?? [v.value]) : [];
    const path = v.kind === 'value' ? v.path : shell.path;
    if (index === '@' || index === '*') {
      if (count) return { kind: 'text', text: String(items.length), split: false };
      return { kind: 'words', words: items.map((t) => ({ text: t, path })), star: index === '*' };
    }
    const item = items[Number(index)] ?? '';
    return count
      ? { kind: 'text', text: String(item.length), split: false }
      : { kind: 'text', text: item, split: true, path };
  }
  const length = LENGTH_PARAM.exec(text);
  if (length) {
    const v = shell.lookup(length[1]);
    if (v.kind === 'value') return { kind: 'text', text: String(v.value.length), split: false };
    if (v.kind === 'unset') return { kind: 'text', text: '0', split: false };
    return { kind: 'unknown', text, why: v.why };
  }
  const op = OP_PARAM.exec(text);
  if (!op)
    return { kind: 'unknown', text, why: `the parameter expansion ${short(text)} is not evaluated here` };
  const [, name, operator, word] = op;
  const state = paramState(name, shell);
  const v: VarState = state.kind === 'unknown' && state.absent ? { kind: 'unset' } : state;
  if (v.kind === 'unknown') {
    const fallback = operator.endsWith('-') || operator.endsWith('=') ? `; if it is not, ${short(word)}` : '';
    return { kind: 'unknown', text, why: `${v.why}${fallback}` };
  }
  const colon = operator.startsWith(':');
  const isSet = v.kind === 'value' && (!colon || v.value !== '');
  switch (operator.slice(-1)) {
    case '-':
    case '=': {
      if (isSet && v.kind === 'value') return { kind: 'text', text: v.value, split: true, path: v.path };
      const d = defaultValue(word, shell, depth);
      if (d.unknown !== undefined) return { kind: 'unknown', text, why: d.unknown };
      if (operator.endsWith('=') && /^[A-Za-z_]/.test(name))
        shell.assign(name, { kind: 'value', value: d.text, path: shell.path }, false);
      return { kind: 'text', text: d.text, split: true, path: shell.path };
    }
    case '+': {
      if (!isSet) return { kind: 'text', text: '', split: true };
      const d = defaultValue(word, shell, depth);
      return d.unknown !== undefined
        ? { kind: 'unknown', text, why: d.unknown }
        : { kind: 'text', text: d.text, split: true };
    }
    default:
      if (isSet && v.kind === 'value') return { kind: 'text', text: v.value, split: true, path: v.path };
      return {
        kind: 'unknown',
        text,
        why: `${name} is not set, so the shell stops with an error (${short(text)})`,
      };
  }
}

/** The state of a named or positional parameter. */
function paramState(name: string, shell: Shell): VarState {
  if (/^\d+$/.test(name)) {
    const n = Number.parseInt(name, 10);
    const w = n === 0 ? shell.arg0 : shell.positionals[n - 1];
    if (!w) return n === 0 ? { kind: 'value', value: 'sh', path: shell.path } : { kind: 'unset' };
    return w.unknown !== undefined
      ? { kind: 'unknown', why: w.unknown }
      : { kind: 'value', value: w.text, path: w.path };
  }
  if (name === '@' || name === '*') {
    const words = shell.positionals;
    const u = words.find((w) => w.unknown !== undefined);
    if (u) return { kind: 'unknown', why: u.unknown ?? '' };
    return words.length === 0
      ? { kind: 'unset' }
      : { kind: 'value', value: words.map((w) => w.text).join(' '), path: shell.path };
  }
  return shell.lookup(name);
}

function expandName(name: string, text: string, shell: Shell): Expansion {
  if (name === '@' || name === '*') {
    return { kind: 'words', words: shell.positionals, star: name === '*' };
  }
  if (name === '#') return { kind: 'text', text: String(shell.positionals.length), split: false };
  if (name === '?' || name === '$' || name === '!' || name === '-') {
    return { kind: 'unknown', text, why: `the special parameter $${name} is only known in the container` };
  }
  if (/^\d+$/.test(name)) {
    const n = Number.parseInt(name, 10);
    const w = n === 0 ? shell.arg0 : shell.positionals[n - 1];
    if (!w)
      return n === 0 ? { kind: 'text', text: 'sh', split: false } : { kind: 'text', text: '', split: true };
    return { kind: 'words', words: [w], star: true };
  }
  const v = shell.lookup(name);
  if (v.kind === 'value') return { kind: 'text', text: v.value, split: true, path: v.path };
  if (v.kind === 'unset') return { kind: 'text', text: '', split: true };
  return unknownOf(text, v);
}

/** An unknown variable's expansion: its reason, and what it is known to be at least (a CPU count). */
function unknownOf(text: string, v: Extract<VarState, { kind: 'unknown' }>): Expansion {
  if (v.formula !== undefined && v.atLeast !== undefined)
    return { kind: 'unknown', text, why: v.why, formula: v.formula, atLeast: v.atLeast };
  if (v.atLeast !== undefined) return { kind: 'unknown', text, why: v.why, atLeast: v.atLeast };
  return { kind: 'unknown', text, why: v.why };
}

/** How deep `${A:-${B:-${C:-4}}}` defaults are followed. */
const MAX_DEFAULT_NESTING = 16;

/**
 * The `word` of `${X:-word}`: literal, quoted literal, a simple `$NAME`, or one whole parameter
 * expansion, quoted or not (`${WORKERS:-${WEB_CONCURRENCY:-4}}`: the word is expanded as any other,
 * XCU 2.6.2).
 */
function defaultValue(word: string, shell: Shell, depth = 0): { text: string; unknown?: string } {
  if (!/[$`"'\\\uE000]/.test(word)) return { text: word };
  const whole = wholeParam(
    word.length > 1 && word.startsWith('"') && word.endsWith('"') ? word.slice(1, -1) : word,
  );
  if (whole !== undefined) {
    if (depth >= MAX_DEFAULT_NESTING)
      return {
        text: word,
        unknown: `the default value nests more than ${MAX_DEFAULT_NESTING} expansions deep`,
      };
    const e = expandParam(whole, shell, depth + 1);
    if (e.kind === 'text') return { text: e.text };
    if (e.kind === 'unknown') return { text: word, unknown: e.why };
    const unknown = e.words.find((w) => w.unknown !== undefined);
    return unknown
      ? { text: word, unknown: unknown.unknown }
      : { text: e.words.map((w) => w.text).join(' ') };
  }
  const quoted = /^"([^$`"\\]*)"$|^'([^']*)'$/.exec(word);
  if (quoted) return { text: quoted[1] ?? quoted[2] ?? '' };
  const ref = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word);
  if (ref && (word[1] === '{') === word.endsWith('}')) {
    const v = shell.lookup(ref[1]);
    if (v.kind === 'value') return { text: v.value };
    if (v.kind === 'unset') return { text: '' };
    return { text: word, unknown: v.why };
  }
  return { text: word, unknown: `the default value ${short(word)} is not evaluated here` };
}

/** `word` when it is one whole `${…}` expansion (its first `${` closes at its end), else undefined. */
function wholeParam(word: string): string | undefined {
  if (!word.startsWith('${') || !word.endsWith('}') || /["'`\\\uE000]/.test(word)) return undefined;
  let open = 0;
  for (let i = 0; i < word.length; i++) {
    if (word[i] === '{' && word[i - 1] === '$') open++;
    else if (word[i] === '}' && --open === 0) return i === word.length - 1 ? word : undefined;
  }
  return undefined;
}

/**
 * `$((…))`: variables with known integer values are substituted and the expression is evaluated
 * (arith.ts, 64-bit as dash). One over the CPU count (`$(nproc)`, or a variable holding such a
 * value) stays unknown, with the known variables substituted so that it reads as a formula, and
 * carries its least value on any node: `$((2*$(nproc)+1))` is at least 3.
 */
function arithmetic(text: string, shell: Shell): Expansion {
  const why = `the shell arithmetic ${short(text)} is evaluated only in the container`;
  if (text.length > 4096) return { kind: 'unknown', text, why };
  let unknownWhy: string | undefined;
  const inner = text.slice(3, -2);
  // Variables outside command substitutions: $NAME, ${NAME}, and bare NAME (arithmetic reads names).
  let substituted = '';
  let depth = 0;
  const re =
    /\$\(|\(|\)|`[^`]*`|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*)|[^$()`A-Za-z_]+|\$/g;
  for (const m of inner.matchAll(re)) {
    const token = m[0];
    if (token === '$(') depth++;
    else if (token === '(' && depth > 0) depth++;
    else if (token === ')' && depth > 0) depth--;
    const name = m[1] ?? m[2] ?? m[3];
    if (name === undefined || depth > 0) {
      substituted += token;
      continue;
    }
    if (m[3] !== undefined && /^0[xX]/.test(substituted.slice(-1) + token)) {
      substituted += token;
      continue;
    }
    const v = shell.lookup(name);
    if (v.kind === 'value' && /^\s*-?\d{1,18}\s*$/.test(v.value)) substituted += v.value.trim();
    else if (v.kind === 'unset' || (v.kind === 'value' && v.value.trim() === '')) substituted += '0';
    else if (v.kind === 'unknown' && v.formula !== undefined)
      substituted += /^\$\(|^`/.test(v.formula) && isCpuCount(v.formula) ? v.formula : `(${v.formula})`;
    else {
      unknownWhy ??= v.kind === 'unknown' ? v.why : `${name} is not a number (${short(v.value)})`;
      substituted += token;
    }
  }
  if (unknownWhy !== undefined) return { kind: 'unknown', text, why: unknownWhy };
  const result = `$((${substituted}))`;
  const bounds = cpuFormulaBounds(result);
  if (bounds)
    return {
      kind: 'unknown',
      text: result,
      why: `the shell arithmetic ${short(result)} is evaluated only in the container`,
      formula: substituted.trim(),
      atLeast: bounds.min,
    };
  if (!/[$`]/.test(substituted)) {
    const value = evalArithmetic(substituted);
    if (value !== null) return { kind: 'text', text: String(value), split: false };
  }
  return {
    kind: 'unknown',
    text: result,
    why: `the shell arithmetic ${short(result)} is evaluated only in the container`,
  };
}
