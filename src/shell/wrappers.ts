/**
 * Programs that run another program: init shims (tini, dumb-init), privilege droppers (gosu,
 * su-exec, chpst, setpriv), environment runners (env, uv run, poetry run, doppler run), tracers
 * (opentelemetry-instrument, ddtrace-run, newrelic-admin run-program) and the like. Each entry
 * knows its own options (which take a value) so that it finds the wrapped command the way the
 * wrapper does. Pure; never throws.
 */
import { SHELL_PROGRAMS } from './shells';
import type { EnvEntry, Word } from './types';

/** What stripping one wrapper yields. */
export interface Stripped {
  /** Name recorded in `SimpleCommand.wrappers`, e.g. `tini`, `python -m`, `uv run`. */
  readonly name: string;
  /** The wrapped command's argv. */
  readonly argv: Word[];
  /** Variables the wrapper sets (`env A=B`). */
  readonly set?: EnvEntry[];
  /** Variables the wrapper removes (`env -u A`). */
  readonly unset?: string[];
  /** `env -i`: the wrapped command starts with an empty environment. */
  readonly clear?: boolean;
}

/** A shell script to run instead (`sh -c`, `npx -c`, `doppler run --command`, `su -c`). */
export interface ScriptCall {
  readonly name: string;
  readonly script: Word;
  /** `$0` of the script, when given. */
  readonly arg0?: Word;
  /** `$1`, `$2`, … */
  readonly positionals: Word[];
}

export type WrapperResult = Stripped | ScriptCall | undefined;

interface OptionSpec {
  /** Short option letters that take a value (`-u USER`, `-uUSER`). */
  readonly short?: string;
  /** Long options that take a value (`--with X`, `--with=X`). */
  readonly long?: readonly string[];
  /** Every option takes a value unless written `--name=value` (opentelemetry-instrument). */
  readonly allTakeValues?: boolean;
}

/** Index of the first operand after the options starting at `from` (past a `--`). */
export function skipOptions(argv: readonly Word[], from: number, spec: OptionSpec = {}): number {
  let i = from;
  while (i < argv.length) {
    const t = argv[i].text;
    if (t === '--') return i + 1;
    if (t.length < 2 || t[0] !== '-') return i;
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq < 0 ? t : t.slice(0, eq);
      i += eq < 0 && (spec.allTakeValues || spec.long?.includes(name)) ? 2 : 1;
      continue;
    }
    if (spec.allTakeValues) {
      i += t.length === 2 ? 2 : 1;
      continue;
    }
    let takes = false;
    for (let k = 1; k < t.length; k++) {
      if (spec.short?.includes(t[k])) {
        takes = k === t.length - 1;
        break;
      }
    }
    i += takes ? 2 : 1;
  }
  return i;
}

/** The basename of a program word (`/usr/local/bin/gunicorn` → `gunicorn`). */
export function basename(text: string): string {
  const slash = text.lastIndexOf('/');
  return slash >= 0 ? text.slice(slash + 1) : text;
}

/** Script names of package.json that `yarn NAME` runs (not binaries). */
const PACKAGE_SCRIPTS = new Set([
  'start',
  'serve',
  'dev',
  'develop',
  'prod',
  'production',
  'build',
  'test',
  'watch',
  'preview',
  'install',
  'add',
]);

const SHELLS: ReadonlySet<string> = new Set(SHELL_PROGRAMS);
const PYTHON = /^python(?:\d+(?:\.\d+)?)?$/;

/** Every program name `stripWrapper` handles besides shells and launchers (a quick first test). */
const WRAPPER_NAMES = new Set([
  'builtin',
  'busybox',
  'catatonit',
  'chpst',
  'command',
  'ddtrace-run',
  'docker-init',
  'doppler',
  'dumb-init',
  'env',
  'exec',
  'gosu',
  'hatch',
  'ionice',
  'newrelic-admin',
  'nice',
  'nohup',
  'opentelemetry-instrument',
  'pdm',
  'pipenv',
  'poetry',
  'runuser',
  'rye',
  's6-setuidgid',
  'setpriv',
  'setsid',
  'stdbuf',
  'su',
  'su-exec',
  'sudo',
  'taskset',
  'time',
  'timeout',
  'tini',
  'tini-static',
  'uv',
  'uvx',
  'wait-for',
  'wait-for-it',
  'wait-for-it.sh',
  'wait-for.sh',
]);

