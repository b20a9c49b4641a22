/**
 * Python entry points: `python main.py`, `python -m app` (app/__main__.py) or `python -m app.server`
 * (app/server.py) where that file starts the server itself — `uvicorn.run("main:app", workers=4)`,
 * `Granian("main:app", workers=4).serve()`, a gunicorn `BaseApplication` subclass run with
 * `{"workers": 4}`, or hypercorn's `run(config)` with `config.workers = 4`. The call becomes the
 * equivalent command line (`uvicorn main:app --workers 4`, with the `4` pointing at the file's line),
 * judged by the same rules: uvicorn.run without `workers` still reads WEB_CONCURRENCY, exactly like the
 * CLI.
 *
 * `python -m MODULE` reaches this reader as the command `MODULE` whose last wrapper is `python -m` (the
 * shell layer strips it, so that `python -m uvicorn` is uvicorn). A module that a rule recognises
 * (`python -m uvicorn`, `python -m gunicorn`, …) is that server, judged by its rule: its own package is
 * never read. Any other module is looked up as Python's `-m` does: from the working directory (the first
 * entry of sys.path), then PYTHONPATH; a regular package (`pkg/__init__.py`) runs `pkg/__main__.py`, then
 * a module `pkg.py`, then a namespace package's `pkg/__main__.py`.
 *
 * hypercorn (read from Debian's python3-hypercorn 0.13.2): `hypercorn.run.run(config)` is what the CLI
 * calls — it serves in-process when `config.workers == 1` and otherwise starts `config.workers`
 * processes, loading `config.application_path` in each — so it becomes `hypercorn --workers N APP`.
 * `hypercorn.asyncio.serve(app, config)` and `hypercorn.trio.serve(app, config)` serve in the calling
 * process whatever `config.workers` says (they only warn that it "has no affect"): one process, not
 * reported.
 */

import { type FilePlace, fileAt, fileLine } from '../../place';
import { RULES } from '../../rules';
import { settingWorkers } from '../../servers/gunicorn/config';
import { hypercornWorkers, tomlWorkers } from '../../servers/hypercorn/config';
import type { Env, SimpleCommand, Word } from '../../shell/types';
import { stripWrapper } from '../../shell/wrappers';
import type { Expansion, SourceContext, SourceExpander, SourceFile } from '../types';
import { sourcePath } from '../types';
import {
  evaluate,
  evaluateTyped,
  moduleAssignments,
  type PyNode,
  type TypedValue,
  unparsedPython,
  WALK_LIMIT,
  walk,
  withPython,
} from './parse';

const PYTHON = /^python[\d.]*$/;
const MODULE_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;
/**
 * Server starts read in one file. Real entry points have one; each hypercorn `run(config)` looks back
 * over the file's assignments, so the bound keeps a file of calls from costing calls × assignments.
 */
export const MAX_SERVER_CALLS = 100;

/** What the whole file says, read once: the imports that decide what a bare `run(…)` is. */
interface FileFacts {
  readonly path: string;
  readonly root: PyNode;
  /** `from uvicorn import …`: a bare `run(…)` is uvicorn's. */
  readonly uvicornRun: boolean;
  /** `from hypercorn.run import run`: a bare `run(…)` is hypercorn's. */
  readonly hypercornRun: boolean;
  readonly mentionsGunicorn: boolean;
  /** The file's assignments in source order, read on first use (hypercorn configs). */
  assignments(): readonly PyNode[];
}

export const pythonEntry: SourceExpander = {
  id: 'python-entry',
  async expand(cmd: SimpleCommand, ctx: SourceContext): Promise<Expansion | undefined> {
    const file = entryFile(cmd, ctx);
    if (!file) return undefined;
    const read = await withPython(file.text, (root) => serverStarts(root, file, cmd, ctx));
    if (read === undefined) ctx.report?.(unparsedPython(file.path));
    return read ?? undefined;
  },
};

