/**
 * Launchers: programs that start other programs which the image's files declare — s6-overlay's `/init`
 * (its s6-rc longruns and `/etc/services.d/NAME/run`), runit (`runsvdir DIR`, `runsv DIR`, phusion's
 * `my_init`, each `DIR/NAME/run`), and the process-state prefixes of daemontools, runit, s6 and phusion
 * (`setuidgid USER prog`, `thpoff prog`, `softlimit -m N prog`, `with-contenv prog`) that the shell
 * layer does not strip, `rails server`, and the package scripts npm, yarn and pnpm run from
 * package.json. Each program found is followed like the container's own command. Pure except
 * for `ctx`; never throws.
 *
 * Sources: just-containers/s6-overlay 3.2 README ("Writing a service script", "Using CMD",
 * `/etc/s6-overlay/s6-rc.d/user/contents.d`, legacy `/etc/services.d`); skarnet's s6-rc
 * (`type` is `oneshot`, `longrun` or `bundle`; a bundle's `contents.d` names its members); runit 2.1.2
 * man pages runsvdir(8), runsv(8), chpst(8); phusion/baseimage-docker `image/bin/my_init` (runs
 * `/etc/my_init.d/*`, then `runsvdir -P /etc/service`, then the command given after `--`);
 * daemontools setuidgid(8), envuidgid(8), softlimit(8), envdir(8).
 */

import { lineOf, lineStarts } from '../manifest/lines';
import { type FilePlace, fileAt, fileLine, type Place, placeOf as wordPlace } from '../place';
import { argvCommands } from '../shell';
import type { SimpleCommand, Word } from '../shell/types';
import { isShell, shebangInterpreter } from './shebang';
import type { Expansion, SourceContext, SourceExpander, SourceFile } from './types';

/** Services read per launcher: more is not a real image. */
export const MAX_SERVICES = 100;

type Program = NonNullable<Expansion['programs']>[number];

function base(word: Word | undefined): string {
  const t = word?.text ?? '';
  return t.slice(t.lastIndexOf('/') + 1);
}

/** The commands `words` run (wrappers stripped, `sh -c` split), as programs of a launcher. */
function programsOf(words: readonly Word[], cmd: SimpleCommand): Program[] {
  if (words.length === 0 || words.some((w) => w.unknown !== undefined && w === words[0])) return [];
  return argvCommands(words, cmd.env, cmd.envFrom ?? []).commands.map((command) => ({ command }));
}

/**
 * Prefixes that change the process's state and exec the rest: the count of words each takes before
 * the program (options are counted apart). daemontools' setuidgid/envuidgid take an account,
 * envdir a folder; s6's s6-envuidgid and s6-applyuidgid likewise; phusion's thpoff takes nothing.
 */
const PREFIXES: Record<string, { operands: number; options?: string }> = {
  setuidgid: { operands: 1 },
  envuidgid: { operands: 1 },
  envdir: { operands: 1 },
  fghack: { operands: 0 },
  pgrphack: { operands: 0 },
  softlimit: { operands: 0, options: 'madoplfcrts' },
  thpoff: { operands: 0 },
  'with-contenv': { operands: 0 },
  's6-envuidgid': { operands: 1, options: '' },
  's6-envdir': { operands: 1, options: '' },
  's6-applyuidgid': { operands: 0, options: 'ugG' },
  's6-softlimit': { operands: 0, options: 'madoplfcrts' },
};

/** `thpoff gunicorn …`, `setuidgid app gunicorn …`: the program after the prefix. */
export const processPrefixes: SourceExpander = {
  id: 'process-prefixes',
  expand(cmd: SimpleCommand): Expansion | undefined {
    const name = base(cmd.argv[0]);
    const spec = Object.hasOwn(PREFIXES, name) ? PREFIXES[name] : undefined;
    if (!spec || cmd.argv[0].unknown) return undefined;
    let i = 1;
    while (i < cmd.argv.length && /^-./.test(cmd.argv[i].text) && spec.options !== undefined) {
      const t = cmd.argv[i].text;
      if (t === '--') {
        i++;
        break;
      }
      // An option letter that takes a value takes the rest of the word or the next word.
      const valued = spec.options.includes(t[1]);
      i += valued && t.length === 2 ? 2 : 1;
    }
    i += spec.operands;
    const rest = cmd.argv.slice(i);
    if (rest.length === 0) return undefined;
    return { commands: [], programs: programsOf(rest, cmd), chain: [] };
  },
};

