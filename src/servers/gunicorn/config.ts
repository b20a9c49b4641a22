/**
 * gunicorn's config file made explicit: `-c FILE`, `--config FILE`, `-c python:module`, or the
 * `./gunicorn.conf.py` gunicorn loads by itself from the working directory (gunicorn/config.py,
 * `get_default_config_file`). Its module-level `workers = …` becomes a `--workers` word placed right
 * after argv[0], so a later `-w` on the command line still wins (gunicorn applies the file before the
 * command line, gunicorn/app/base.py `load_config`); when GUNICORN_CMD_ARGS sets the count, which
 * beats the file, nothing is added.
 *
 * The file's value is converted as gunicorn converts it, by its Python type: `Setting.set` runs
 * `validate_pos_int` (gunicorn/config.py), which keeps an `int` and reads a `str` with `int(value, 0)`
 * (`workers = "0x4"` and `os.environ.get("W", "4")` are read that way: `0x4` is 4, `04` is refused),
 * and refuses a negative count; `int(…)` in the file is Python's own (src/sources/python/parse.ts).
 * The number then goes into the `--workers` word; a value gunicorn refuses, or a file that raises while
 * gunicorn runs it, is a decision of its own: gunicorn exits.
 */
import { atLeast, type IntReader, PYTHON_INT, PYTHON_INT_AUTO } from '../../argv/ints';
import type { Decision } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import {
  evaluateTyped,
  moduleAssignments,
  type TypedValue,
  unparsedPython,
  withPython,
} from '../../sources/python/parse';
import type { Expansion, SourceContext, SourceExpander } from '../../sources/types';
import { gunicornArgs, runsGunicorn } from './args';
import { spec } from './spec';

export const gunicornConfig: SourceExpander = {
  id: 'gunicorn-config',
  async expand(cmd: SimpleCommand, ctx: SourceContext): Promise<Expansion | undefined> {
    const argv = cmd.argv;
    if (!runsGunicorn(cmd)) return undefined;
    const args = gunicornArgs(cmd);
    const named = args.cli.config?.value ?? undefined;
    if (named?.unknown) return undefined;
    // GUNICORN_CMD_ARGS beats the file: when it sets the count (or cannot be read), the file does not
    // decide.
    if (args.env && (!args.env.options || args.env.options.workers)) return undefined;
    const name = named
      ? named.text.startsWith('python:')
        ? `${named.text.slice(7).replaceAll('.', '/')}.py`
        : named.text
      : 'gunicorn.conf.py';
    const file = ctx.readFile(name);
    if (!file) return undefined;
    const read = await withPython(file.text, (root): Expansion => {
      const names = moduleAssignments(root);
      const workers = names.get('workers');
      if (!workers) return { commands: [cmd], chain: [file.path] };
      const typed = evaluateTyped(workers, file.path, names, cmd.env);
      const count = settingWorkers(typed, FILE_RAISES);
      if ('refused' in count) {
        const decision: Decision = {
          outcome: 'refused',
          evidence: `workers = ${workers.text}`,
          path: typed.word.path,
          ...(typed.word.at ? { at: typed.word.at } : {}),
          why: count.refused,
        };
        return {
          commands: [],
          decisions: [{ rule: spec.id, command: cmd, decision }],
          chain: [typed.word.path],
        };
      }
      const value = count.word;
      const flag: Word = { text: '--workers', path: value.path, at: value.at };
      const expanded: SimpleCommand = { ...cmd, argv: [argv[0], flag, value, ...argv.slice(1)] };
      return { commands: [expanded], chain: [`${file.path}:${workers.startPosition.row + 1}`] };
    });
    if (!read) ctx.report?.(unparsedPython(file.path));
    return read;
  },
};

const NEGATIVE = 'gunicorn refuses a negative worker count (validate_pos_int: "Value must be positive")';

/** `validate_pos_int` on a `str`: `int(value, 0)`, and no negative count. */
const CONFIG_STRING: IntReader = atLeast(PYTHON_INT_AUTO, 0, NEGATIVE);

/** `validate_pos_int` on an `int`: kept as it is, and no negative count. */
const CONFIG_INT: IntReader = atLeast(PYTHON_INT, 0, NEGATIVE);

/**
 * A `workers` value as gunicorn's settings receive it (a config file, or the options an Application
 * passes to `cfg.set`): a number, a formula over the CPU count or a value not known here (a word for
 * the rule), or why gunicorn exits on it. `raises` says what stops when Python raises computing it.
 */
export function settingWorkers(value: TypedValue, raises: string): { word: Word } | { refused: string } {
  const { word } = value;
  switch (value.type) {
    case 'raises':
      return { refused: `${raises}: ${word.unknown}` };
    case 'none':
      return { refused: 'it is None, which validate_pos_int cannot read (int(None, 0) raises TypeError)' };
    case 'str':
    case 'int': {
      const read = (value.type === 'str' ? CONFIG_STRING : CONFIG_INT).read(word.text);
      if ('n' in read)
        return { word: { text: String(read.n), path: word.path, ...(word.at ? { at: word.at } : {}) } };
      return { refused: 'refused' in read ? read.refused : read.unread };
    }
    default:
      return { word };
  }
}

/**
 * gunicorn/app/base.py get_config_from_filename: any exception while running the file prints
 * "Failed to read config file" and exits with status 1.
 */
const FILE_RAISES = 'gunicorn exits ("Failed to read config file"), because running the file raises';
