/**
 * pm2's command line, parsed once for the rule and the ecosystem-file reader: which of the spec's
 * programs runs (directly, through a launcher, or as `node …/pm2-runtime`), what it starts (a script,
 * an ecosystem or process file, or `pm2 scale`), and the options that shape it. commander's parsing
 * (`lib/binaries/CLI.js`, `lib/binaries/Runtime4Docker.js`): see rule.ts.
 */
import { firstPositional, lastOption } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

const BINARIES = new Set(spec.programs);

/** Options of pm2 start / pm2-runtime that take a value (so their values are not read as the script). */
export const PM2_TAKES_VALUE = [
  '-n',
  '--name',
  '-i',
  '--instances',
  '-o',
  '--output',
  '-e',
  '--error',
  '-l',
  '--log',
  '-p',
  '--pid',
  '--cwd',
  '--interpreter',
  '--interpreter-args',
  '--node-args',
  '--max-memory-restart',
  '--env',
  '--only',
  '--namespace',
  '--delay',
  '--secret',
  '--public',
  '--machine-name',
  '--restart-delay',
  '--exp-backoff-restart-delay',
  '--cron',
  '--cron-restart',
  '--kill-timeout',
  '--listen-timeout',
  '--max-restarts',
  '--uid',
  '--gid',
];

/** The pm2 invocation inside a command: the binary's argv index and its name. */
export function pm2Invocation(
  cmd: SimpleCommand,
): { argv: readonly Word[]; at: number; binary: string } | undefined {
  const inner = stripLaunchers(cmd);
  const name = programName(inner);
  if (BINARIES.has(name)) return { argv: inner.argv, at: 0, binary: name };
  // `node node_modules/.bin/pm2-runtime start app.js`
  if ((name === 'node' || name === 'nodejs' || name === 'bun') && inner.argv[1]) {
    const script = inner.argv[1].text;
    const base = script.slice(script.lastIndexOf('/') + 1).replace(/\.js$/, '');
    if (BINARIES.has(base)) return { argv: inner.argv, at: 1, binary: base };
  }
  return undefined;
}

/** `Common.isConfigFile`: an ecosystem/process file rather than a script. */
export function isPm2ConfigFile(name: string): boolean {
  return ['.json', '.yml', '.yaml', '.config.js', '.config.cjs', '.config.mjs'].some((ext) =>
    name.includes(ext),
  );
}

/**
 * What a pm2 command starts: the argv index where its start arguments begin (`from`), the `start`
 * verb, or the index of `pm2 scale`.
 */
export function pm2Start(
  cmd: SimpleCommand,
):
  | { argv: readonly Word[]; at: number; binary: string; from: number; verb?: Word; scale?: number }
  | undefined {
  const found = pm2Invocation(cmd);
  if (!found) return undefined;
  const { argv, at, binary } = found;
  let from = at + 1;
  let verb: Word | undefined;
  if (binary === 'pm2' || binary === 'pm2-dev') {
    const sub = firstPositional(argv, from, PM2_TAKES_VALUE);
    if (!sub) return undefined;
    if (sub.word.text === 'scale' && binary === 'pm2') return { ...found, from, scale: sub.index };
    const starts = ['start', 'startOrRestart', 'startOrReload', 'startOrGracefulReload'];
    if (!starts.includes(sub.word.text) && binary === 'pm2') return undefined;
    if (starts.includes(sub.word.text)) {
      from = sub.index + 1;
      verb = sub.word;
    }
  } else if (argv[from]?.text === 'start') {
    from++;
  }
  return { ...found, from, verb };
}

/** An ecosystem or process file that a pm2 command starts, with the options that shape what it starts. */
export interface Pm2FileStart {
  /** `pm2`, `pm2-runtime`, `pm2-docker` or `pm2-dev`. */
  readonly binary: string;
  /** The file as written; for a bare `pm2 start`, pm2's default `ecosystem.config.js` (`constants.js APP_CONF_DEFAULT_FILE`). */
  readonly file: Word;
  /** `--only NAME[,NAME]`: the apps to start (`lib/API.js _startJson` splits at commas and spaces). */
  readonly only?: Word;
  /** `--env NAME`: merges the app's `env_NAME` into its environment. */
  readonly envName?: Word;
  /** The pm2 invocation as written, for evidence (`pm2-runtime start ecosystem.config.js`). */
  readonly written: string;
}

/** The ecosystem/process file a pm2 command starts, or undefined when it starts a script (or nothing). */
export function pm2FileStart(cmd: SimpleCommand): Pm2FileStart | undefined {
  const start = pm2Start(cmd);
  if (!start || start.scale !== undefined) return undefined;
  const { argv, at, binary, from, verb } = start;
  const target = firstPositional(argv, from, PM2_TAKES_VALUE);
  let file: Word | undefined;
  if (target && !target.word.unknown && isPm2ConfigFile(target.word.text)) file = target.word;
  else if (!target && verb && binary === 'pm2' && verb.text === 'start')
    file = { text: 'ecosystem.config.js', path: verb.path };
  if (!file) return undefined;
  const value = (names: string[]) => {
    const hit = lastOption(argv, names, { from: at + 1, shortGlue: 'none', takesValue: PM2_TAKES_VALUE });
    return hit?.value ?? undefined;
  };
  return {
    binary,
    file,
    only: value(['--only']),
    envName: value(['--env']),
    written: `${binary} start ${file.text}`,
  };
}
