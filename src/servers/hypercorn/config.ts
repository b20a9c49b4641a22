/**
 * hypercorn's config file made explicit: `hypercorn -c FILE.toml APP` (also `--config`, `-cFILE`,
 * `-c=FILE`, `--config=FILE`), `-c file:FILE.py` and `-c python:module`. Read from Debian's
 * python3-hypercorn 0.13.2 (`hypercorn/__main__.py _load_config`, `hypercorn/config.py`):
 * - `python:` → `Config.from_object(module)`, `file:` → `Config.from_pyfile(path)`, anything else →
 *   `Config.from_toml(path)`; each sets every top-level key that names a Config attribute.
 * - The command line is applied after the file (`if args.workers is not sentinel: config.workers =
 *   args.workers`), so a `-w` there wins: with one, the file does not decide and nothing is added.
 * - `Config.workers` defaults to 1; `run.py` serves in-process when `workers == 1` and otherwise
 *   spawns `range(workers)` processes, so a value that is not an integer stops the server.
 * The file's `workers = N` becomes a `--workers N` word right after the program name, read by the
 * hypercorn rule as any command line, pointing at the file's line. A file without `workers` keeps the
 * default: its `-c FILE` words are dropped, so the rule does not warn about a count it cannot see.
 *
 * TOML is parsed with smol-toml (TOML 1.0); it gives values, not positions, so the line of the
 * top-level `workers` key is found by scanning the lines before the first table header. A file that
 * is not valid TOML (hypercorn refuses to start on it) is a warning naming the file and line.
 * Python files go through the gunicorn reader's tree-sitter evaluation (`../python/parse`).
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { stripLaunchers } from '../../argv/program';
import { type FilePlace, fileLine } from '../../place';
import type { SimpleCommand, Word } from '../../shell/types';
import {
  evaluateTyped,
  moduleAssignments,
  type TypedValue,
  unparsedPython,
  withPython,
} from '../../sources/python/parse';
import type { Expansion, SourceContext, SourceExpander, SourceFile } from '../../sources/types';
import { sourcePath } from '../../sources/types';
import { hypercornArgs, runsHypercorn } from './args';
import { spec } from './spec';

/** The 1-based line of the top-level `workers` key of a TOML text (1 when it cannot be found). */
export function tomlKeyLine(text: string, key: string): number {
  const lines = text.split(/\r?\n/);
  const re = new RegExp(`^\\s*(?:${key}|"${key}"|'${key}')\\s*=`);
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*\[/.test(lines[i])) break;
    if (re.test(lines[i])) return i + 1;
  }
  return 1;
}

/**
 * What a TOML config sets `workers` to: a word, nothing (the default), or a parse error. Also used for
 * `Config.from_toml(FILE)` in Python entry points.
 */
export function tomlWorkers(file: SourceFile): { word?: Word; error?: { message: string; line: number } } {
  let data: Record<string, unknown>;
  try {
    data = parseToml(file.text) as Record<string, unknown>;
  } catch (err) {
    const line = err instanceof TomlError ? err.line : 1;
    const message = String((err as Error)?.message ?? err).split('\n')[0];
    return { error: { message, line } };
  }
  if (!Object.hasOwn(data, 'workers')) return {};
  const value = data.workers;
  const line = tomlKeyLine(file.text, 'workers');
  const at = tomlValuePlace(file, line, 'workers', value);
  const path = fileLine(at);
  if (typeof value === 'number' && Number.isInteger(value))
    return { word: { text: String(value), path, at } };
  if (typeof value === 'bigint') return { word: { text: value.toString(), path, at } };
  // A bool is an int in Python (True == 1).
  if (typeof value === 'boolean') return { word: { text: value ? '1' : '0', path, at } };
  const shown = JSON.stringify(value) ?? String(value);
  return { word: { text: shown, refused: `${shown} is ${NOT_AN_INT}`, path, at } };
}

/**
 * The place of a top-level key's value on its line; with the value's column and length when it is a
 * decimal integer written as the parser read it (`workers = 4  # 4 cores`: the first 4).
 */
