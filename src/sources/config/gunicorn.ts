/**
 * gunicorn's config file made explicit: `-c FILE`, `--config FILE`, `-c python:module`, or the
 * `./gunicorn.conf.py` gunicorn loads by itself from the working directory (gunicorn/config.py,
 * `get_default_config_file`). Its module-level `workers = …` becomes a `--workers` word placed right
 * after argv[0], so a later `-w` on the command line still wins (gunicorn applies the file before the
 * command line, gunicorn/app/base.py `load_config`); when GUNICORN_CMD_ARGS sets the count, which
 * beats the file, nothing is added.
 *
 * The file's value is converted as gunicorn converts it: `Setting.set` runs `validate_pos_int`, which
 * reads a `str` with `int(value, 0)` (`workers = "0x4"` and `os.environ.get("W", "4")` are read that
 * way: `0x4` is 4, `04` is refused), while `int(…)` in the file is Python's base-10 `int()`. The
 * number then goes into the `--workers` word; a value gunicorn refuses is a decision of its own.
 */
import { atLeast, type IntReader, PYTHON_INT_AUTO, pythonInt } from '../../rules/common';
import { GUNICORN_WORKERS } from '../../rules/gunicorn';
import type { Decision } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { evaluate, moduleAssignments, type PyNode, parsePython } from '../python/parse';
import type { Expansion, SourceContext, SourceExpander } from '../types';

export const gunicornConfig: SourceExpander = {
  id: 'gunicorn-config',
  async expand(cmd: SimpleCommand, ctx: SourceContext): Promise<Expansion | undefined> {
    const argv = cmd.argv;
    if ((argv[0]?.text.split('/').pop() ?? '') !== 'gunicorn') return undefined;
    let named: Word | undefined;
    for (let i = 1; i < argv.length; i++) {
      const t = argv[i].text;
      if (t === '--') break;
      if (t === '-c' || t === '--config') named = argv[i + 1];
      else if (t.startsWith('--config=')) named = { ...argv[i], text: t.slice(9) };
      else if (t.startsWith('-c') && t.length > 2) named = { ...argv[i], text: t.slice(2).replace(/^=/, '') };
    }
    if (named?.unknown) return undefined;
    const cmdArgs = cmd.env.get('GUNICORN_CMD_ARGS');
    if (cmdArgs && (cmdArgs.value === undefined || /(^|\s)(-w|--workers)(\s|=|\d)/.test(cmdArgs.value)))
      return undefined;
    const name = named
      ? named.text.startsWith('python:')
        ? `${named.text.slice(7).replaceAll('.', '/')}.py`
        : named.text
      : 'gunicorn.conf.py';
    const file = ctx.readFile(name);
    if (!file) return undefined;
    const root = await parsePython(file.text);
    if (!root) return undefined;
    const workers = moduleAssignments(root).get('workers');
    if (!workers) return { commands: [cmd], chain: [file.path] };
    const names = moduleAssignments(root);
    const evaluated = evaluate(workers, file.path, names, cmd.env);
    const reader = readerFor(workers, names);
    let value = evaluated;
    if (reader === 'unread' && !evaluated.unknown) {
      value = { ...evaluated, unknown: `oneproc does not read \`${workers.text}\`: int() in that base` };
    } else if (reader && reader !== 'unread' && !evaluated.unknown) {
      const read = reader.read(evaluated.text);
      if (!('n' in read)) {
        const why = 'refused' in read ? read.refused : read.unread;
        const decision: Decision = {
          outcome: 'refused',
          evidence: `workers = ${workers.text}`,
          path: evaluated.path,
          why,
        };
        return {
          commands: [],
          decisions: [{ rule: 'gunicorn', command: cmd, decision }],
          chain: [evaluated.path],
        };
      }
      value = { text: String(read.n), path: evaluated.path };
    }
    const flag: Word = { text: '--workers', path: value.path };
    const expanded: SimpleCommand = { ...cmd, argv: [argv[0], flag, value, ...argv.slice(1)] };
    return { commands: [expanded], chain: [`${file.path}:${workers.startPosition.row + 1}`] };
  },
};

const NEGATIVE = 'gunicorn refuses a negative worker count (validate_pos_int: "Value must be positive")';

/** `validate_pos_int` on a `str`: `int(value, 0)`, and no negative count. */
const CONFIG_STRING: IntReader = atLeast(PYTHON_INT_AUTO, 0, NEGATIVE);

/**
 * How gunicorn converts the file's `workers` value, by the kind of expression: a string (a literal,
 * `os.environ.get`/`os.getenv`, or a module-level name holding one) with `int(value, 0)`; `int(x)` with
 * Python's int() and `int(x, base)` in that base; an integer literal is already a number, and other
 * expressions are left to the rule, which reads them as the command line's `--workers`. A base oneproc
 * does not read makes the value unknown.
 */
function readerFor(node: PyNode, names: Map<string, PyNode>, depth = 0): IntReader | 'unread' | undefined {
  if (depth > 20) return undefined;
  if (node.type === 'string') return CONFIG_STRING;
  if (node.type === 'parenthesized_expression' && node.namedChildren[0])
    return readerFor(node.namedChildren[0], names, depth + 1);
  if (node.type === 'identifier') {
    const value = names.get(node.text);
    return value && value !== node ? readerFor(value, names, depth + 1) : undefined;
  }
  if (node.type !== 'call') return undefined;
  const fn = node.childForFieldName('function')?.text ?? '';
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  if (fn === 'int') {
    if (args.length < 2) return GUNICORN_WORKERS;
    const base = args[1].type === 'integer' ? Number(args[1].text.replaceAll('_', '')) : Number.NaN;
    if (base === 0 || base === 2 || base === 8 || base === 10 || base === 16) {
      return atLeast(
        { name: `Python's int(x, ${base})`, read: (text) => pythonInt(text, base) },
        0,
        NEGATIVE,
      );
    }
    return 'unread';
  }
  if (/^os\.(getenv|environ\.get)$/.test(fn)) return CONFIG_STRING;
  return undefined;
}