/**
 * Launchers: programs that run a program or module named by a later word (`bundle exec puma`,
 * `npx pm2-runtime`, `yarn exec`, `python -m celery`). The one table of them: the shell layer strips
 * them with the other wrappers (stripWrapper), and the rules strip them from commands that did not come
 * through it (`stripLaunchers`, src/argv/program.ts).
 */
const LAUNCHER_NAMES = new Set(['bundle', 'bundler', 'npm', 'npx', 'pnpm', 'yarn']);

/** True when `program` (a basename) is a launcher: see LAUNCHER_NAMES. */
export function isLauncher(program: string): boolean {
  return LAUNCHER_NAMES.has(program) || PYTHON.test(program);
}

/** Strips one launcher from the front of argv, or says which script it runs; undefined if none. */
export function stripLauncher(argv: readonly Word[]): WrapperResult {
  if (argv.length === 0 || argv[0].unknown !== undefined) return undefined;
  const program = basename(argv[0].text);
  if (PYTHON.test(program)) return pythonModule(argv);
  const rest = (from: number, name: string): Stripped | undefined =>
    from < argv.length ? { name, argv: argv.slice(from) } : undefined;
  switch (program) {
    case 'npx':
      return nodeRunner(argv, 1, 'npx');
    case 'npm':
    case 'pnpm':
      if (argv[1]?.text === 'exec' || argv[1]?.text === 'x' || argv[1]?.text === 'dlx')
        return nodeRunner(argv, 2, `${program} ${argv[1].text}`);
      return undefined;
    case 'yarn': {
      // `yarn exec X`, `yarn dlx X` and `yarn X` for a binary run X; `yarn run X` and `yarn start`
      // run a package.json script, which is not visible here (the node rule reads those).
      const at = skipOptions(argv, 1, { long: ['--cwd'] });
      const sub = argv[at]?.text;
      if (sub === 'exec' || sub === 'dlx') return rest(skipOptions(argv, at + 1), `yarn ${sub}`);
      if (sub === undefined || sub === 'run' || PACKAGE_SCRIPTS.has(sub)) return undefined;
      return rest(at, 'yarn');
    }
    case 'bundle':
    case 'bundler':
      return argv[1]?.text === 'exec'
        ? rest(skipOptions(argv, 2, { long: ['--gemfile'] }), 'bundle exec')
        : undefined;
    default:
      return undefined;
  }
}

