/**
 * Helpers shared by the server rules: finding options in an argv the way each server's own parser
 * does, reading a worker count from a word or an env entry, and bounding `$(nproc)` formulas.
 * Pure functions: no IO, never throw.
 */
import type { EnvEntry, SimpleCommand, Word } from '../shell/types';
import type { Decision, ServerRule } from './types';

/** The basename of argv[0] (`/app/.venv/bin/uvicorn` → `uvicorn`), or '' when there is none. */
export function programName(cmd: SimpleCommand): string {
  const first = cmd.argv[0];
  if (!first) return '';
  const text = first.text;
  const slash = text.lastIndexOf('/');
  return slash >= 0 ? text.slice(slash + 1) : text;
}

/** One occurrence of an option in argv. */
export interface OptionHit {
  /** The option as written, e.g. `-w`, `--workers`. */
  readonly name: string;
  /** Its value as a word (glued values get a word of their own), or null when the value is missing. */
  readonly value: Word | null;
  /** The option and its value as the user wrote them, e.g. `--workers 4`, `-w4`. */
  readonly written: string;
  /** The field of the value (or of the option, when the value is missing). */
  readonly path: string;
  /** Index of the option's word in argv. */
  readonly index: number;
}

export interface ScanOptions {
  /**
   * How a short option's value may be glued to it: `-w4` (argparse, click, getopt) and, for argparse,
   * also `-w=4`. `none`: only `-w 4`. Default: `glued`.
   */
  readonly shortGlue?: 'glued' | 'glued-or-equals' | 'none';
  /** Index in argv where options start (after a subcommand, say). Default 1. */
  readonly from?: number;
  /** Options of this program that take a value, so that their values are skipped. */
  readonly takesValue?: readonly string[];
}

/**
 * All occurrences of a value-taking option (`names` such as `['-w', '--workers']`), in order, so a
 * rule can apply its server's precedence (usually: the last one wins). Scanning stops at `--`.
 * Long options accept `--name value` and `--name=value`.
 */
export function findOption(
  argv: readonly Word[],
  names: readonly string[],
  opts: ScanOptions = {},
): OptionHit[] {
  const hits: OptionHit[] = [];
  const glue = opts.shortGlue ?? 'glued';
  const skip = opts.takesValue ? setOf(opts.takesValue) : undefined;
  const dashed = names.every((name) => name.charCodeAt(0) === 45);
  for (let i = opts.from ?? 1; i < argv.length; i++) {
    const word = argv[i];
    const text = word.text;
    // Options start with `-` (here and in takesValue): other words (values, module names) are passed
    // over at once.
    if (dashed && text.charCodeAt(0) !== 45 /* - */ && !skip?.has(text)) continue;
    if (text === '--') break;
    let matched = false;
    for (const name of names) {
      if (text === name) {
        const value = argv[i + 1] ?? null;
        hits.push({
          name,
          value,
          written: value ? `${name} ${value.text}` : name,
          path: value ? value.path : word.path,
          index: i,
        });
        i++;
        matched = true;
        break;
      }
      if (!text.startsWith(name)) continue;
      const isLong = name.charCodeAt(1) === 45;
      if (isLong && text.charCodeAt(name.length) === 61 /* = */) {
        hits.push({
          name,
          value: sliceWord(word, name.length + 1),
          written: text,
          path: word.path,
          index: i,
        });
        matched = true;
        break;
      }
      if (!isLong && name.length === 2 && glue !== 'none' && text.length > 2) {
        const rest = glue === 'glued-or-equals' && text[2] === '=' ? 3 : 2;
        hits.push({ name, value: sliceWord(word, rest), written: text, path: word.path, index: i });
        matched = true;
        break;
      }
    }
    if (!matched && skip?.has(text)) i++;
  }
  return hits;
}

/** The rules' option lists are constants: their sets are built once, not per command. */
const SETS = new WeakMap<readonly string[], ReadonlySet<string>>();

