/**
 * From an argv (after Kubernetes expansion) to simple commands: wrappers are stripped, and shell
 * scripts (`sh -c`) are split into simple commands whose words are expanded against the shell's
 * variables at that point of the script. What cannot be known stays as written, marked unknown.
 *
 * Tokenising is shell-quote's (a kept library, behind `tokenize`); the structural pass it lacks
 * (comments, line breaks, here-documents, substitutions) is in scan.ts. Shell features that only
 * matter at run time (globbing, functions being called or not, loops) are not evaluated: every
 * simple command the script contains is reported, which errs on the side of seeing a server.
 */
import { parse as shellQuoteParse } from 'shell-quote';
import { MAX_ARG_STRLEN, type WorkBudget } from './budget';
import { EnvBuilder, OverlayEnv } from './env';
import { type Piece, undefinedReason } from './kubernetes';
import { MARK_OPEN, MARKER_RE, type Marker, MarkerTable, scanScript } from './scan';
import type { Env, EnvEntry, EnvFromSource, ShellProblem, SimpleCommand, Word } from './types';
import { basename, stripWrapper } from './wrappers';

/** Shared by everything that one container produces. */
export interface Context {
  readonly commands: SimpleCommand[];
  readonly problems: ShellProblem[];
  readonly envFrom: readonly EnvFromSource[];
  readonly entrypointUnknown: boolean;
  /** Pieces of words that carry Kubernetes references with unknown values (for scripts). */
  readonly pieces: WeakMap<Word, readonly Piece[]>;
  /** Scripts left to run before giving up on pathological input (nested `sh -c`, `eval`). */
  nesting: number;
  /** The review's work budget: words, text and time (budget.ts). */
  readonly work: WorkBudget;
  /**
   * Commands recorded at most. Scripts are read piece by piece and reading stops once this many
   * commands were found, so a 1 MiB script costs no more than its first commands (the engine judges
   * `MAX_COMMANDS` and says that it stopped).
   */
  readonly limit: number;
}

/** Where a command runs: its environment and the wrappers around it so far. */
interface Frame {
  readonly env: Env;
  readonly wrappers: readonly string[];
  /** `env -i` ran: a variable that is not in `env` is known to be unset. */
  readonly cleared: boolean;
}

const MAX_DEPTH = 12;

/**
 * Program names that start a server oneproc knows: a script line that mentions one and cannot be
 * read is reported as a problem; other unreadable lines are harmless and not reported.
 */
export const SERVER_MENTION =
  /(?:^|[^\w.-])(uvicorn|gunicorn|hypercorn|granian|fastapi|uwsgi|sanic|daphne|waitress-serve|odoo(?:-bin)?|puma|unicorn|passenger|pm2(?:-runtime)?|celery|dramatiq|rq|rqworker|sidekiq|supervisord|octane:start)(?![\w-])/;

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
        limitIfServer(ctx, result.script.text, result.script.path);
        return;
      }
      runScript(result.script, result.arg0, result.positionals, { env, wrappers, cleared }, ctx, depth + 1);
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
  ctx.commands.push(makeCommand(words, env, wrappers, ctx));
}

function makeCommand(
  argv: readonly Word[],
  env: Env,
  wrappers: readonly string[],
  ctx: Context,
): SimpleCommand {
  const cmd: {
    argv: readonly Word[];
    env: Env;
    wrappers: readonly string[];
    entrypointUnknown?: boolean;
    envFrom?: readonly EnvFromSource[];
  } = { argv, env, wrappers };
  if (ctx.entrypointUnknown) cmd.entrypointUnknown = true;
  if (ctx.envFrom.length > 0) cmd.envFrom = ctx.envFrom;
  return cmd;
}

/** oneproc's limit on scripts run by scripts, reached: a limit, reported when a server is mentioned. */
function limitIfServer(ctx: Context, text: string, path: string): void {
  const m = SERVER_MENTION.exec(text);
  if (!m) return;
  ctx.work.reach(
    'nesting',
    `a shell script mentioning ${m[1]} is nested more than ${MAX_DEPTH} deep (or more than 256 scripts run), oneproc's limit for scripts run by scripts`,
    path,
  );
}

function problemIfServer(ctx: Context, text: string, path: string, what: string): void {
  const m = SERVER_MENTION.exec(text);
  if (!m) return;
  if (ctx.problems.some((p) => p.path === path && p.message.includes(what))) return;
  ctx.problems.push({ message: `A shell script mentioning ${m[1]} ${what}`, path });
}