/** Strips one wrapper from the front of argv, or says which script to run; undefined if none. */
export function stripWrapper(argv: readonly Word[]): WrapperResult {
  if (argv.length === 0 || argv[0].unknown !== undefined) return undefined;
  const program = basename(argv[0].text);
  if (isLauncher(program)) return stripLauncher(argv);
  if (!WRAPPER_NAMES.has(program) && !SHELLS.has(program)) return undefined;
  const rest = (from: number, name: string): Stripped | undefined =>
    from < argv.length ? { name, argv: argv.slice(from) } : undefined;
  if (SHELLS.has(program)) return shellCall(argv, program);
  switch (program) {
    case 'exec':
      return rest(skipOptions(argv, 1, { short: 'a' }), 'exec');
    case 'command': {
      const at = skipOptions(argv, 1);
      if (argv.slice(1, at).some((w) => w.text === '-v' || w.text === '-V')) return undefined;
      return rest(at, 'command');
    }
    case 'builtin':
    case 'nohup':
    case 'catatonit':
    case 'setsid':
      return rest(skipOptions(argv, 1), program);
    case 'env':
      return envWrapper(argv);
    case 'tini':
    case 'tini-static':
    case 'docker-init':
      return rest(skipOptions(argv, 1, { short: 'pe' }), 'tini');
    case 'dumb-init':
      return rest(skipOptions(argv, 1, { short: 'r', long: ['--rewrite'] }), 'dumb-init');
    case 'gosu':
    case 'su-exec':
    case 's6-setuidgid': {
      const at = skipOptions(argv, 1);
      return rest(at + 1, program);
    }
    case 'chpst':
      return rest(skipOptions(argv, 1, { short: 'uUbe/nlLmdopfcrt' }), 'chpst');
    case 'setpriv':
      return rest(
        skipOptions(argv, 1, {
          long: [
            '--reuid',
            '--regid',
            '--groups',
            '--inh-caps',
            '--ambient-caps',
            '--bounding-set',
            '--securebits',
            '--pdeathsig',
            '--selinux-label',
            '--apparmor-profile',
            '--landlock-access',
            '--landlock-rule',
            '--ptracer',
          ],
        }),
        'setpriv',
      );
    case 'runuser':
    case 'su':
      return suWrapper(argv, program);
    case 'sudo':
      return rest(
        skipOptions(argv, 1, { short: 'ugCDhprtUT', long: ['--user', '--group', '--chdir'] }),
        'sudo',
      );
    case 'timeout': {
      const at = skipOptions(argv, 1, { short: 'sk', long: ['--signal', '--kill-after'] });
      return rest(at + 1, 'timeout');
    }
    case 'nice':
      return rest(skipOptions(argv, 1, { short: 'n', long: ['--adjustment'] }), 'nice');
    case 'ionice':
      return rest(skipOptions(argv, 1, { short: 'cnp', long: ['--class', '--classdata'] }), 'ionice');
    case 'stdbuf':
      return rest(skipOptions(argv, 1, { short: 'ioe', long: ['--input', '--output', '--error'] }), 'stdbuf');
    case 'taskset': {
      const at = skipOptions(argv, 1, { long: ['--cpu-list'] });
      if (argv.slice(1, at).some((w) => /^-[a-z]*p/.test(w.text) || w.text === '--pid')) return undefined;
      return rest(at + 1, 'taskset');
    }
    case 'time':
      return rest(skipOptions(argv, 1, { short: 'of', long: ['--output', '--format'] }), 'time');
    case 'opentelemetry-instrument':
      return rest(skipOptions(argv, 1, { allTakeValues: true }), 'opentelemetry-instrument');
    case 'ddtrace-run':
      return rest(skipOptions(argv, 1), 'ddtrace-run');
    case 'newrelic-admin':
      if (argv[1]?.text === 'run-program') return rest(skipOptions(argv, 2), 'newrelic-admin run-program');
      if (argv[1]?.text === 'run-python')
        return argv.length > 2
          ? {
              name: 'newrelic-admin run-python',
              argv: [{ text: 'python', path: argv[1].path }, ...argv.slice(2)],
            }
          : undefined;
      return undefined;
    case 'uv':
      return uvWrapper(argv);
    case 'uvx':
      return rest(skipOptions(argv, 1, { short: 'pw', long: UV_VALUE_OPTIONS }), 'uvx');
    case 'poetry':
    case 'pipenv':
    case 'pdm':
    case 'hatch':
    case 'rye':
      return projectRunner(argv, program);
    case 'doppler':
      return dopplerWrapper(argv);
    case 'wait-for-it':
    case 'wait-for-it.sh':
    case 'wait-for':
    case 'wait-for.sh': {
      const dash = argv.findIndex((w) => w.text === '--');
      return dash > 0 ? rest(dash + 1, program) : undefined;
    }
    case 'busybox':
      return rest(1, 'busybox');
    default:
      return undefined;
  }
}

/** `sh [options] -c SCRIPT [NAME [ARGS…]]`, with combined flags (`-lc`, `-ec`, `-euxo pipefail`). */
function shellCall(argv: readonly Word[], program: string): WrapperResult {
  let i = 1;
  let command = false;
  while (i < argv.length) {
    const t = argv[i].text;
    if (t === '--' || t === '-') {
      i++;
      break;
    }
    if (t.length < 2 || (t[0] !== '-' && t[0] !== '+')) break;
    if (t.startsWith('--')) {
      i += t === '--rcfile' || t === '--init-file' ? 2 : 1;
      continue;
    }
    let values = 0;
    for (let k = 1; k < t.length; k++) {
      if (t[k] === 'c') command = true;
      else if (t[k] === 'o' || t[k] === 'O') values++;
    }
    i += 1 + values;
  }
  if (!command || i >= argv.length) return undefined;
  return { name: `${program} -c`, script: argv[i], arg0: argv[i + 1], positionals: argv.slice(i + 2) };
}

