/**
 * Container → the simple commands it runs, with Kubernetes semantics:
 * - `command` replaces the image's ENTRYPOINT and `args` its CMD. With only `args`, the image's
 *   ENTRYPOINT (unknown here) runs with them: the words come from `args` and every command is marked
 *   `entrypointUnknown`. With neither, the image decides everything: no commands.
 * - `$(VAR)` references are expanded like the kubelet does (kubernetes.ts); a reference whose value is
 *   not known here (valueFrom, envFrom) keeps its text and marks the word unknown.
 * - `sh -c SCRIPT` and friends are split into simple commands (interpret.ts); wrappers such as `exec`,
 *   `tini --`, `env A=B` or `python -m` are stripped (wrappers.ts).
 *
 * Items of `command`/`args` that are not strings: numbers and booleans become their text (YAML's
 * `- 4` is a common slip); `null`, objects and arrays become a word marked unknown, so the
 * positions of the other words (an option and its value) stay as written. Env entries without a
 * string `name` are skipped; a non-string `value` is treated the same way as in `args`.
 *
 * Pure; never throws.
 */
import { placePath } from '../place';
import { MAX_ARG_STRLEN, WorkBudget } from './budget';
import {
  analyseArgv,
  type Context,
  mentionsOf,
  runScriptFile,
  type ScriptOptions,
  type ShellOptions,
} from './interpret';
import {
  type ExpandedWord,
  envFromFor,
  expandReferences,
  isObject,
  type Lookup,
  piecesToWord,
  readContainerEnv,
} from './kubernetes';
import { readShebang } from './shebang';
import type { Env, EnvFromSource, Place, ShellProblem, ShellResult, SimpleCommand, Word } from './types';

export {
  type BudgetOptions,
  type LimitReached,
  MAX_ARG_STRLEN,
  MAX_ARG_TOTAL,
  MAX_REVIEW_TEXT,
  MAX_REVIEW_WORDS,
  TIME_BUDGET_MS,
  WorkBudget,
} from './budget';
export {
  type Dialect,
  globMatch,
  MAX_STEPS,
  type ScriptOptions,
  type ShellOptions,
  type SourcedFile,
} from './interpret';
export { MAX_PARSE_DEPTH } from './parse';
export { readShebang, type Shebang } from './shebang';
export { isShellProgram, SHELL_PROGRAMS, shellDialect } from './shells';
export type { Env, EnvEntry, EnvFromSource, ShellProblem, ShellResult, SimpleCommand, Word } from './types';
export { envFromFor, expandReferences };

/**
 * Commands judged per container at most. A real container runs a handful; a script of tens of
 * thousands is an attack or an accident. The shell stops reading after one more than this, so the
 * engine can say that it stopped.
 */
export const MAX_COMMANDS = 1000;

/**
 * Where the items of a container's `command`, `args` and `env` were written, when not in the
 * container's own fields: a container merged from an image (a Dockerfile's ENTRYPOINT, CMD and ENV, a
 * compose service's keys) and a manifest. Item `i` of `command` is at `command[i]`; an item without a
 * place is the container's own field.
 */
export interface ContainerPlaces {
  readonly command?: readonly (Place | undefined)[];
  readonly args?: readonly (Place | undefined)[];
  readonly env?: readonly (Place | undefined)[];
}

/** What `containerCommands` is told besides the container: the shell's options and the words' places. */
export interface ContainerOptions extends ShellOptions {
  /** Where each command, args and env item was written, when the container was merged from files. */
  readonly places?: ContainerPlaces;
}

/**
 * Reads a Kubernetes container object (any JSON value) and returns the commands it runs.
 * `basePath` is the container's field path, e.g. `spec.containers[0]`. The work is counted against
 * `budget` (one per review; by default one for this container): the limits this container reaches
 * are returned as problems marked `limit`. `options.mentions` says which unreadable script lines
 * matter. Never throws: an exception is a problem marked `internal`.
 */
export function containerCommands(
  container: unknown,
  basePath: string,
  budget: WorkBudget = new WorkBudget(),
  options: ContainerOptions = {},
): ShellResult {
  budget.startContainer();
  try {
    return analyse(container, basePath, budget, options);
  } catch (err) {
    return {
      commands: [],
      problems: [
        ...limitProblems(budget),
        {
          message: `oneproc failed to read this container's command (${String(err)})`,
          path: basePath,
          internal: true,
        },
      ],
    };
  }
}