function tomlValuePlace(file: SourceFile, line: number, key: string, value: unknown): FilePlace {
  const at: FilePlace = { file: file.path, line, source: 'config', key };
  const text = file.text.split(/\r?\n/)[line - 1] ?? '';
  const m = new RegExp(`^(\\s*(?:${key}|"${key}"|'${key}')\\s*=\\s*)([+-]?[0-9_]+)(?![\\w.])`).exec(text);
  if (!m || typeof value !== 'number' || Number(m[2].replaceAll('_', '')) !== value) return at;
  return { ...at, column: m[1].length + 1, length: m[2].length };
}

/**
 * hypercorn uses `workers` as it is given (Config.from_mapping/from_object `setattr`): `create_sockets`
 * compares it with 1 and run.py with 1 (0.13) or 0 (0.18), then `range(workers)`, so anything but an
 * int raises TypeError, as a float does in `range()` (a float equal to 1.0 or 0.0 is not modelled).
 */
const NOT_AN_INT =
  'not an int, and hypercorn uses `workers` as it is: comparing it with 1 or passing it to range() raises TypeError';

/** What a Python value for `workers` does in hypercorn: a word for the rule, or one it refuses. */
export function hypercornWorkers(value: TypedValue): Word {
  const { word } = value;
  switch (value.type) {
    case 'int':
    case 'cpus':
    case 'unknown':
      return word;
    case 'raises':
      return {
        text: word.text,
        refused: `Python raises running it: ${word.unknown}`,
        path: word.path,
        at: word.at,
      };
    case 'none':
      return { text: 'None', refused: `None is ${NOT_AN_INT}`, path: word.path, at: word.at };
    default: {
      const shown = value.type === 'str' ? JSON.stringify(word.text) : word.text;
      return { text: shown, refused: `the str ${shown} is ${NOT_AN_INT}`, path: word.path, at: word.at };
    }
  }
}

export const hypercornConfig: SourceExpander = {
  id: 'hypercorn-config',
  async expand(cmd: SimpleCommand, ctx: SourceContext): Promise<Expansion | undefined> {
    const inner = stripLaunchers(cmd);
    if (!runsHypercorn(inner)) return undefined;
    const args = hypercornArgs(inner.argv);
    if (args.workers) return undefined;
    const hit = args.config;
    if (!hit?.value || hit.value.unknown) return undefined;
    const named = hit.value.text;
    const python = named.startsWith('python:')
      ? `${named.slice(7).replaceAll('.', '/')}.py`
      : named.startsWith('file:')
        ? named.slice(5)
        : undefined;
    const file = ctx.readFile(python ?? named);
    if (!file) return undefined;
    const offset = cmd.argv.length - inner.argv.length;
    let word: Word | undefined;
    let line = '';
    if (python !== undefined) {
      const read = await withPython(file.text, (root) => {
        const names = moduleAssignments(root);
        const workers = names.get('workers');
        return {
          word: workers ? hypercornWorkers(evaluateTyped(workers, file.path, names, cmd.env)) : undefined,
          line: workers ? sourcePath(file.path, workers.startPosition.row + 1) : '',
        };
      });
      if (!read) {
        ctx.report?.(unparsedPython(file.path));
        return undefined;
      }
      word = read.word;
      line = read.line;
    } else {
      const read = tomlWorkers(file);
      if (read.error) {
        const path = sourcePath(file.path, read.error.line);
        return {
          commands: [],
          decisions: [
            {
              rule: spec.id,
              command: cmd,
              decision: {
                outcome: 'refused',
                evidence: hit.written,
                path,
                at: { file: file.path, line: read.error.line, source: 'config' },
                why: `${file.path} is not valid TOML (${read.error.message}), so hypercorn refuses to start with it`,
              },
            },
          ],
          chain: [path],
        };
      }
      word = read.word;
    }
    if (!word) {
      // No `workers` in the file: hypercorn's default (one process) stands.
      const at = offset + hit.index;
      const count = hit.written === `${hit.name} ${hit.value.text}` ? 2 : 1;
      const rest = [...cmd.argv.slice(0, at), ...cmd.argv.slice(at + count)];
      return { commands: [{ ...cmd, argv: rest }], chain: [file.path] };
    }
    const flag: Word = { text: '--workers', path: word.path, at: word.at };
    const argv = [...cmd.argv.slice(0, offset + 1), flag, word, ...cmd.argv.slice(offset + 1)];
    return { commands: [{ ...cmd, argv }], chain: [line || word.path] };
  },
};
