/**
 * Finding options in an argv the way each server's own parser does: every occurrence of a
 * value-taking option (so a rule applies its server's precedence), flags, and the first positional
 * word. Pure functions: no IO, never throw.
 */
import { lineOf } from '../place';
import type { Word } from '../shell/types';

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

/**
 * The value part of a glued option (`-w4`, `--workers=4`): its place keeps the file and line, and its
 * characters when the reader knew the whole word's.
 */
function sliceWord(word: Word, start: number): Word {
  const sliced: Word = { text: word.text.slice(start), unknown: word.unknown, path: word.path };
  const at = word.at;
  if (!at) return sliced;
  if (!('file' in at) || at.column === undefined || at.length !== word.text.length)
    return { ...sliced, at: lineOf(at) };
  return { ...sliced, at: { ...at, column: at.column + start, length: at.length - start } };
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

/** The occurrence that takes effect when the parser keeps the last one (argparse, click, getopt). */
export function lastHit(hits: readonly OptionHit[]): OptionHit | undefined {
  return hits.length > 0 ? hits[hits.length - 1] : undefined;
}