/** The places of the words and variables a script is given, by their paths. */
function givenPlaces(options: ScriptOptions): Map<string, Place> {
  return placesOf(options.args ?? [], options.env);
}

/**
 * The places of words and variables by their paths: the words an `sh -c` script or a variable's value
 * is made of keep the place of the word or variable they came from.
 */
function placesOf(words: readonly Word[], env: Env | undefined): Map<string, Place> {
  const places = new Map<string, Place>();
  for (const w of words) if (w.at) places.set(w.path, w.at);
  for (const e of env?.values() ?? []) if (e.at) places.set(e.path, e.at);
  return places;
}

/**
 * A command of a script with each word's and variable's `at`: the interpreter carries rendered paths
 * through variables and positional parameters, and `places` says where each was rendered from.
 */
function placed(cmd: SimpleCommand, places: ReadonlyMap<string, Place> | undefined): SimpleCommand {
  if (!places || places.size === 0) return cmd;
  const word = <T extends { readonly path: string; readonly at?: Place }>(w: T): T => {
    if (w.at) return w;
    const at = places.get(w.path);
    return at ? { ...w, at } : w;
  };
  let env: Env = cmd.env;
  for (const e of cmd.env.values()) {
    if (e.at || !places.has(e.path)) continue;
    env = new Map([...cmd.env].map(([k, v]) => [k, word(v)]));
    break;
  }
  return { ...cmd, argv: cmd.argv.map(word), env };
}

/** Problems with the place of their path, where the run knows it (a script's line, a given word's). */
function placedProblems(
  problems: readonly ShellProblem[],
  places: ReadonlyMap<string, Place> | undefined,
): ShellProblem[] {
  return problems.map((p) => {
    const at = p.at ?? places?.get(p.path);
    return at && !p.at ? { ...p, at } : p;
  });
}

/** The limits the current container reached, as problems. */
function limitProblems(budget: WorkBudget): ShellProblem[] {
  return budget.limits().map((l) => ({ message: l.message, path: l.path, limit: true }));
}

/**
 * The commands an argv runs when a program other than the kubelet starts it (supervisord's
 * `command=`, split by its own rules): the words are taken as they are, with no `$(VAR)` expansion;
 * wrappers are stripped and `sh -c` scripts split, as for a container. Never throws.
 */
export function argvCommands(
  argv: readonly Word[],
  env: Env,
  envFrom: readonly EnvFromSource[] = [],
  budget: WorkBudget = new WorkBudget(),
  options: ShellOptions = {},
): ShellResult {
  budget.startContainer();
  try {
    const ctx: Context = {
      commands: [],
      problems: [],
      envFrom,
      entrypointUnknown: false,
      pieces: new WeakMap(),
      nesting: 256,
      work: budget,
      limit: MAX_COMMANDS + 1,
      ...mentionsOf(options),
    };
    analyseArgv(argv, { env, wrappers: [], cleared: false }, ctx, 0);
    const places = placesOf(argv, env);
    return {
      commands: ctx.commands.map((c) => placed(c, places)),
      problems: placedProblems([...ctx.problems, ...limitProblems(budget)], places),
    };
  } catch (err) {
    return {
      commands: [],
      problems: [
        ...limitProblems(budget),
        {
          message: `oneproc failed to read this command (${String(err)})`,
          path: argv[0]?.path ?? '',
          ...(argv[0]?.at ? { at: argv[0].at } : {}),
          internal: true,
        },
      ],
    };
  }
}

/**
 * The commands a script file runs (an image's entrypoint, a script a command starts), read by the
 * same interpreter as `sh -c`: its words' paths are `file:line`. `args` are its positional
 * parameters (the container's args or the Dockerfile CMD for an entrypoint, a caller's words), `env`
 * what its caller exported. The dialect is the shebang's when not given (dash without one). Files it
 * sources are read through `options.source`. Never throws.
 */