/** What a service's `run` file starts: a shell script, an execline script, or a note. */
function runProgram(ctx: SourceContext, run: string, cmd: SimpleCommand): Program[] {
  const file = ctx.readFile(run);
  if (!file) {
    ctx.report?.({
      level: 'note',
      message: `${run} is not in the image${ctx.whence ? ` (${ctx.whence(run)})` : ''}, so the service it would start was not checked`,
    });
    return [];
  }
  const first = file.text.split('\n', 1)[0];
  // `#!/command/with-contenv bash` runs bash with the container's environment.
  const interpreter = shebangInterpreter(file.text) ?? 'sh';
  if (isShell(interpreter)) {
    // The words stand where the launcher was started, so the chain reads launcher → service script.
    const place: Place = cmd.argv[0]
      ? wordPlace(cmd.argv[0])
      : { file: file.path, line: 1, source: 'script' };
    const where = cmd.argv[0]?.path ?? fileLine({ file: file.path, line: 1, source: 'script' });
    const words: Word[] = [
      { text: interpreter, path: where, at: place },
      { text: run, path: where, at: place },
    ];
    return [
      {
        command: {
          argv: words,
          env: cmd.env,
          wrappers: [],
          ...(cmd.envFrom ? { envFrom: cmd.envFrom } : {}),
        },
      },
    ];
  }
  if (interpreter === 'execlineb') return execline(file, cmd, ctx);
  ctx.report?.({
    level: 'note',
    message: `${file.path} is run by \`${first.slice(0, 80)}\`, which oneproc does not follow, so the service it starts was not checked`,
    file: file.path,
    line: 1,
  });
  return [];
}

/** execline programs that run the rest of the script after setting something (their operands). */
const EXECLINE_CHAIN: Record<string, number> = {
  'with-contenv': 0,
  's6-setuidgid': 1,
  's6-envuidgid': 1,
  's6-applyuidgid': 0,
  's6-envdir': 1,
  exec: 0,
  cd: 1,
  export: 2,
  unexport: 1,
  fdmove: 2,
  fdclose: 1,
  fdswap: 2,
  redirfd: 2,
  importas: 2,
  emptyenv: 0,
  's6-notifyoncheck': 0,
  fdreserve: 1,
  umask: 1,
};
/** execline programs whose first operand is a block they run before going on. */
const EXECLINE_BLOCK = new Set([
  'foreground',
  'background',
  'if',
  'multisubstitute',
  'multidefine',
  'backtick',
  'ifelse',
  'define',
  'elglob',
  'heredoc',
]);

/** A word of a script's line, with its 0-based start on the line when known. */
function scriptWord(text: string, file: string, line: number, start: number | undefined): Word {
  const at: FilePlace =
    start === undefined
      ? { file, line, source: 'script' }
      : { file, line, column: start + 1, length: text.length, source: 'script' };
  return { text, path: fileLine(at), at };
}

/** Words of an execline script: `"…"` strings, `#` comments, `{`/`}` blocks (execlineb(1)'s lexer). */
function execlineWords(text: string, file: string): Word[] {
  const words: Word[] = [];
  const lines = text.split('\n');
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    let i = 0;
    while (i < line.length) {
      const c = line[i];
      if (/\s/.test(c)) {
        i++;
      } else if (c === '#') {
        break;
      } else if (c === '"') {
        let word = '';
        i++;
        const start = i;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) i++;
          word += line[i++];
        }
        // The word's own characters when written without escapes (what a fix edits).
        words.push(scriptWord(word, file, n + 1, line.slice(start, i) === word ? start : undefined));
        i++;
      } else {
        const start = i;
        let word = '';
        while (i < line.length && !/\s/.test(line[i])) word += line[i++];
        words.push(scriptWord(word, file, n + 1, start));
      }
    }
  }
  return words;
}

/**
 * The program an execline run script ends on: chain-loading commands (`with-contenv`,
 * `s6-setuidgid abc`, `fdmove -c 2 1`, `foreground { … }`) are skipped to the last program, which
 * execs in their place. `${VAR}` set by `importas` is not known here.
 */