function setOf(list: readonly string[]): ReadonlySet<string> {
  let set = SETS.get(list);
  if (!set) {
    set = new Set(list);
    SETS.set(list, set);
  }
  return set;
}

/** True when any of `names` appears as a flag (no value) before `--`. */
export function hasFlag(argv: readonly Word[], names: readonly string[], from = 1): Word | undefined {
  for (let i = from; i < argv.length; i++) {
    if (argv[i].text === '--') return undefined;
    if (names.includes(argv[i].text)) return argv[i];
  }
  return undefined;
}

function sliceWord(word: Word, start: number): Word {
  return { text: word.text.slice(start), unknown: word.unknown, path: word.path };
}

/** What a worker count written somewhere turns out to be. */
export type Count =
  | { readonly kind: 'number'; readonly n: number }
  /** A formula over the CPU count whose smallest value for 1…256 CPUs is `min` (and largest `max`). */
  | { readonly kind: 'per-cpu'; readonly min: number; readonly max: number }
  /** Text the rule must interpret itself (`max`, `auto`, …) — known, but not a number. */
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'unknown'; readonly why: string };

/** Reads a count from a word: a decimal integer, a `$(nproc)` formula, other text, or unknown. */
export function readCount(word: Pick<Word, 'text' | 'unknown'>): Count {
  const text = word.text.trim();
  if (/^[+-]?\d{1,15}$/.test(text)) return { kind: 'number', n: Number.parseInt(text, 10) };
  const formula = cpuFormulaBounds(text);
  if (formula) return { kind: 'per-cpu', ...formula };
  if (word.unknown) return { kind: 'unknown', why: word.unknown };
  return { kind: 'text', text };
}

/** Reads a count from an env entry (e.g. WEB_CONCURRENCY). */
export function readEnvCount(entry: EnvEntry): Count {
  if (entry.value === undefined)
    return { kind: 'unknown', why: entry.unknown ?? `${entry.name} is not known here` };
  return readCount({ text: entry.value });
}