/** The servers a parsed entry module starts, as commands (undefined when it starts none). */
function serverStarts(
  root: PyNode,
  file: { readonly path: string; readonly text: string },
  cmd: SimpleCommand,
  ctx: SourceContext,
): Expansion | null {
  const names = moduleAssignments(root);
  const commands: SimpleCommand[] = [];
  const tooLarge = (what: string) => (next: PyNode) =>
    ctx.report?.({
      level: 'warning',
      message: `${file.path} is too large to read whole: oneproc read ${WALK_LIMIT.toLocaleString('en')} syntax nodes of it and stopped before line ${next.startPosition.row + 1}, so ${what} from there on were not read`,
      file: file.path,
      line: next.startPosition.row + 1,
    });
  let assignments: PyNode[] | undefined;
  const facts: FileFacts = {
    path: file.path,
    root,
    uvicornRun: /\bfrom\s+uvicorn\s+import\b/.test(file.text),
    hypercornRun: /\bfrom\s+hypercorn\.run\s+import\s[^\n]*\brun\b/.test(file.text),
    mentionsGunicorn: /\bgunicorn\b/.test(file.text),
    assignments: () => {
      // Assignments are statements: nothing below one (but a chained `a = b = …`) is another.
      assignments ??= [
        ...walk(root, {
          holding: '=',
          into: (n) => n.type !== 'assignment' || n.childForFieldName('right')?.type === 'assignment',
          onLimit: tooLarge('assignments'),
        }),
      ].filter((n) => n.type === 'assignment');
      return assignments;
    },
  };
  // Only what can hold a call is entered: a server is started by a call, which holds `(`.
  for (const node of walk(root, { holding: '(', onLimit: tooLarge('calls') })) {
    if (node.type !== 'call') continue;
    const built = serverCall(node, facts, names, cmd, ctx);
    if (!built) continue;
    if (commands.length === MAX_SERVER_CALLS) {
      ctx.report?.({
        level: 'warning',
        message: `${file.path} starts servers more than ${MAX_SERVER_CALLS} times; oneproc read the first ${MAX_SERVER_CALLS}, so the server starts from line ${node.startPosition.row + 1} on were not read`,
        file: file.path,
        line: node.startPosition.row + 1,
      });
      break;
    }
    commands.push(built);
  }
  if (commands.length === 0) return null;
  return { commands, chain: [`${file.path}:${commands[0].argv[0].path.split(':').pop()}`] };
}

/** The file a Python command runs: `python [options] main.py`, or the module of `python -m MODULE`. */
function entryFile(cmd: SimpleCommand, ctx: SourceContext): SourceFile | undefined {
  const notFollowed = (word: Word, message: string) => {
    const at = fileAt(word);
    ctx.report?.({ level: 'note', message, ...(at ? { file: at.file, line: at.line } : {}) });
  };
  const module = moduleRun(cmd);
  if (module) {
    const file = readModule(module.text, ctx, cmd.env);
    if (!file)
      notFollowed(
        module,
        `the module ${module.text} of \`python -m\` is not found in the working directory or PYTHONPATH (an installed package is not read), so what it starts was not checked`,
      );
    return file;
  }
  const argv = cmd.argv;
  const program = argv[0]?.text.split('/').pop() ?? '';
  if (!PYTHON.test(program)) return undefined;
  const script = scriptWord(argv);
  if (!script || script.unknown || !script.text.endsWith('.py')) return undefined;
  const file = ctx.readFile(script.text);
  if (!file)
    notFollowed(
      script,
      ctx.source === 'repository'
        ? `${script.text} is not copied into the image by the Dockerfile's COPY or ADD, so the server it may start was not checked`
        : `${script.text} is not in the image, so the server it may start was not checked`,
    );
  return file;
}

/**
 * The script operand of `python [options] SCRIPT …`: past interpreter options, whose `-W ARG` and
 * `-X OPT` take the next word (also `-uW ARG`); undefined for `-c CODE` and `-` (stdin).
 */
function scriptWord(argv: readonly Word[]): Word | undefined {
  for (let i = 1; i < argv.length; i++) {
    const t = argv[i].text;
    if (t === '--') return argv[i + 1];
    if (t === '-' || !t.startsWith('-') || t.length < 2) return t === '-' ? undefined : argv[i];
    if (t === '--check-hash-based-pycs') i++;
    if (t.startsWith('--')) continue;
    for (let k = 1; k < t.length; k++) {
      if (t[k] === 'c' || t[k] === 'm') return undefined;
      if (t[k] === 'W' || t[k] === 'X') {
        if (k === t.length - 1) i++;
        break;
      }
    }
  }
  return undefined;
}

/**
 * The module `python -m MODULE` runs, when it is not a server a rule knows. Commands from the shell
 * layer arrive with `python -m` already stripped (the last wrapper); a command built elsewhere may still
 * start with the interpreter, so that is stripped here the same way.
 */