function execline(file: SourceFile, cmd: SimpleCommand, ctx: SourceContext): Program[] {
  const words = execlineWords(file.text, file.path);
  let i = 0;
  while (i < words.length) {
    const name = base(words[i]);
    if (words[i].text === '{' || words[i].text === '}') {
      i++;
      continue;
    }
    let j = i + 1;
    // Options (`-c`, `-i`, `-D default`) of the chain-loading program.
    while (j < words.length && /^-./.test(words[j].text)) j += /^-[DwrauNEt]$/.test(words[j].text) ? 2 : 1;
    if (EXECLINE_BLOCK.has(name)) {
      // Skip operands up to the block, then the block itself.
      while (j < words.length && words[j].text !== '{') j++;
      let depth = 0;
      for (; j < words.length; j++) {
        if (words[j].text === '{') depth++;
        else if (words[j].text === '}' && --depth === 0) break;
      }
      if (name === 'ifelse') {
        ctx.report?.({
          level: 'note',
          message: `${file.path} chooses its program with execline's ifelse, which oneproc does not follow, so the service it starts was not checked`,
          file: file.path,
          line: 1,
        });
        return [];
      }
      i = j + 1;
      continue;
    }
    if (Object.hasOwn(EXECLINE_CHAIN, name)) {
      i = j + EXECLINE_CHAIN[name];
      continue;
    }
    break;
  }
  const rest = words
    .slice(i)
    .map(
      (w): Word =>
        w.text.includes('${') || /\$[A-Za-z_]/.test(w.text)
          ? { ...w, unknown: `${w.text} is an execline substitution, not known here` }
          : w,
    );
  if (rest.length === 0) return [];
  return programsOf(rest, cmd);
}

/** The `run` files of the service folders in `dir` (folders, or links to them). */
function serviceRuns(ctx: SourceContext, dir: string): string[] | undefined {
  const folders = ctx.listFolders?.(dir);
  const links = ctx.listFiles?.(dir);
  if (!folders && !links) return undefined;
  const runs = (folders ?? []).filter((n) => !n.startsWith('.')).map((n) => `${dir}/${n}/run`);
  // A link to a service folder (`ln -s /etc/sv/web /etc/service/`) lists as a file: kept when it holds a run.
  for (const n of links ?? []) {
    if (n.startsWith('.') || folders?.includes(n)) continue;
    const run = `${dir}/${n}/run`;
    if (ctx.readFile(run)) runs.push(run);
  }
  return runs.sort();
}

/**
 * s6-overlay: `ENTRYPOINT ["/init"]` starts the longruns of the s6-rc `user` bundle
 * (`/etc/s6-overlay/s6-rc.d/user/contents.d/NAME`, each `NAME/type` = `longrun`, bundles followed),
 * the legacy `/etc/services.d/NAME/run`, and the CMD after it as the container's main program.
 */
export const s6Overlay: SourceExpander = {
  id: 's6-overlay',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const first = cmd.argv[0];
    if (
      !first ||
      first.unknown ||
      (first.text !== '/init' && first.text !== '/package/admin/s6-overlay/command/init')
    )
      return undefined;
    // An image whose /init is its own shell script runs that script.
    const own = ctx.readFile('/init');
    if (own && isShell(shebangInterpreter(own.text) ?? '')) return undefined;
    const rc = '/etc/s6-overlay/s6-rc.d';
    const runs: string[] = [];
    const seen = new Set<string>();
    const bundle = (name: string, depth: number) => {
      if (seen.has(name) || depth > 8 || runs.length >= MAX_SERVICES) return;
      seen.add(name);
      const type = ctx.readFile(`${rc}/${name}/type`)?.text.trim();
      if (type === 'longrun') runs.push(`${rc}/${name}/run`);
      else if (type === 'bundle' || name === 'user')
        for (const member of ctx.listFiles?.(`${rc}/${name}/contents.d`) ?? []) bundle(member, depth + 1);
    };
    bundle('user', 0);
    bundle('user2', 0);
    for (const run of serviceRuns(ctx, '/etc/services.d') ?? [])
      if (runs.length < MAX_SERVICES) runs.push(run);
    const programs = runs.flatMap((run) => runProgram(ctx, run, cmd));
    // `/init CMD…` runs CMD as the main program, supervised by nothing: it is a process too.
    programs.push(...programsOf(cmd.argv.slice(1), cmd));
    if (runs.length === 0 && cmd.argv.length === 1)
      ctx.report?.({
        level: 'note',
        message: `/init (s6-overlay) starts the services of ${rc}/user/contents.d and /etc/services.d; none is in the image${ctx.source === 'repository' ? ' as its Dockerfile builds it' : ''}, so what it starts was not checked`,
        ...placeOf(first),
      });
    return { commands: [], programs, chain: [] };
  },
};