/** `python [options] -m MODULE ARGS…` runs MODULE as the program (`python -m uvicorn` → uvicorn). */
function pythonModule(argv: readonly Word[]): Stripped | undefined {
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i];
    const t = w.text;
    if (t.length < 2 || t[0] !== '-' || t === '--') return undefined;
    if (t.startsWith('--')) continue; // --version, --help, --check-hash-based-pycs x (rare)
    for (let k = 1; k < t.length; k++) {
      const letter = t[k];
      if (letter === 'c') return undefined;
      if (letter === 'W' || letter === 'X') {
        if (k === t.length - 1) i++;
        break;
      }
      if (letter === 'm') {
        const glued = t.slice(k + 1);
        const moduleWord: Word | undefined = glued
          ? { ...w, text: glued }
          : argv[i + 1]
            ? { ...argv[i + 1] }
            : undefined;
        if (!moduleWord) return undefined;
        const text = moduleWord.text.endsWith('.__main__') ? moduleWord.text.slice(0, -9) : moduleWord.text;
        const program: Word = { ...moduleWord, text };
        return { name: 'python -m', argv: [program, ...argv.slice(glued ? i + 1 : i + 2)] };
      }
    }
  }
  return undefined;
}

const NAME_EQ = /^([A-Za-z_][A-Za-z0-9_]*)=/;

/** `env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE…] COMMAND…`. */
function envWrapper(argv: readonly Word[]): WrapperResult {
  const set: EnvEntry[] = [];
  const unset: string[] = [];
  let clear = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const t = argv[i].text;
    if (t === '--') {
      i++;
      break;
    }
    if (t === '-i' || t === '-' || t === '--ignore-environment') clear = true;
    else if (t === '-u' || t === '--unset') {
      if (argv[i + 1]) unset.push(argv[i + 1].text);
      i++;
    } else if (t.startsWith('--unset=')) unset.push(t.slice(8));
    else if (t.startsWith('-u') && t.length > 2) unset.push(t.slice(2));
    else if (t === '-C' || t === '--chdir') i++;
    else if (
      t === '-S' ||
      t === '--split-string' ||
      t.startsWith('--split-string=') ||
      (t.startsWith('-S') && t.length > 2)
    ) {
      // `env -S "prog args"` splits the string like a shell would (used in shebang lines).
      const glued = t.startsWith('--split-string=')
        ? t.slice(15)
        : t.startsWith('-S') && t.length > 2
          ? t.slice(2)
          : undefined;
      const script = glued !== undefined ? { ...argv[i], text: glued } : argv[i + 1];
      if (!script) return undefined;
      const after = argv.slice(glued !== undefined ? i + 1 : i + 2);
      return { name: 'env -S', script, positionals: after };
    } else if (t.length > 1 && t[0] === '-' && !NAME_EQ.test(t)) {
      if (/^-[0iv]+$/.test(t)) clear = clear || t.includes('i');
    } else break;
  }
  for (; i < argv.length; i++) {
    const w = argv[i];
    const m = NAME_EQ.exec(w.text);
    if (!m) break;
    const value = w.text.slice(m[0].length);
    set.push(
      w.unknown !== undefined
        ? { name: m[1], unknown: w.unknown, path: w.path }
        : { name: m[1], value, path: w.path },
    );
  }
  if (i >= argv.length) return undefined;
  const out: Stripped = { name: 'env', argv: argv.slice(i) };
  return {
    ...out,
    ...(set.length > 0 ? { set } : {}),
    ...(unset.length > 0 ? { unset } : {}),
    ...(clear ? { clear } : {}),
  };
}

/** `su [options] [-] [USER] -c SCRIPT`, `runuser -u USER -- COMMAND` or `runuser USER -c SCRIPT`. */
function suWrapper(argv: readonly Word[], program: string): WrapperResult {
  const takes = new Set([
    '-c',
    '--command',
    '-s',
    '--shell',
    '-g',
    '--group',
    '-G',
    '--supp-group',
    '-u',
    '--user',
    '-w',
    '--whitelist-environment',
  ]);
  let script: Word | undefined;
  let operands = 0;
  for (let i = 1; i < argv.length; i++) {
    const t = argv[i].text;
    if (t === '--') {
      return script
        ? { name: `${program} -c`, script, positionals: [] }
        : { name: program, argv: argv.slice(i + 1) };
    }
    if (t === '-c' || t === '--command') {
      script = argv[i + 1];
      i++;
    } else if (t.startsWith('--command=')) script = { ...argv[i], text: t.slice(10) };
    else if (takes.has(t)) i++;
    else if (t === '-' || t[0] !== '-') operands++;
  }
  if (script) return { name: `${program} -c`, script, positionals: [] };
  void operands;
  return undefined;
}