/** A shell variable as the script sees it. */
type VarState =
  | { readonly kind: 'value'; readonly value: string; readonly path: string }
  | { readonly kind: 'unset' }
  /**
   * `absent`: not set anywhere this container shows (not in env, not possibly from envFrom). A bare
   * `$X` then stays unknown (the image may set X), but `${X:-default}` takes its default.
   */
  | { readonly kind: 'unknown'; readonly why: string; readonly absent?: boolean };

/** The state of one running script. */
class Shell {
  /** Variables assigned or unset by the script itself. */
  readonly vars: Map<string, VarState & { exported: boolean }>;
  /** The environment of the commands it starts: `frame.env` plus what the script exported. */
  readonly exported: EnvBuilder;
  positionals: Word[];
  /**
   * Set once the script reads variables from somewhere not visible here (`. FILE`, `source FILE`,
   * `export $(…)`, `read`): a variable the pod does not set may have been set there.
   */
  hidden?: string;

  constructor(
    readonly markers: MarkerTable,
    readonly path: string,
    readonly frame: Frame,
    readonly ctx: Context,
    readonly depth: number,
    readonly arg0: Word | undefined,
    positionals: Word[],
    /** For `eval`: the variables of the shell it runs in, shared, not copied. */
    shared?: Shell,
  ) {
    this.positionals = positionals;
    this.vars = shared ? shared.vars : new Map();
    this.exported = shared ? shared.exported : new EnvBuilder(frame.env);
    if (shared?.hidden !== undefined) this.hidden = shared.hidden;
  }

