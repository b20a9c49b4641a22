/**
 * gunicorn's config file made explicit: `-c FILE`, `--config FILE`, `-c python:module`, or the
 * `./gunicorn.conf.py` gunicorn loads by itself from the working directory (gunicorn/config.py,
 * `get_default_config_file`). Its module-level `workers = …` becomes a `--workers` word placed right
 * after argv[0], so a later `-w` on the command line still wins (gunicorn applies the file before the
 * command line, gunicorn/app/base.py `load_config`); when GUNICORN_CMD_ARGS sets the count, which
 * beats the file, nothing is added.
 */
import type { SimpleCommand, Word } from '../../shell/types';
import { evaluate, moduleAssignments, unparsedPython, withPython } from '../python/parse';
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
    const read = await withPython(file.text, (root): Expansion => {
      const names = moduleAssignments(root);
      const workers = names.get('workers');
      if (!workers) return { commands: [cmd], chain: [file.path] };
      const value = evaluate(workers, file.path, names, cmd.env);
      const flag: Word = { text: '--workers', path: value.path };
      const expanded: SimpleCommand = { ...cmd, argv: [argv[0], flag, value, ...argv.slice(1)] };
      return { commands: [expanded], chain: [`${file.path}:${workers.startPosition.row + 1}`] };
    });
    if (!read) ctx.report?.(unparsedPython(file.path));
    return read;
  },
};