function moduleRun(cmd: SimpleCommand): Word | undefined {
  let run = cmd;
  if (cmd.wrappers[cmd.wrappers.length - 1] !== 'python -m') {
    const stripped = stripWrapper(cmd.argv);
    if (!stripped || !('argv' in stripped) || stripped.name !== 'python -m') return undefined;
    run = { ...cmd, argv: stripped.argv, wrappers: [...cmd.wrappers, stripped.name] };
  }
  const name = run.argv[0];
  if (!name || name.unknown || !MODULE_NAME.test(name.text)) return undefined;
  if (RULES.some((rule) => recognises(rule, run))) return undefined;
  return name;
}

function recognises(rule: { recognise(c: SimpleCommand): boolean }, cmd: SimpleCommand): boolean {
  try {
    return rule.recognise(cmd);
  } catch {
    return false;
  }
}

/** The file `python -m NAME` runs, found as Python's path finder finds it (see the module comment). */
function readModule(name: string, ctx: SourceContext, env: Env): SourceFile | undefined {
  const base = name.replaceAll('.', '/');
  const pythonPath = (env.get('PYTHONPATH')?.value ?? '').split(':').filter((d) => d !== '');
  let namespaceMain: SourceFile | undefined;
  for (const dir of ['', ...pythonPath]) {
    const at = (p: string) => (dir === '' ? p : `${dir.replace(/\/$/, '')}/${p}`);
    if (ctx.readFile(at(`${base}/__init__.py`))) return ctx.readFile(at(`${base}/__main__.py`));
    const module = ctx.readFile(at(`${base}.py`));
    if (module) return module;
    namespaceMain ??= ctx.readFile(at(`${base}/__main__.py`));
  }
  return namespaceMain;
}

function serverCall(
  node: PyNode,
  facts: FileFacts,
  names: Map<string, PyNode>,
  cmd: SimpleCommand,
  ctx: SourceContext,
): SimpleCommand | undefined {
  const file = facts.path;
  const fn = node.childForFieldName('function');
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  if (!fn) return undefined;
  // The words the call stands for are written at its line (a Python file, read as a server's config).
  const place: FilePlace = { file, line: node.startPosition.row + 1, source: 'config' };
  const at = fileLine(place);
  const word = (text: string): Word => ({ text, path: at, at: place });
  const kw = (name: string) =>
    args
      .find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)
      ?.childForFieldName('value') ?? undefined;
  const value = (n: PyNode) => evaluate(n, file, names, cmd.env);
  // The server's environment, less what its command line reads and a call from Python does not.
  const make = (argv: Word[], unread?: RegExp): SimpleCommand => ({
    argv,
    env: unread ? new Map([...cmd.env].filter(([name]) => !unread.test(name))) : cmd.env,
    wrappers: [...cmd.wrappers, `python ${file}`],
  });

  // hypercorn.run.run(config) / run(config) imported from hypercorn.run: the CLI's own path.
  if (fn.text === 'hypercorn.run.run' || (fn.text === 'run' && facts.hypercornRun)) {
    const config = hypercornConfig(args[0], node, facts, names, cmd.env, ctx);
    const argv = [word('hypercorn')];
    if (config.workers)
      argv.push({ text: '--workers', path: config.workers.path, at: config.workers.at }, config.workers);
    argv.push(config.app ?? word('app'));
    return make(argv);
  }
  // hypercorn.asyncio.serve(app, config) / hypercorn.trio.serve(app, config): always one process
  // (serve() ignores `workers`), so not a server command to judge.
  // uvicorn.run(app, …) / run(app, …) imported from uvicorn
  if (fn.text === 'uvicorn.run' || (fn.text === 'run' && facts.uvicornRun)) {
    const argv = [
      word('uvicorn'),
      word(args[0] && args[0].type !== 'keyword_argument' ? value(args[0]).text : 'app'),
    ];
    const workers = kw('workers');
    const reload = kw('reload');
    const reloading = reload?.text === 'True';
    if (workers) {
      const w = uvicornRunWorkers(evaluateTyped(workers, file, names, cmd.env), reloading);
      if (w) argv.push(word('--workers'), w);
    }
    if (reloading) argv.push(word('--reload'));
    // UVICORN_* are read by the click command line only (`auto_envvar_prefix="UVICORN"` in
    // uvicorn/main.py); uvicorn.run() builds its Config from its arguments, and Config reads
    // WEB_CONCURRENCY alone (uvicorn/config.py). Checked with Debian's uvicorn 0.17.6.
    return make(argv, /^UVICORN_/);
  }
  // Granian(target, workers=N, …).serve()
  if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'serve') {
    const inner = fn.childForFieldName('object');
    if (inner?.type === 'call' && /(^|\.)Granian$/.test(inner.childForFieldName('function')?.text ?? '')) {
      const innerArgs = inner.childForFieldName('arguments')?.namedChildren ?? [];
      const workers = innerArgs.find(
        (a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'workers',
      );
      const argv = [word('granian')];
      const w = workers?.childForFieldName('value');
      if (w) argv.push(word('--workers'), value(w));
      argv.push(word(innerArgs[0] ? value(innerArgs[0]).text : 'app'));
      // GRANIAN_* are the click command line's (`auto_envvar_prefix='GRANIAN'`, granian/cli.py);
      // the Granian class takes its arguments only.
      return make(argv, /^GRANIAN_/);
    }
  }
  // SomeApplication(app, {"workers": N, …}).run() — gunicorn's custom application pattern
  if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'run') {
    const inner = fn.childForFieldName('object');
    if (
      inner?.type === 'call' &&
      /Application$/.test(inner.childForFieldName('function')?.text ?? '') &&
      facts.mentionsGunicorn
    ) {
      const options = (inner.childForFieldName('arguments')?.namedChildren ?? []).find(
        (a) => a.type === 'dictionary',
      );
      const pair = options?.namedChildren.find(
        (p) => p.type === 'pair' && /^['"]workers['"]$/.test(p.childForFieldName('key')?.text ?? ''),
      );
      const w = pair?.childForFieldName('value');
      // GUNICORN_CMD_ARGS is read by gunicorn.app.base.Application.load_config (the CLI's), not by a
      // BaseApplication subclass that loads its own options; WEB_CONCURRENCY is the `workers`
      // setting's default (gunicorn/config.py), read either way.
      const unread = /^GUNICORN_CMD_ARGS$/;
      if (!w) return make([word('gunicorn')], unread);
      // The options go to `cfg.set`, so validate_pos_int reads the Python value (a str with int(x, 0));
      // gunicorn's documented `load_config` skips a None (docs/source/custom.rst).
      const typed = evaluateTyped(w, file, names, cmd.env);
      if (typed.type === 'none') return make([word('gunicorn')], unread);
      const read = settingWorkers(typed, 'the program stops, because Python raises computing it');
      const count: Word =
        'word' in read
          ? read.word
          : { text: w.text, refused: read.refused, path: typed.word.path, at: typed.word.at };
      return make([word('gunicorn'), word('--workers'), count], unread);
    }
  }
  return undefined;
}

