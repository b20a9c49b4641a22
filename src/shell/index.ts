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
import { analyseArgv, type Context } from './interpret';
import {
  type ExpandedWord,
  envFromFor,
  expandReferences,
  isObject,
  type Lookup,
  piecesToWord,
  readContainerEnv,
} from './kubernetes';
import type { Env, EnvFromSource, ShellResult, Word } from './types';

export { SERVER_MENTION } from './interpret';
export type { Env, EnvEntry, EnvFromSource, ShellProblem, ShellResult, SimpleCommand, Word } from './types';
export { envFromFor, expandReferences };

/**
 * Commands judged per container at most. A real container runs a handful; a script of tens of
 * thousands is an attack or an accident. The shell stops reading after one more than this, so the
 * engine can say that it stopped.
 */
export const MAX_COMMANDS = 1000;

/**
 * Reads a Kubernetes container object (any JSON value) and returns the commands it runs.
 * `basePath` is the container's field path, e.g. `spec.containers[0]`. Never throws.
 */
export function containerCommands(container: unknown, basePath: string): ShellResult {
  try {
    return analyse(container, basePath);
  } catch (err) {
    return {
      commands: [],
      problems: [
        { message: `oneproc could not read this container's command (${String(err)})`, path: basePath },
      ],
    };
  }
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
): ShellResult {
  try {
    const ctx: Context = {
      commands: [],
      problems: [],
      envFrom,
      entrypointUnknown: false,
      pieces: new WeakMap(),
      budget: 256,
      limit: MAX_COMMANDS + 1,
    };
    analyseArgv(argv, { env, wrappers: [], cleared: false }, ctx, 0);
    return { commands: ctx.commands, problems: ctx.problems };
  } catch (err) {
    return {
      commands: [],
      problems: [
        { message: `oneproc could not read this command (${String(err)})`, path: argv[0]?.path ?? '' },
      ],
    };
  }
}

function analyse(container: unknown, basePath: string): ShellResult {
  if (!isObject(container)) return { commands: [], problems: [] };
  const hasCommand = Array.isArray(container.command) && container.command.length > 0;
  const hasArgs = Array.isArray(container.args) && container.args.length > 0;
  if (!hasCommand && !hasArgs) return { commands: [], problems: [] };
  const { env, envFrom, lookup } = readContainerEnv(container, basePath);
  const ctx: Context = {
    commands: [],
    problems: [],
    envFrom,
    entrypointUnknown: !hasCommand,
    pieces: new WeakMap(),
    budget: 256,
    limit: MAX_COMMANDS + 1,
  };
  const argv: Word[] = [];
  if (hasCommand) readWords(container.command as unknown[], `${basePath}.command`, lookup, ctx, argv);
  if (hasArgs) readWords(container.args as unknown[], `${basePath}.args`, lookup, ctx, argv);
  analyseArgv(argv, { env, wrappers: [], cleared: false }, ctx, 0);
  return { commands: ctx.commands, problems: ctx.problems };
}

function readWords(items: unknown[], field: string, lookup: Lookup, ctx: Context, out: Word[]): void {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const path = `${field}[${i}]`;
    if (typeof item === 'string' && item.indexOf('$') < 0) {
      out.push({ text: item, path });
    } else if (typeof item === 'string') {
      const expanded: ExpandedWord = piecesToWord(expandReferences(item, lookup), path);
      const word: Word =
        expanded.unknown === undefined
          ? { text: expanded.text, path }
          : { text: expanded.text, unknown: expanded.unknown, path };
      if (expanded.unknown !== undefined) ctx.pieces.set(word, expanded.pieces);
      out.push(word);
    } else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') {
      out.push({ text: String(item), path });
    } else {
      const kind =
        item === null
          ? 'null'
          : Array.isArray(item)
            ? 'a list'
            : typeof item === 'object'
              ? 'an object'
              : typeof item;
      out.push({ text: `(${kind})`, unknown: `${path} is ${kind}, not a string`, path });
    }
  }
}