  lookup(name: string): VarState {
    const own = this.vars.get(name);
    if (own) return own;
    const entry = this.frame.env.get(name);
    if (entry) {
      return entry.value !== undefined
        ? { kind: 'value', value: entry.value, path: entry.path }
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

  assign(name: string, state: VarState, exportIt: boolean): void {
    const before = this.vars.get(name);
    const exported = exportIt || before?.exported === true || (!before && this.frame.env.has(name));
    this.vars.set(name, { ...state, exported });
    if (!exported) return;
    if (state.kind === 'unset') this.exported.remove(name);
    else if (state.kind === 'value') this.exported.set({ name, value: state.value, path: state.path });
    else this.exported.set({ name, unknown: state.why, path: this.path });
  }

  /** The environment a command started now receives, plus its own `A=B` prefixes. */
  childEnv(prefix: EnvEntry[]): Env {
    return OverlayEnv.with(this.exported.snapshot(), prefix);
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
  const shell = new Shell(markers, script.path, frame, ctx, depth, arg0, positionals);
  runText(text, shell);
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

function runText(text: string, shell: Shell): void {
  // Every script read (a container's, a nested `sh -c`, an `eval`) counts against the budget.
  if (!shell.ctx.work.text(text.length, shell.path)) return;
  const scan = scanScript(text, shell.markers);
  if (scan.unterminated !== undefined) {
    problemIfServer(
      shell.ctx,
      reveal(scan.unterminatedText ?? '', shell.markers),
      shell.path,
      `leaves ${scan.unterminated} unclosed, so the shell would not run it as written`,
    );
  }
  const state: TokenState = { depth: 0, current: [], piped: [], heredoc: undefined };
  let batch: LinePiece[] = [];
  let size = 0;
  const flush = (): boolean => {
    if (batch.length > 0) runBatch(batch, shell, state);
    batch = [];
    size = 0;
    return shell.ctx.commands.length < shell.ctx.limit && shell.ctx.work.stopped(shell.path) === undefined;
  };
  // Tokenizing is the largest cost of reading a script, so it is done in pieces of about
  // BATCH_CHARS (whole lines, or a long line cut between its commands, or a long command cut between
  // its words), and stops once the container has as many commands as anyone will judge or the
  // budget is spent.
  for (const line of scan.lines) {
    for (const piece of line.length > BATCH_CHARS ? splitCommands(line) : [{ text: line, more: false }]) {
      batch.push(piece);
      size += piece.text.length;
      if (size >= BATCH_CHARS && !flush()) return;
    }
  }
  flush();
}

/** A piece of a scanned line; `more`: the next piece continues the same command (cut at a blank). */
interface LinePiece {
  readonly text: string;
  readonly more: boolean;
}

/** Characters tokenized in one call (a typical script is one batch). */
const BATCH_CHARS = 8192;

/**
 * Cuts a long scanned line after the `;`, `&&` and `||` that separate its commands (outside quotes;
 * scan.ts already replaced substitutions by markers). Each piece tokenizes to the same words and the
 * commands come out the same: these operators only end a command. `;;`, `;&` and `|` are not cut
 * (`case` patterns and pipelines are read across them). A command longer than BATCH_CHARS is also
 * cut at a blank between two words (never right after an operator, so a redirection keeps its
 * target), marked `more`: its words are the same whether tokenized whole or in pieces.
 */
function splitCommands(line: string): LinePiece[] {
  const pieces: LinePiece[] = [];
  const end = (at: number, next: number) => {
    if (line.slice(start, at).trim() !== '') pieces.push({ text: line.slice(start, at), more: false });
    start = next;
  };
  let start = 0;
  // The open quote: `'`, `"`, or `$` for `$'…'` (where a backslash escapes, unlike in `'…'`).
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      if (quote !== "'") i++;
    } else if (quote !== '') {
      if (c === (quote === '$' ? "'" : quote)) quote = '';
    } else if (c === '$' && line[i + 1] === "'") {
      quote = '$';
      i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if ((c === '&' || c === '|') && line[i + 1] === c) {
      end(i, i + 2);
      i++;
    } else if (c === ';') {
      // `;;`, `;;&` and `;&` end `case` arms and are kept whole; a lone `;` ends a command.
      if (line[i + 1] === ';') i += line[i + 2] === '&' ? 2 : 1;
      else if (line[i + 1] === '&') i++;
      else end(i, i + 1);
    } else if ((c === ' ' || c === '\t') && i - start >= BATCH_CHARS && isWordEnd(line, i - 1)) {
      pieces.push({ text: line.slice(start, i), more: true });
      start = i;
    } else {
      // Operators that contain `&` or `|` without ending a command, consumed whole as the tokenizer
      // reads them: `|&`, `&>`, `&>>`, `>&`, `>|`, `>>`, `>(`, `<&`, `<>`, `<(`, `<<`, `<<-`, `<<<`.
      i += operatorTail(line, i);
    }
  }
  end(line.length, line.length);
  return pieces;
}

/** True when `line[i]` ends a word (not a blank, not an operator character). */
function isWordEnd(line: string, i: number): boolean {
  const c = line[i];
  return c !== undefined && !' \t;&|<>()'.includes(c);
}

/** How many characters after `line[i]` belong to the same (non-separating) operator. */
function operatorTail(line: string, i: number): number {
  const c = line[i];
  const next = line[i + 1];
  if (c === '|') return next === '&' ? 1 : 0;
  if (c === '&') return next === '>' ? (line[i + 2] === '>' ? 2 : 1) : 0;
  if (c === '>') return next === '>' || next === '&' || next === '|' || next === '(' ? 1 : 0;
  if (c === '<') {
    if (next === '<') {
      const third = line[i + 2];
      if (third === '<' || third === '-') return 2;
      return third === '(' ? 0 : 1;
    }
    return next === '(' || next === '&' || next === '>' ? 1 : 0;
  }
  return 0;
}

/**
 * Tokenizes lines in one call (a line break separates commands like `;` does); only when that fails
 * is each line tokenized alone, to find the line at fault.
 */
function runBatch(pieces: readonly LinePiece[], shell: Shell, state: TokenState): void {
  const last = pieces[pieces.length - 1];
  if (pieces.length > 1) {
    let all: readonly Token[] | undefined;
    try {
      // A line break separates commands like `;` does; a piece cut at a blank continues its command.
      const text = pieces.map((p, k) =>
        k === pieces.length - 1 ? p.text : p.more ? `${p.text} ` : `${p.text} ;\n`,
      );
      all = tokenize(text.join(''), shell.markers);
    } catch {
      all = undefined;
    }
    if (all) {
      runTokens(all, shell, state, !last.more);
      return;
    }
  }
  for (const piece of pieces) {
    let tokens: readonly Token[];
    try {
      tokens = tokenize(piece.text, shell.markers);
    } catch {
      problemIfServer(
        shell.ctx,
        reveal(piece.text, shell.markers),
        shell.path,
        'has a line oneproc cannot split into words',
      );
      continue;
    }
    runTokens(tokens, shell, state, !piece.more);
  }
}

/** Puts the original text back in place of markers (for messages). */
function reveal(text: string, markers: MarkerTable): string {
  if (text.indexOf(MARK_OPEN) < 0) return text;
  return text.replace(MARKER_RE, (_m, id: string) => markers.get(id)?.text ?? '');
}

type Token = { readonly word: string } | { readonly op: string };

/** Tokenized lines, by text: shell-quote is the largest cost of reading a script. */
const TOKEN_CACHE = new Map<string, readonly Token[]>();

/**
 * The adapter over shell-quote: words (quotes removed, markers kept) and operators. Variables never
 * reach shell-quote (scan.ts replaced them by markers); should one slip through, the callback keeps
 * it as an unknown marker rather than letting it become an empty string.
 */
function tokenize(line: string, markers: MarkerTable): readonly Token[] {
  const cached = TOKEN_CACHE.get(line);
  if (cached) return cached;
  const before = markers.entries.length;
  // An object (not a function) as env: shell-quote then skips a per-word RegExp pass it only needs
  // for functions returning objects. The Proxy answers every name with an unknown marker.
  const env = new Proxy({} as Record<string, string>, {
    get: (_target, key) => markers.add({ kind: 'param', text: `\${${String(key)}}`, quoted: true }),
  });
  const entries = shellQuoteParse(line, env);
  const tokens: Token[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') tokens.push({ word: entry });
    else if ('op' in entry) {
      if (entry.op === 'glob') tokens.push({ word: (entry as { pattern: string }).pattern });
      else tokens.push({ op: entry.op });
    }
    // comments cannot occur: scan.ts removed them and escaped every other `#`.
  }
  // Tokens depend only on the line (markers are referred to by number) unless the env callback
  // added markers; manifests repeat the same scripts, so remember the answer.
  if (markers.entries.length === before && line.length <= 4096) {
    if (TOKEN_CACHE.size >= 512) TOKEN_CACHE.clear();
    TOKEN_CACHE.set(line, tokens);
  }
  return tokens;
}

const SEPARATORS = new Set([';', '&&', '||', '|', '&', '|&', ';;', ';&', ';;&', '(', ')']);
const PREFIX_KEYWORDS = new Set(['!', '{', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', 'time']);
const CLOSING_KEYWORDS = new Set(['}', 'fi', 'done', 'esac']);
const SKIPPED_KEYWORDS = new Set(['for', 'select', 'case', 'in']);
const STATE_BUILTINS = new Set([
  ':',
  'true',
  'false',
  'set',
  'shift',
  'return',
  'exit',
  'wait',
  'trap',
  'umask',
  'ulimit',
  'shopt',
  'alias',
]);
const NAME_EQ = /^([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * The command being read, kept across the pieces of a long command. Commands joined by `|` wait until
 * the pipeline ends: `web|api)` is a `case` pattern, not a pipeline.
 */
interface TokenState {
  /** Open parentheses (subshells) of the script so far. */
  depth: number;
  current: string[];
  piped: Array<{ raw: string[]; heredoc: Marker | undefined }>;
  heredoc: Marker | undefined;
}

/** Runs the commands of `tokens`; with `end`, the last one too (else the next piece continues it). */
function runTokens(tokens: readonly Token[], shell: Shell, state: TokenState, end: boolean): void {
  const run = () => {
    for (const p of state.piped) runCommand(p.raw, shell, p.heredoc);
    state.piped = [];
    if (state.current.length > 0) runCommand(state.current, shell, state.heredoc);
    state.current = [];
    state.heredoc = undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if ('word' in token) {
      state.current.push(token.word);
      continue;
    }
    const op = token.op;
    if (op === '|' || op === '|&') {
      state.piped.push({ raw: state.current, heredoc: state.heredoc });
      state.current = [];
      state.heredoc = undefined;
      continue;
    }
    if (SEPARATORS.has(op)) {
      if (op === '(') state.depth++;
      if (op === ')') {
        if (state.depth > 0) state.depth--;
        else {
          // The end of a `case` pattern: nothing before it on this command is run.
          state.piped = [];
          state.current = [];
          state.heredoc = undefined;
        }
      }
      run();
      continue;
    }
    // A redirection: its target is not an argument.
    const target = tokens[i + 1];
    if (target && 'word' in target) {
      i++;
      if (op === '<<' || op === '<<-') state.heredoc = markerOf(target.word, shell.markers);
    }
  }
  if (end) run();
}

function markerOf(word: string, markers: MarkerTable): Marker | undefined {
  const m = /^\uE000([0-9a-z]+)\uE001$/.exec(word);
  return m ? markers.get(m[1]) : undefined;
}

/** One simple command of the script, as raw words (quotes removed, markers in place). */
function runCommand(raw: string[], shell: Shell, heredoc: Marker | undefined): void {
  // The review's time and budget are checked once per command: a script stops where they run out.
  if (shell.ctx.work.stopped(shell.path) !== undefined) return;
  let start = 0;
  while (start < raw.length) {
    const w = raw[start];
    if (PREFIX_KEYWORDS.has(w)) {
      start += w === 'time' && raw[start + 1] === '-p' ? 2 : 1;
    } else if (w === 'function') start += 2;
    else break;
  }
  if (start >= raw.length) return;
  if (SKIPPED_KEYWORDS.has(raw[start])) return;
  if (CLOSING_KEYWORDS.has(raw[start]) && raw.length - start === 1) return;

  // `A=B cmd` prefixes and plain assignments.
  const prefix: EnvEntry[] = [];
  let i = start;
  for (; i < raw.length; i++) {
    const m = NAME_EQ.exec(raw[i]);
    if (!m) break;
    const value = expandSingle(raw[i].slice(m[0].length), shell);
    prefix.push(
      value.unknown !== undefined
        ? {
            name: m[1],
            unknown: assignedFrom(m[1], raw[i].slice(m[0].length), value.unknown, shell),
            path: shell.path,
          }
        : { name: m[1], value: value.text, path: shell.path },
    );
  }
  if (i >= raw.length) {
    for (const entry of prefix) shell.assign(entry.name, toState(entry), false);
    return;
  }
  const name = raw[i];
  if (
    name === 'export' ||
    name === 'declare' ||
    name === 'typeset' ||
    name === 'readonly' ||
    name === 'local'
  ) {
    declare(raw.slice(i + 1), shell, name === 'export' || raw.slice(i + 1).some((a) => /^-\w*x/.test(a)));
    return;
  }
  if (name === 'unset') {
    for (const arg of raw.slice(i + 1)) {
      if (arg.startsWith('-')) {
        if (arg === '-f') return;
        continue;
      }
      shell.assign(arg, { kind: 'unset' }, false);
    }
    return;
  }
  const argv = expandWords(raw.slice(i), shell);
  if (argv === undefined || argv.length === 0) return;
  const program = argv[0].text;
  if (program === 'set') {
    const dashes = argv.findIndex((w) => w.text === '--');
    if (dashes > 0) shell.positionals = argv.slice(dashes + 1);
    return;
  }
  if (program === 'shift') {
    const n = argv[1] ? Number.parseInt(argv[1].text, 10) : 1;
    shell.positionals = shell.positionals.slice(Number.isFinite(n) && n > 0 ? n : 1);
    return;
  }
  if (program === '.' || program === 'source') {
    const file = argv[1]?.text ?? '';
    // A virtualenv's activate script only sets VIRTUAL_ENV, PATH and the prompt.
    if (!/(?:^|\/)activate$/.test(file)) shell.hidden ??= `\`${program} ${short(file)}\``;
  }
  if (program === 'read') {
    for (const w of argv.slice(1)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.text)) {
        shell.assign(
          w.text,
          { kind: 'unknown', why: `${w.text} is read from input when the container starts` },
          false,
        );
      }
    }
    return;
  }
  if (STATE_BUILTINS.has(program)) return;
  if (program === 'eval') {
    runEval(argv.slice(1), shell);
    return;
  }
  if (heredoc && heredoc.text !== '') {
    const reader = basename(argv[0].text);
    if (/^(?:sh|bash|ash|dash|zsh|ksh)$/.test(reader) && !argv.some((w) => w.text === '-c')) {
      problemIfServer(
        shell.ctx,
        heredoc.text,
        shell.path,
        `feeds a here-document to ${reader}, which oneproc does not read`,
      );
    }
  }
  const frame: Frame = {
    env: shell.childEnv(prefix),
    wrappers: shell.frame.wrappers,
    cleared: shell.frame.cleared,
  };
  analyseArgv(argv, frame, shell.ctx, shell.depth);
}

/** Why a variable assigned in the script is unknown: what it was set from, and why that is unknown. */
function assignedFrom(name: string, raw: string, why: string, shell: Shell): string {
  // `A=$A$A` again and again: the reason is already about A, and stays one sentence long.
  if (why.startsWith(`${name} is set to `)) return why;
  return `${name} is set to ${short(reveal(raw, shell.markers))} in the script, and ${why}`;
}

function toState(entry: EnvEntry): VarState {
  return entry.value !== undefined
    ? { kind: 'value', value: entry.value, path: entry.path }
    : { kind: 'unknown', why: entry.unknown ?? `${entry.name} is not known here` };
}

/** `export A=B C`, `declare -x A=B`, `readonly A=B`, `local A=B`. */
function declare(args: string[], shell: Shell, exportIt: boolean): void {
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    if (/^\uE000[0-9a-z]+\uE001$/.test(arg)) {
      // `export $(cat .env | xargs)`: names and values are only known in the container.
      shell.hidden ??= `\`export ${short(reveal(arg, shell.markers))}\``;
      continue;
    }
    const m = NAME_EQ.exec(arg);
    if (m) {
      const value = expandSingle(arg.slice(m[0].length), shell);
      shell.assign(
        m[1],
        value.unknown !== undefined
          ? { kind: 'unknown', why: assignedFrom(m[1], arg.slice(m[0].length), value.unknown, shell) }
          : { kind: 'value', value: value.text, path: shell.path },
        exportIt,
      );
    } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg) && exportIt) {
      const before = shell.lookup(arg);
      shell.assign(arg, before, true);
    }
  }
}

/** `eval ARGS`: the joined words are run as a script, when they are known. */
function runEval(args: Word[], shell: Shell): void {
  const text = args.map((w) => w.text).join(' ');
  const unknown = args.find((w) => w.unknown !== undefined);
  if (unknown) {
    problemIfServer(
      shell.ctx,
      text,
      shell.path,
      `runs \`eval\` on a value that is not known here (${unknown.unknown})`,
    );
    return;
  }
  if (--shell.ctx.nesting < 0 || shell.depth >= MAX_DEPTH) {
    limitIfServer(shell.ctx, text, shell.path);
    return;
  }
  // eval runs in the current shell: its assignments and exports are the shell's own.
  const inner = new Shell(
    new MarkerTable(),
    shell.path,
    shell.frame,
    shell.ctx,
    shell.depth + 1,
    shell.arg0,
    shell.positionals,
    shell,
  );
  runText(sanitize(text), inner);
  shell.positionals = inner.positionals;
  if (inner.hidden !== undefined) shell.hidden ??= inner.hidden;
}

/** What one marker expands to. */
type Expansion =
  | { readonly kind: 'text'; readonly text: string; readonly split: boolean; readonly path?: string }
  | { readonly kind: 'unknown'; readonly text: string; readonly why: string }
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
function expandSingle(raw: string, shell: Shell): { text: string; unknown?: string } {
  if (raw.indexOf(MARK_OPEN) < 0) return { text: raw };
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
    const e = expandMarker(marker, shell);
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
  const push = () => {
    if (solid || text !== '' || unknown !== undefined) {
      if (!work.words(1, shell.path)) spent = true;
      const p = parts === 1 && path !== undefined ? path : shell.path;
      out.push(unknown === undefined ? { text, path: p } : { text, unknown, path: p });
    }
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
    if (marker.quoted) solid = true;
    if (e.kind === 'unknown') {
      add(e.text, e.why);
    } else if (e.kind === 'text') {
      if (!e.split || marker.quoted) {
        add(e.text, undefined, e.path);
        if (marker.quoted) solid = true;
        continue;
      }
      // Unquoted: the value is split into words on blanks (IFS), as the shell does.
      const fields = e.text.split(/[ \t\n]+/);
      for (let f = 0; f < fields.length && !spent; f++) {
        if (f > 0) push();
        if (fields[f] !== '') add(fields[f], undefined, e.path);
      }
    } else {
      // "$@" and $@: one word per positional parameter (the first and last join their neighbours).
      if (e.words.length === 0) continue;
      if (e.star && (marker.quoted || e.words.length === 1)) {
        const u = e.words.find((w) => w.unknown !== undefined);
        const all = joined(e.words);
        if (all === undefined) cap(scriptValueTooLong(shell));
        else add(all, u?.unknown, e.words.length === 1 ? e.words[0].path : undefined);
        continue;
      }
      for (let k = 0; k < e.words.length && !spent; k++) {
        const w = e.words[k];
        if (k > 0) push();
        add(w.text, w.unknown, w.path);
        solid = true;
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
    case 'command':
      return {
        kind: 'unknown',
        text: marker.text,
        why: `the command substitution ${short(marker.text)} runs only in the container`,
      };
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

function expandParam(text: string, shell: Shell): Expansion {
  const simple = SIMPLE_PARAM.exec(text);
  if (simple) {
    const name = simple[1] ?? simple[2];
    return expandName(name, text, shell);
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
      const d = defaultValue(word, shell);
      if (d.unknown !== undefined) return { kind: 'unknown', text, why: d.unknown };
      if (operator.endsWith('=') && /^[A-Za-z_]/.test(name))
        shell.assign(name, { kind: 'value', value: d.text, path: shell.path }, false);
      return { kind: 'text', text: d.text, split: true, path: shell.path };
    }
    case '+': {
      if (!isSet) return { kind: 'text', text: '', split: true };
      const d = defaultValue(word, shell);
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
  return { kind: 'unknown', text, why: v.why };
}

/** The `word` of `${X:-word}`: literal, quoted literal, or a simple `$NAME`. */
function defaultValue(word: string, shell: Shell): { text: string; unknown?: string } {
  if (!/[$`"'\\\uE000]/.test(word)) return { text: word };
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

/**
 * `$((…))`: variables with known integer values are substituted; a constant expression is evaluated
 * (so `$((2*W))` with W=2 is 4); one that still holds `$(nproc)` or the like stays unknown, with the
 * known variables substituted so that the rules can bound it over CPU counts.
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
    const v = shell.lookup(name);
    if (v.kind === 'value' && /^\s*-?\d{1,15}\s*$/.test(v.value)) substituted += v.value.trim();
    else if (v.kind === 'unset' || (v.kind === 'value' && v.value.trim() === '')) substituted += '0';
    else {
      unknownWhy ??= v.kind === 'unknown' ? v.why : `${name} is not a number (${short(v.value)})`;
      substituted += token;
    }
  }
  if (unknownWhy !== undefined) return { kind: 'unknown', text, why: unknownWhy };
  if (/^[\d\s+\-*/%()]*$/.test(substituted)) {
    const value = evaluate(substituted);
    if (value !== null) return { kind: 'text', text: String(value), split: false };
  }
  const result = `$((${substituted}))`;
  return {
    kind: 'unknown',
    text: result,
    why: `the shell arithmetic ${short(result)} is evaluated only in the container`,
  };
}

/** Integer arithmetic with + - * / % and parentheses, as the shell evaluates it; null if malformed. */
function evaluate(expr: string): number | null {
  const tokens = expr.match(/\d+|[-+*/%()]/g) ?? [];
  if (tokens.length === 0 || tokens.length > 512) return null;
  let pos = 0;
  const primary = (): number | null => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (t === '(') {
      const v = sum();
      return tokens[pos++] === ')' ? v : null;
    }
    if (t === '-' || t === '+') {
      const v = primary();
      return v === null ? null : t === '-' ? -v : v;
    }
    return /^\d+$/.test(t) ? Number.parseInt(t, 10) : null;
  };
  const product = (): number | null => {
    let left = primary();
    while (left !== null && (tokens[pos] === '*' || tokens[pos] === '/' || tokens[pos] === '%')) {
      const op = tokens[pos++];
      const right = primary();
      if (right === null || (op !== '*' && right === 0)) return null;
      left = op === '*' ? left * right : op === '/' ? Math.trunc(left / right) : left % right;
    }
    return left;
  };
  const sum = (): number | null => {
    let left = product();
    while (left !== null && (tokens[pos] === '+' || tokens[pos] === '-')) {
      const op = tokens[pos++];
      const right = product();
      if (right === null) return null;
      left = op === '+' ? left + right : left - right;
    }
    return left;
  };
  const value = sum();
  return pos === tokens.length && value !== null && Number.isSafeInteger(value) ? value : null;
}