/**
 * runit: `runsvdir [-P] DIR`, `runsv DIR`, Debian's `runit`/`runit-init` (`/etc/service`) and phusion's
 * `my_init [-- CMD…]` (`/etc/service`, then CMD).
 */
export const runit: SourceExpander = {
  id: 'runit',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const name = base(cmd.argv[0]);
    if (cmd.argv[0]?.unknown) return undefined;
    let dir: string | undefined;
    let single: string | undefined;
    let main: Word[] = [];
    if (name === 'runsvdir') {
      const operands = cmd.argv.slice(1).filter((w) => !w.text.startsWith('-'));
      dir = operands[0]?.text;
      if (!dir || operands[0].unknown) return undefined;
    } else if (name === 'runsv') {
      const operand = cmd.argv[1];
      if (!operand || operand.unknown) return undefined;
      single = `${operand.text.replace(/\/+$/, '')}/run`;
    } else if (name === 'my_init') {
      dir = '/etc/service';
      const dash = cmd.argv.findIndex((w) => w.text === '--');
      if (dash > 0) main = cmd.argv.slice(dash + 1);
    } else if (name === 'runit' || name === 'runit-init') {
      dir = '/etc/service';
    } else return undefined;
    const runs = single ? [single] : (serviceRuns(ctx, dir ?? '/etc/service') ?? []).slice(0, MAX_SERVICES);
    const programs = runs.flatMap((run) => runProgram(ctx, run, cmd));
    programs.push(...programsOf(main, cmd));
    if (runs.length === 0 && main.length === 0)
      ctx.report?.({
        level: 'note',
        message: `${name} starts the services under ${dir}; none is in the image${ctx.source === 'repository' ? ' as its Dockerfile builds it' : ''}, so what it starts was not checked`,
        ...placeOf(cmd.argv[0]),
      });
    return { commands: [], programs, chain: [] };
  },
};

function placeOf(word: Word | undefined): { file?: string; line?: number } {
  const at = fileAt(word);
  return at ? { file: at.file, line: at.line } : {};
}

/** `rails server` options that take a value (railties `Rails::Command::ServerCommand` class_options). */
const RAILS_VALUED = new Set([
  '-p',
  '--port',
  '-b',
  '--binding',
  '-c',
  '--config',
  '-P',
  '--pid',
  '-e',
  '--environment',
  '-u',
  '--using',
]);

/**
 * `rails server` / `rails s` (also `bin/rails s`, `bundle exec rails s`): Rails starts its server
 * through Rack's handler — Puma unless `-u/--using` names another (railties 7
 * `Rails::Command::ServerCommand`, whose default server is the first Rack finds, Puma in every
 * generated Gemfile) — and Puma's handler loads Puma's default config files (`config/puma/ENV.rb`,
 * `config/puma.rb`) as `puma` does. Read as the command `puma [-e ENV]`, so the puma rule and config
 * reader judge it; `-e` is Rails' environment, which Puma's handler passes on.
 */