/**
 * `uvicorn.run(workers=…)` is given a Python value, not text (Debian's 0.17.6, uvicorn/config.py and
 * main.py): `Config` keeps `workers or 1`, so None and "" are 1; without reload `run()` then compares
 * it with 1 (`config.workers > 1`), which raises TypeError for any other str: the program stops.
 * Undefined when the count stays uvicorn's default.
 */
function uvicornRunWorkers(value: TypedValue, reloading: boolean): Word | undefined {
  const { word } = value;
  switch (value.type) {
    case 'none':
      return undefined;
    case 'raises':
      return {
        text: word.text,
        refused: `Python raises computing it: ${word.unknown}`,
        path: word.path,
        at: word.at,
      };
    case 'str':
    case 'cpus-str': {
      if (value.type === 'str' && word.text === '') return undefined;
      // With reload, run() short-circuits before comparing: one process under the reloader.
      if (reloading) return undefined;
      const shown = value.type === 'str' ? JSON.stringify(word.text) : `str(${word.text})`;
      return {
        text: shown,
        refused: `uvicorn.run() is given the str ${shown}, and comparing it with 1 (\`config.workers > 1\`) raises TypeError`,
        path: word.path,
        at: word.at,
      };
    }
    default:
      return word;
  }
}

/** What a hypercorn `Config` passed to `run()` sets: its `workers` and `application_path`, as words. */
interface HypercornConfig {
  /** Undefined when the config keeps hypercorn's default (`workers = 1`). */
  readonly workers?: Word;
  readonly app?: Word;
}

/**
 * Reads the config given to hypercorn's `run()`: a name bound earlier in the file to `Config()`,
 * `Config.from_mapping({...}, **kw)` or `Config.from_toml(FILE)`, then `config.workers = N` and
 * `config.application_path = "…"` assignments before the call (the last one wins, as at run time).
 * A config built some other way (`from_pyfile`, `from_object`, a function) has a count not known here.
 */