const CPU_TERMS = [
  /\$\(\s*nproc(?:\s+--all)?\s*\)/g,
  /`\s*nproc(?:\s+--all)?\s*`/g,
  /\$\(\s*getconf\s+_?NPROCESSORS_ONLN\s*\)/g,
  /\$\(\s*grep\s+-c\s+\^?processor\s+\/proc\/cpuinfo\s*\)/g,
  /\$\(\s*python3?\s+-c\s+['"]import\s+(?:os|multiprocessing)\s*;\s*print\((?:os|multiprocessing)\.cpu_count\(\)\)['"]\s*\)/g,
];

/**
 * Bounds of a shell arithmetic formula over the CPU count, e.g. `$((2*$(nproc)+1))` → {min: 3, max: 513},
 * or a bare `$(nproc)` → {min: 1, max: 256}. Returns null when the text is not such a formula.
 */
export function cpuFormulaBounds(text: string): { min: number; max: number } | null {
  let expr = text.trim();
  let sawCpu = false;
  for (const re of CPU_TERMS) {
    expr = expr.replace(re, () => {
      sawCpu = true;
      return 'C';
    });
  }
  if (!sawCpu) return null;
  const arith = /^\$\(\((.*)\)\)$/s.exec(expr);
  if (arith) expr = arith[1];
  if (expr.length > 200 || !/^[\dC+\-*/()\s]+$/.test(expr)) return null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let cpus = 1; cpus <= 256; cpus++) {
    const value = evalArithmetic(expr, cpus);
    if (value === null) return null;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { min, max };
}

/** A tiny integer evaluator for + - * / and parentheses, as shell arithmetic does. */
function evalArithmetic(expr: string, cpus: number): number | null {
  const tokens = expr.match(/\d+|C|[+\-*/()]/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const primary = (): number | null => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (t === 'C') return cpus;
    if (t === '(') {
      const v = sum();
      if (tokens[pos++] !== ')') return null;
      return v;
    }
    if (t === '-') {
      const v = primary();
      return v === null ? null : -v;
    }
    if (/^\d+$/.test(t)) return Number.parseInt(t, 10);
    return null;
  };
  const product = (): number | null => {
    let left = primary();
    while (left !== null && (peek() === '*' || peek() === '/')) {
      const op = tokens[pos++];
      const right = primary();
      if (right === null || (op === '/' && right === 0)) return null;
      left = op === '*' ? left * right : Math.trunc(left / right);
    }
    return left;
  };
  const sum = (): number | null => {
    let left = product();
    while (left !== null && (peek() === '+' || peek() === '-')) {
      const op = tokens[pos++];
      const right = product();
      if (right === null) return null;
      left = op === '+' ? left + right : left - right;
    }
    return left;
  };
  const value = sum();
  return pos === tokens.length ? value : null;
}

/**
 * Turns a count into a decision with the usual meaning (n ≤ 1: one process; n > 1: that many).
 * Rules with other semantics (pm2's 0 = max, hypercorn 0.18's 0 = in-process) handle those first.
 */
export function decideCount(count: Count, evidence: string, path: string, textMeaning?: string): Decision {
  switch (count.kind) {
    case 'number':
      return count.n > 1
        ? { outcome: 'multiple', workers: count.n, evidence, path }
        : { outcome: 'single', evidence, path };
    case 'per-cpu':
      if (count.min > 1) {
        return {
          outcome: 'multiple',
          workers: null,
          evidence,
          path,
          why: `at least ${count.min} on any node`,
        };
      }
      return { outcome: 'unknown', evidence, path, why: 'it depends on the number of CPUs of the node' };
    case 'text':
      return {
        outcome: 'unknown',
        evidence,
        path,
        why: textMeaning ?? `"${count.text}" is not a number the server accepts as a worker count`,
      };
    case 'unknown':
      return { outcome: 'unknown', evidence, path, why: count.why };
  }
}

/** Env entry lookup. */
export function env(cmd: SimpleCommand, name: string): EnvEntry | undefined {
  return cmd.env.get(name);
}

/**
 * Launchers that run the program named by a later word: `bundle exec puma`, `npx pm2-runtime`,
 * `python -m celery`. The shell layer strips the common wrappers; rules call this too, so that a
 * launcher the shell layer leaves in place (or a command built by hand) is read the same way.
 * Returns the command with argv starting at the launched program, or `cmd` itself.
 */
export function stripLaunchers(cmd: SimpleCommand): SimpleCommand {
  let argv = cmd.argv;
  const wrappers = [...cmd.wrappers];
  for (let round = 0; round < 4; round++) {
    const skip = launcherLength(argv);
    if (skip === 0 || skip >= argv.length) break;
    wrappers.push(
      argv
        .slice(0, skip)
        .map((w) => w.text)
        .join(' '),
    );
    argv = argv.slice(skip);
  }
  return argv === cmd.argv ? cmd : { ...cmd, argv, wrappers };
}

/** How many leading words of argv are a launcher (0 when argv[0] is not one). */
function launcherLength(argv: readonly Word[]): number {
  const first = argv[0];
  if (!first || first.unknown) return 0;
  const name = basename(first.text);
  const second = argv[1]?.text;
  // Bundler: `bundle exec [--keep-file-descriptors] [--gemfile=G] PROGRAM`.
  if ((name === 'bundle' || name === 'bundler') && second === 'exec') {
    let i = 2;
    while (i < argv.length && argv[i].text.startsWith('--')) i++;
    return i;
  }
  // `npx [-y|--yes|--no-install|-q] PROGRAM`, `npm exec [--] PROGRAM`, `pnpm exec`, `yarn exec`.
  if (name === 'npx' || ((name === 'npm' || name === 'pnpm' || name === 'yarn') && second === 'exec')) {
    let i = name === 'npx' ? 1 : 2;
    while (i < argv.length && /^(-y|--yes|--no|--no-install|-q|--quiet|--)$/.test(argv[i].text)) i++;
    return i;
  }
  // `python -m MODULE`, `python3.12 -m MODULE` (also `-u`, `-O`, … before `-m`).
  if (/^python(\d+(\.\d+)?)?$/.test(name)) {
    let i = 1;
    while (i < argv.length && /^-[uOBsSEI]+$/.test(argv[i].text)) i++;
    if (argv[i]?.text === '-m') return i + 1;
  }
  return 0;
}

function basename(text: string): string {
  const slash = text.lastIndexOf('/');
  return slash >= 0 ? text.slice(slash + 1) : text;
}

/** The first word from `from` on that is not an option (nor an option's value), e.g. a subcommand. */
export function firstPositional(
  argv: readonly Word[],
  from: number,
  takesValue: readonly string[] = [],
): { word: Word; index: number } | undefined {
  for (let i = from; i < argv.length; i++) {
    const text = argv[i].text;
    if (text === '--') return argv[i + 1] ? { word: argv[i + 1], index: i + 1 } : undefined;
    if (text.startsWith('-') && text.length > 1) {
      if (takesValue.includes(text)) i++;
      continue;
    }
    return { word: argv[i], index: i };
  }
  return undefined;
}

/** The last occurrence of an option (most servers let a later occurrence override an earlier one). */
export function lastOption(
  argv: readonly Word[],
  names: readonly string[],
  opts: ScanOptions = {},
): OptionHit | undefined {
  const hits = findOption(argv, names, opts);
  return hits[hits.length - 1];
}

// ---------------------------------------------------------------------------------------------------
// Additions used by the Python server rules (additive; the helpers above keep their behaviour).

/** The occurrence that takes effect when the parser keeps the last one (argparse, click, getopt). */
export function lastHit(hits: readonly OptionHit[]): OptionHit | undefined {
  return hits.length > 0 ? hits[hits.length - 1] : undefined;
}

/**
 * The decision for an option that sets a worker count. A missing value makes the server refuse to
 * start, which is no worker at all: nothing to report.
 */
export function decideOption(hit: OptionHit, textMeaning?: string): Decision {
  if (!hit.value) return { outcome: 'single', evidence: hit.written, path: hit.path };
  return decideCount(readCount(hit.value), hit.written, hit.path, textMeaning);
}

/** How an env entry is shown in evidence: `WEB_CONCURRENCY=4`, or the bare name when unknown. */
export function envEvidence(entry: EnvEntry): string {
  return entry.value === undefined ? entry.name : `${entry.name}=${entry.value}`;
}

/** The decision for an environment variable that sets a worker count (e.g. WEB_CONCURRENCY). */
export function decideEnv(entry: EnvEntry, textMeaning?: string): Decision {
  return decideCount(readEnvCountKeepingReason(entry), envEvidence(entry), entry.path, textMeaning);
}

/** Like readEnvCount, but a value the shell layer marks as unknown keeps its reason. */
function readEnvCountKeepingReason(entry: EnvEntry): Count {
  if (entry.value !== undefined && entry.unknown) {
    return readCount({ text: entry.value, unknown: entry.unknown });
  }
  return readEnvCount(entry);
}

/**
 * Click's reading of a boolean from an environment variable (BoolParamType): `1/true/t/yes/y/on`
 * and `0/false/f/no/n/off`, case-insensitive; an empty value is ignored by click's auto-envvar lookup.
 * Returns undefined when the variable does not decide (absent or empty), 'unknown' when its value
 * cannot be known here.
 */
export function clickEnvBool(entry: EnvEntry | undefined): boolean | 'unknown' | undefined {
  if (!entry) return undefined;
  if (entry.value === undefined || entry.unknown) return 'unknown';
  const v = entry.value.trim().toLowerCase();
  if (v === '') return undefined;
  if (['1', 'true', 't', 'yes', 'y', 'on'].includes(v)) return true;
  if (['0', 'false', 'f', 'no', 'n', 'off'].includes(v)) return false;
  // click rejects the value and the server does not start.
  return false;
}

/**
 * A click option read the way click's auto-envvar prefix does: the environment variable is used only
 * when the option is absent from the command line, and an empty value counts as absent.
 */
export function clickEnv(cmd: SimpleCommand, name: string): EnvEntry | undefined {
  const entry = cmd.env.get(name);
  if (!entry) return undefined;
  if (entry.value !== undefined && !entry.unknown && entry.value === '') return undefined;
  return entry;
}

/**
 * C's `atoi`, which uWSGI uses for integer options: leading blanks, an optional sign, then digits;
 * anything else stops the number, and no digits at all is 0 (so `--processes %k` on a command line
 * is 0).
 */
export function atoi(text: string): number {
  const m = /^[\s]*([+-]?)(\d+)/.exec(text);
  if (!m) return 0;
  const n = Number.parseInt(m[2].slice(0, 15), 10);
  return m[1] === '-' ? -n : n;
}

/**
 * Splits a variable holding a command line the way Python's `shlex.split` does (quotes and
 * backslashes, no expansion), e.g. GUNICORN_CMD_ARGS. Every word carries the entry's path. Returns
 * undefined when the value is not known here.
 */
export function splitEnvArgs(entry: EnvEntry): Word[] | undefined {
  if (entry.value === undefined || entry.unknown) return undefined;
  const words: Word[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  const text = entry.value;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1])) current += text[++i];
      else current += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push({ text: current, path: entry.path });
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < text.length) current += text[++i];
    else current += c;
  }
  // shlex.split raises on an unclosed quote; gunicorn then fails to start. Keep what was read.
  if (inWord) words.push({ text: current, path: entry.path });
  return words;
}