const UV_VALUE_OPTIONS = [
  '--with',
  '--with-editable',
  '--with-requirements',
  '--from',
  '--python',
  '--extra',
  '--group',
  '--only-group',
  '--no-group',
  '--package',
  '--env-file',
  '--index',
  '--default-index',
  '--index-url',
  '--extra-index-url',
  '--find-links',
  '--directory',
  '--project',
  '--cache-dir',
  '--config-file',
  '--color',
  '--python-preference',
  '--index-strategy',
  '--keyring-provider',
  '--resolution',
  '--prerelease',
  '--exclude-newer',
  '--link-mode',
  '--refresh-package',
  '--reinstall-package',
  '--no-binary-package',
  '--no-build-package',
  '--config-setting',
  '--allow-insecure-host',
];

/** `uv [global options] run [options] [--] COMMAND…` (also `uv tool run`). */
function uvWrapper(argv: readonly Word[]): Stripped | undefined {
  let at = skipOptions(argv, 1, { short: 'p', long: UV_VALUE_OPTIONS });
  if (argv[at]?.text === 'tool' && argv[at + 1]?.text === 'run') at++;
  else if (argv[at]?.text !== 'run') return undefined;
  const from = skipOptions(argv, at + 1, { short: 'pw', long: UV_VALUE_OPTIONS });
  return from < argv.length ? { name: 'uv run', argv: argv.slice(from) } : undefined;
}

/** `poetry run`, `pipenv run`, `pdm run`, `hatch run [ENV:]COMMAND`, `rye run`. */
function projectRunner(argv: readonly Word[], program: string): Stripped | undefined {
  let at = skipOptions(argv, 1, { short: 'CPpe', long: ['--directory', '--project', '--env'] });
  if (argv[at]?.text !== 'run') return undefined;
  at = skipOptions(argv, at + 1, { short: 'pe', long: ['--project', '--venv', '--env'] });
  if (at >= argv.length) return undefined;
  const first = argv[at];
  if (program === 'hatch') {
    const colon = first.text.indexOf(':');
    if (colon > 0 && !first.text.includes('/') && colon < first.text.length - 1) {
      return {
        name: 'hatch run',
        argv: [{ ...first, text: first.text.slice(colon + 1) }, ...argv.slice(at + 1)],
      };
    }
  }
  return { name: `${program} run`, argv: argv.slice(at) };
}

/** `doppler run [options] [--] COMMAND…` or `doppler run --command "SCRIPT"`. */
function dopplerWrapper(argv: readonly Word[]): WrapperResult {
  if (argv[1]?.text !== 'run') return undefined;
  const values = new Set([
    '-p',
    '--project',
    '-c',
    '--config',
    '--token',
    '--scope',
    '--fallback',
    '--fallback-passphrase',
    '--mount',
    '--mount-format',
    '--mount-template',
    '--mount-max-reads',
    '--name-transformer',
    '--configuration',
    '--api-host',
    '--dashboard-host',
    '--only-secrets',
    '--command',
    '--config-dir',
  ]);
  for (let i = 2; i < argv.length; i++) {
    const t = argv[i].text;
    if (t === '--') return i + 1 < argv.length ? { name: 'doppler run', argv: argv.slice(i + 1) } : undefined;
    if (t === '--command')
      return argv[i + 1] ? { name: 'doppler run', script: argv[i + 1], positionals: [] } : undefined;
    if (t.startsWith('--command='))
      return { name: 'doppler run', script: { ...argv[i], text: t.slice(10) }, positionals: [] };
    if (t[0] !== '-') return { name: 'doppler run', argv: argv.slice(i) };
    if (values.has(t)) i++;
  }
  return undefined;
}

/** `npx [options] COMMAND…`, `npm exec -- COMMAND…`, `npx -c "SCRIPT"`. */
function nodeRunner(argv: readonly Word[], from: number, name: string): WrapperResult {
  for (let i = from; i < argv.length; i++) {
    const t = argv[i].text;
    if (t === '--') return i + 1 < argv.length ? { name, argv: argv.slice(i + 1) } : undefined;
    if (t === '-c' || t === '--call')
      return argv[i + 1] ? { name, script: argv[i + 1], positionals: [] } : undefined;
    if (t.startsWith('--call=')) return { name, script: { ...argv[i], text: t.slice(7) }, positionals: [] };
    if (t[0] !== '-') return { name, argv: argv.slice(i) };
    if (t === '-p' || t === '--package' || t === '-w' || t === '--workspace' || t === '--cache') i++;
  }
  return undefined;
}