export const railsServer: SourceExpander = {
  id: 'rails-server',
  expand(cmd: SimpleCommand): Expansion | undefined {
    const argv = cmd.argv;
    if (base(argv[0]) !== 'rails' || argv[0].unknown) return undefined;
    const sub = argv[1]?.text;
    if (sub !== 'server' && sub !== 's') return undefined;
    let environment: Word | undefined;
    for (let i = 2; i < argv.length; i++) {
      const t = argv[i].text;
      const [flag, inline] = t.includes('=')
        ? [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]
        : [t];
      if (flag === '-u' || flag === '--using') {
        const server = inline ?? argv[i + 1]?.text;
        if (server !== 'puma') return undefined;
      }
      if (flag === '-e' || flag === '--environment')
        environment = inline !== undefined ? { ...argv[i], text: inline } : argv[i + 1];
      if (RAILS_VALUED.has(flag) && inline === undefined) i++;
    }
    // The words puma is started with are written where `rails` and its `-e` value are.
    const puma: Word[] = [{ text: 'puma', path: argv[0].path, ...(argv[0].at ? { at: argv[0].at } : {}) }];
    if (environment)
      puma.push(
        { text: '-e', path: environment.path, ...(environment.at ? { at: environment.at } : {}) },
        environment,
      );
    return {
      commands: [],
      programs: [{ command: { ...cmd, argv: puma } }],
      chain: [],
    };
  },
};

/** npm's, pnpm's and yarn's options that take a value, before the command (`--prefix DIR`). */
const PACKAGE_MANAGER_VALUED = new Set(['--prefix', '-C', '--dir', '--cwd', '--workspace', '-w', '--filter']);

/** The folder the package manager reads package.json from: `--prefix`, `--dir`/`-C` or `--cwd`. */
const PACKAGE_DIR_OPTIONS = new Set(['--prefix', '-C', '--dir', '--cwd']);

/** yarn's and pnpm's own commands, which a package script of the same name does not replace. */
const MANAGER_COMMANDS = new Set([
  'add',
  'audit',
  'bin',
  'cache',
  'config',
  'create',
  'dlx',
  'exec',
  'info',
  'init',
  'install',
  'link',
  'list',
  'outdated',
  'pack',
  'publish',
  'remove',
  'unlink',
  'upgrade',
  'why',
  'workspace',
  'workspaces',
  'x',
]);

/**
 * The package script a command runs: `npm start`, `npm run[-script] NAME`, `pnpm start`, `pnpm run
 * NAME`, `yarn start`, `yarn run NAME`, and `yarn NAME` / `pnpm NAME` for a name that is not one of
 * their own commands. Undefined for any other command.
 */
function packageScript(
  argv: readonly Word[],
): { name: Word; dir?: Word; workspace?: string; args: readonly Word[] } | undefined {
  const manager = base(argv[0]);
  if ((manager !== 'npm' && manager !== 'pnpm' && manager !== 'yarn') || argv[0].unknown) return undefined;
  let dir: Word | undefined;
  let workspace: string | undefined;
  let i = 1;
  for (; i < argv.length && argv[i].text.startsWith('-'); i++) {
    const [flag, inline] = argv[i].text.split(/=(.*)/s, 2);
    if (PACKAGE_DIR_OPTIONS.has(flag))
      dir = inline !== undefined ? { ...argv[i], text: inline } : argv[i + 1];
    if (flag === '--workspace' || flag === '-w' || flag === '--filter')
      workspace = inline !== undefined ? argv[i].text : `${flag} ${argv[i + 1]?.text ?? ''}`.trim();
    if (PACKAGE_MANAGER_VALUED.has(flag) && inline === undefined) i++;
  }
  const sub = argv[i];
  if (!sub || sub.unknown) return undefined;
  let name: Word | undefined;
  let from = i + 1;
  if (sub.text === 'start') name = sub;
  else if (sub.text === 'run' || sub.text === 'run-script' || sub.text === 'rum' || sub.text === 'urn') {
    name = argv[i + 1];
    from = i + 2;
  } else if (manager !== 'npm' && !MANAGER_COMMANDS.has(sub.text)) name = sub;
  if (!name || name.unknown || name.text.startsWith('-')) return undefined;
  // npm passes the words after `--` on to the script; yarn and pnpm pass every word after the name.
  const rest = argv.slice(from);
  const dash = rest.findIndex((w) => w.text === '--');
  const args =
    manager === 'npm' ? (dash >= 0 ? rest.slice(dash + 1) : []) : rest.filter((w) => w.text !== '--');
  return { name, ...(dir ? { dir } : {}), ...(workspace ? { workspace } : {}), args };
}

/**
 * `npm start`, `npm run NAME`, `yarn start`, `pnpm run NAME`: the package manager runs the script of
 * that name from package.json with `sh -c` (npm's @npmcli/run-script `runScriptPkg`, yarn's and
 * pnpm's run commands alike), the words given after it appended; `npm start` without a start script
 * runs `node server.js` when server.js is there (npm docs, `npm start`). The script is followed like
 * the container's own command, its words placed at its line of package.json. A script that is not
 * there, or a package.json that is not, is a note.
 */
