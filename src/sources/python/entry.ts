/**
 * Python entry points: `python main.py` where main.py starts the server itself —
 * `uvicorn.run("main:app", workers=4)`, `Granian("main:app", workers=4).serve()`, or a gunicorn
 * `BaseApplication` subclass run with `{"workers": 4}`. The call becomes the equivalent command line
 * (`uvicorn main:app --workers 4`, with the `4` pointing at main.py's line), judged by the same rules:
 * uvicorn.run without `workers` still reads WEB_CONCURRENCY, exactly like the CLI.
 */
import type { SimpleCommand, Word } from '../../shell/types';
import type { Expansion, SourceContext, SourceExpander } from '../types';
import { sourcePath } from '../types';
import { evaluate, moduleAssignments, type PyNode, parsePython, walk } from './parse';

const PYTHON = /^python[\d.]*$/;

export const pythonEntry: SourceExpander = {
  id: 'python-entry',
  async expand(cmd: SimpleCommand, ctx: SourceContext): Promise<Expansion | undefined> {
    const argv = cmd.argv;
    const program = argv[0]?.text.split('/').pop() ?? '';
    if (!PYTHON.test(program)) return undefined;
    const script = argv.slice(1).find((w) => !w.text.startsWith('-'));
    if (!script || script.unknown || !script.text.endsWith('.py')) return undefined;
    const file = ctx.readFile(script.text);
    if (!file) return undefined;
    const root = await parsePython(file.text);
    if (!root) return undefined;
    const names = moduleAssignments(root);
    const commands: SimpleCommand[] = [];
    for (const node of walk(root)) {
      if (node.type !== 'call') continue;
      const built = serverCall(node, file.path, names, cmd);
      if (built) commands.push(built);
    }
    if (commands.length === 0) return undefined;
    return { commands, chain: [`${file.path}:${commands[0].argv[0].path.split(':').pop()}`] };
  },
};

function serverCall(
  node: PyNode,
  file: string,
  names: Map<string, PyNode>,
  cmd: SimpleCommand,
): SimpleCommand | undefined {
  const fn = node.childForFieldName('function');
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  if (!fn) return undefined;
  const at = sourcePath(file, node.startPosition.row + 1);
  const word = (text: string): Word => ({ text, path: at });
  const kw = (name: string) =>
    args
      .find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)
      ?.childForFieldName('value') ?? undefined;
  const value = (n: PyNode) => evaluate(n, file, names, cmd.env);
  const make = (argv: Word[]): SimpleCommand => ({
    argv,
    env: cmd.env,
    wrappers: [...cmd.wrappers, `python ${file}`],
  });

  // uvicorn.run(app, …) / run(app, …) imported from uvicorn
  if (
    fn.text === 'uvicorn.run' ||
    (fn.text === 'run' && /\bfrom\s+uvicorn\s+import\b/.test(rootText(node)))
  ) {
    const argv = [
      word('uvicorn'),
      word(args[0] && args[0].type !== 'keyword_argument' ? value(args[0]).text : 'app'),
    ];
    const workers = kw('workers');
    if (workers) {
      const w = value(workers);
      if (w.text !== 'None') argv.push(word('--workers'), w);
    }
    const reload = kw('reload');
    if (reload && reload.text === 'True') argv.push(word('--reload'));
    return make(argv);
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
      return make(argv);
    }
  }
  // SomeApplication(app, {"workers": N, …}).run() — gunicorn's custom application pattern
  if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'run') {
    const inner = fn.childForFieldName('object');
    if (
      inner?.type === 'call' &&
      /Application$/.test(inner.childForFieldName('function')?.text ?? '') &&
      /\bgunicorn\b/.test(rootText(node))
    ) {
      const options = (inner.childForFieldName('arguments')?.namedChildren ?? []).find(
        (a) => a.type === 'dictionary',
      );
      const pair = options?.namedChildren.find(
        (p) => p.type === 'pair' && /^['"]workers['"]$/.test(p.childForFieldName('key')?.text ?? ''),
      );
      const w = pair?.childForFieldName('value');
      return make(w ? [word('gunicorn'), word('--workers'), value(w)] : [word('gunicorn')]);
    }
  }
  return undefined;
}

function rootText(node: PyNode): string {
  let n: PyNode & { parent?: PyNode | null } = node;
  while ((n as { parent?: PyNode | null }).parent) n = (n as { parent: PyNode }).parent;
  return n.text;
}