function hypercornConfig(
  arg: PyNode | undefined,
  call: PyNode,
  facts: FileFacts,
  names: Map<string, PyNode>,
  env: Env,
  ctx: SourceContext,
): HypercornConfig {
  const file = facts.path;
  const value = (n: PyNode) => evaluate(n, file, names, env);
  // hypercorn takes `workers` as the Python value it is given, not as text.
  const count = (n: PyNode) => hypercornWorkers(evaluateTyped(n, file, names, env));
  const at = (n: PyNode): FilePlace => ({ file, line: n.startPosition.row + 1, source: 'config' });
  if (!arg) return {};
  if (arg.type !== 'identifier') return fromConstructor(arg, value, count, at, ctx);
  const before = (n: PyNode) =>
    n.startPosition.row < call.startPosition.row ||
    (n.startPosition.row === call.startPosition.row && n.startPosition.column < call.startPosition.column);
  // As at run time, the last `config = …` before the call builds it and the last `config.workers = …`
  // after that sets it; only those are evaluated (a file of `config = Config.from_toml(…)` lines reads
  // one TOML file, not each). Assignments come in source order.
  let built: PyNode | undefined;
  let workers: PyNode | undefined;
  let app: PyNode | undefined;
  for (const node of facts.assignments()) {
    if (!before(node)) break;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) continue;
    if (left.type === 'identifier' && left.text === arg.text) {
      built = right;
      workers = undefined;
      app = undefined;
    } else if (left.type === 'attribute' && left.childForFieldName('object')?.text === arg.text) {
      const attribute = left.childForFieldName('attribute')?.text;
      if (attribute === 'workers') workers = right;
      if (attribute === 'application_path') app = right;
    }
  }
  let config: HypercornConfig = built
    ? fromConstructor(built, value, count, at, ctx)
    : {
        workers: {
          text: arg.text,
          unknown: `the hypercorn Config \`${arg.text}\` is not built in ${file}`,
          path: fileLine(at(arg)),
          at: at(arg),
        },
      };
  if (workers) config = { ...config, workers: count(workers) };
  if (app) config = { ...config, app: value(app) };
  return config;
}

/** A `Config` as built by one expression: `Config()`, `Config.from_mapping(…)`, `Config.from_toml(…)`. */
function fromConstructor(
  expr: PyNode,
  value: (n: PyNode) => Word,
  count: (n: PyNode) => Word,
  at: (n: PyNode) => FilePlace,
  ctx: SourceContext,
): HypercornConfig {
  const unknown = (why: string): HypercornConfig => ({
    workers: { text: expr.text, unknown: why, path: fileLine(at(expr)), at: at(expr) },
  });
  if (expr.type !== 'call')
    return unknown('the hypercorn Config comes from an expression oneproc does not read');
  const fn = expr.childForFieldName('function')?.text ?? '';
  const args = expr.childForFieldName('arguments')?.namedChildren ?? [];
  if (/(^|\.)Config$/.test(fn) && args.length === 0) return {};
  if (/(^|\.)Config\.from_mapping$/.test(fn)) {
    const out: { workers?: Word; app?: Word } = {};
    const set = (key: string, v: PyNode) => {
      if (key === 'workers') out.workers = count(v);
      if (key === 'application_path') out.app = value(v);
    };
    // from_mapping(mapping, **kwargs): the mapping first, then the keywords over it.
    for (const a of args) {
      if (a.type !== 'dictionary') continue;
      for (const pair of a.namedChildren) {
        const key = pair.type === 'pair' ? pair.childForFieldName('key') : null;
        const v = pair.childForFieldName('value');
        if (key?.type === 'string' && v) set(value(key).text, v);
      }
    }
    for (const a of args) {
      const v = a.type === 'keyword_argument' ? a.childForFieldName('value') : null;
      if (v) set(a.childForFieldName('name')?.text ?? '', v);
    }
    return out;
  }
  if (/(^|\.)Config\.from_toml$/.test(fn) && args[0]?.type === 'string') {
    const name = value(args[0]);
    const toml = name.unknown ? undefined : ctx.readFile(name.text);
    if (!toml) return unknown(`${name.text} (read by Config.from_toml) is not in the repository`);
    const read = tomlWorkers(toml);
    if (read.error)
      return {
        workers: {
          text: toml.path,
          refused: `${toml.path} is not valid TOML (${read.error.message}), so hypercorn refuses to start with it`,
          path: sourcePath(toml.path, read.error.line),
          at: { file: toml.path, line: read.error.line, source: 'config' },
        },
      };
    return read.word ? { workers: read.word } : {};
  }
  return unknown(`the hypercorn Config is built by ${fn || 'an expression'}(), which oneproc does not read`);
}