/**
 * The usual fix for a decision: the option or variable that set the count, and what to write instead.
 * `one` is the server's way to ask for one worker on the command line, e.g. `--workers 1`.
 */
export function countFix(decision: Decision, one: string): string {
  if (decision.outcome === 'single') return '';
  const evidence = decision.evidence;
  const env = /^([A-Z][A-Z0-9_]*)(=|$)/.exec(evidence);
  if (decision.outcome === 'unknown') {
    if (env) return `make sure ${env[1]} resolves to 1, or pass \`${one}\` on the command line`;
    if (evidence.startsWith('-')) return `replace \`${evidence}\` with \`${one}\``;
    return `pass \`${one}\` on the command line`;
  }
  if (env) return `set ${env[1]}=1 (or remove it), or pass \`${one}\` on the command line`;
  if (evidence.startsWith('-')) return `drop \`${evidence}\` (or set \`${one}\`)`;
  return `pass \`${one}\` on the command line`;
}

const PYTHON = /^python(?:\d+(?:\.\d+)?)?$/;
/** Interpreter options that take a value (`python -W ignore script`, `-X dev`). */
const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '--check-hash-based-pycs']);

/**
 * `python3 [options] /opt/odoo/odoo-bin …` → the command as if the script ran directly, when the
 * script's basename is one of `names`; otherwise the command unchanged. (`python -m MODULE` is the
 * shell layer's job; scripts run by path are not, since most scripts are not servers.)
 */
export function asScript(cmd: SimpleCommand, names: ReadonlySet<string>): SimpleCommand {
  if (!PYTHON.test(programName(cmd))) return cmd;
  for (let i = 1; i < cmd.argv.length; i++) {
    const text = cmd.argv[i].text;
    if (PYTHON_VALUE_OPTIONS.has(text)) {
      i++;
      continue;
    }
    if (text.startsWith('-')) {
      if (text === '-m' || text === '-c' || text === '-') return cmd;
      continue;
    }
    const base = text.slice(text.lastIndexOf('/') + 1);
    return names.has(base) ? { ...cmd, argv: cmd.argv.slice(i) } : cmd;
  }
  return cmd;
}

/** A rule that also recognises its program run as a script by a Python interpreter (see asScript). */
export function viaPython(rule: ServerRule, names: ReadonlySet<string>): ServerRule {
  return {
    ...rule,
    recognise: (cmd) => rule.recognise(asScript(cmd, names)),
    decide: (cmd) => rule.decide(asScript(cmd, names)),
  };
}