export const packageScripts: SourceExpander = {
  id: 'package-scripts',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const run = packageScript(cmd.argv);
    if (!run) return undefined;
    // The command as written, up to the script's name: `npm run web`.
    const manager = cmd.argv
      .slice(0, cmd.argv.indexOf(run.name) + 1)
      .map((w) => w.text)
      .join(' ');
    const at = fileAt(cmd.argv[0]);
    const where = at ? { file: at.file, line: at.line } : {};
    if (run.dir?.unknown || run.workspace) {
      ctx.report?.({
        level: 'note',
        message: run.workspace
          ? `\`${manager}\` runs the script of a workspace package (\`${run.workspace}\`), whose package.json oneproc does not look up, so the script it runs was not checked`
          : `\`${manager}\` reads package.json from a folder not known here (${run.dir?.unknown}), so the script it runs was not checked`,
        ...where,
      });
      return { commands: [], chain: [] };
    }
    const dir = run.dir ? `${run.dir.text.replace(/\/+$/, '')}/` : '';
    const file = ctx.readFile(`${dir}package.json`);
    if (!file) {
      ctx.report?.({
        level: 'note',
        message: `\`${manager}\` runs the "${run.name.text}" script of ${dir || `${ctx.workdir.replace(/\/?$/, '/')}`}package.json, which is not in the image${ctx.whence ? ` (${ctx.whence(`${dir}package.json`)})` : ''}, so what it runs was not checked`,
        ...where,
      });
      return { commands: [], chain: [] };
    }
    let scripts: unknown;
    try {
      scripts = (JSON.parse(file.text) as { scripts?: unknown } | null)?.scripts;
    } catch (err) {
      ctx.report?.({
        level: 'note',
        message: `${file.path} is not valid JSON (${String(err).slice(0, 120)}), so the script \`${manager}\` runs was not checked`,
        file: file.path,
      });
      return { commands: [], chain: [file.path] };
    }
    const script =
      typeof scripts === 'object' && scripts !== null && Object.hasOwn(scripts, run.name.text)
        ? (scripts as Record<string, unknown>)[run.name.text]
        : undefined;
    const line = scriptLine(file.text, run.name.text);
    const place: FilePlace = { file: file.path, line, source: 'config', key: `scripts.${run.name.text}` };
    const word = (text: string): Word => ({ text, path: fileLine(place), at: place });
    if (typeof script === 'string') {
      const extra = run.args.map((w) => w.text).join(' ');
      const text = extra ? `${script} ${extra}` : script;
      return {
        commands: [],
        programs: programsOf([word('sh'), word('-c'), word(text)], cmd),
        // No chain of its own: its words stand at their package.json line, which the chain then shows,
        // and two scripts on one line (a one-line package.json) are not taken for a loop. A script
        // that runs itself again is stopped at the follow depth, with a note.
        chain: [],
      };
    }
    if (run.name.text === 'start' && script === undefined && ctx.readFile(`${dir}server.js`)) {
      return {
        commands: [],
        programs: programsOf([word('node'), word('server.js'), ...run.args], cmd),
        chain: [file.path],
      };
    }
    ctx.report?.({
      level: 'note',
      message:
        script === undefined
          ? `\`${manager}\` runs the "${run.name.text}" script of ${file.path}, which has none${run.name.text === 'start' ? ' (and no server.js beside it)' : ''}, so the command fails and nothing was checked`
          : `\`${manager}\` runs the "${run.name.text}" script of ${file.path}, which is not a string, so the command fails and nothing was checked`,
      file: file.path,
      ...(script === undefined ? {} : { line }),
    });
    return { commands: [], chain: [file.path] };
  },
};

/** The 1-based line of `"NAME"` after `"scripts"` in package.json's text (1 when it is not found as written). */
function scriptLine(text: string, name: string): number {
  const i = text.indexOf(JSON.stringify(name), Math.max(0, text.indexOf('"scripts"')));
  return i < 0 ? 1 : lineOf(lineStarts(text), i) + 1;
}