export function scriptCommands(
  text: string,
  options: ScriptOptions,
  budget: WorkBudget = new WorkBudget(),
): ShellResult {
  budget.startContainer();
  const ctx: Context = {
    commands: [],
    problems: [],
    envFrom: options.envFrom ?? [],
    entrypointUnknown: options.entrypointUnknown === true,
    pieces: new WeakMap(),
    nesting: 256,
    work: budget,
    limit: MAX_COMMANDS + 1,
    file: options.file,
    ...(options.source ? { source: options.source } : {}),
    ...mentionsOf(options),
    places: givenPlaces(options),
  };
  try {
    const shebang = readShebang(text);
    const dialect = options.dialect ?? (shebang?.kind === 'shell' ? shebang.dialect : 'dash');
    runScriptFile(text, { ...options, dialect }, ctx);
    return {
      commands: ctx.commands.map((c) => placed(c, ctx.places)),
      problems: placedProblems([...ctx.problems, ...limitProblems(budget)], ctx.places),
    };
  } catch (err) {
    return {
      commands: ctx.commands,
      problems: [
        ...placedProblems([...ctx.problems, ...limitProblems(budget)], ctx.places),
        {
          message: `oneproc failed to read this script (${String(err)})`,
          path: `${options.file}:1`,
          at: { file: options.file, line: 1, source: 'script' },
          internal: true,
        },
      ],
    };
  }
}

function analyse(
  container: unknown,
  basePath: string,
  budget: WorkBudget,
  options: ContainerOptions,
): ShellResult {
  const places = options.places;
  if (!isObject(container)) return { commands: [], problems: [] };
  const hasCommand = Array.isArray(container.command) && container.command.length > 0;
  const hasArgs = Array.isArray(container.args) && container.args.length > 0;
  if (!hasCommand && !hasArgs) return { commands: [], problems: [] };
  // A review whose time or budget ran out reads no further container; each says so.
  if (budget.stopped(basePath) !== undefined) return { commands: [], problems: limitProblems(budget) };
  const { env, envFrom, lookup } = readContainerEnv(container, basePath, budget, places?.env);
  const ctx: Context = {
    commands: [],
    problems: [],
    envFrom,
    entrypointUnknown: !hasCommand,
    pieces: new WeakMap(),
    nesting: 256,
    work: budget,
    limit: MAX_COMMANDS + 1,
    ...mentionsOf(options),
  };
  const argv: Word[] = [];
  const complete =
    budget.stopped(basePath) === undefined &&
    (!hasCommand ||
      readWords(container.command as unknown[], `${basePath}.command`, lookup, ctx, argv, places?.command)) &&
    (!hasArgs || readWords(container.args as unknown[], `${basePath}.args`, lookup, ctx, argv, places?.args));
  // The kernel refuses a program whose arguments or environment pass its limits: the container never
  // starts, and a command line read only in part is not judged.
  if (!complete) return { commands: [], problems: limitProblems(budget) };
  analyseArgv(argv, { env, wrappers: [], cleared: false }, ctx, 0);
  const known = placesOf(argv, env);
  return {
    commands: ctx.commands.map((c) => placed(c, known)),
    problems: placedProblems([...ctx.problems, ...limitProblems(budget)], known),
  };
}

/**
 * Reads `command` or `args` into `out`, each word expanded and counted as the kernel counts the
 * program's arguments. False when reading stopped: the kernel would refuse the program, or the
 * review's budget is spent.
 */
function readWords(
  items: unknown[],
  field: string,
  lookup: Lookup,
  ctx: Context,
  out: Word[],
  places?: readonly (Place | undefined)[],
): boolean {
  const budget = ctx.work;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const place = places?.[i];
    const path = place ? placePath(place) : `${field}[${i}]`;
    const at = place ? { at: place } : {};
    if (!budget.words(1, path)) return false;
    if (typeof item === 'string' && item.indexOf('$') < 0) {
      if (!budget.programString(item, path)) return false;
      out.push({ text: item, path, ...at });
    } else if (typeof item === 'string') {
      const pieces = expandReferences(item, lookup, MAX_ARG_STRLEN - 1);
      if (pieces[0]?.tooLong) return budget.programTooLong(path);
      const expanded: ExpandedWord = piecesToWord(pieces, path);
      if (!budget.programString(expanded.text, path)) return false;
      const word: Word =
        expanded.unknown === undefined
          ? { text: expanded.text, path, ...at }
          : { text: expanded.text, unknown: expanded.unknown, path, ...at };
      if (expanded.unknown !== undefined) ctx.pieces.set(word, expanded.pieces);
      out.push(word);
    } else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') {
      out.push({ text: String(item), path, ...at });
    } else {
      const kind =
        item === null
          ? 'null'
          : Array.isArray(item)
            ? 'a list'
            : typeof item === 'object'
              ? 'an object'
              : typeof item;
      out.push({ text: `(${kind})`, unknown: `${path} is ${kind}, not a string`, path, ...at });
    }
  }
  return true;
}
