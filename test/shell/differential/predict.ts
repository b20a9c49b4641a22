/**
 * The prediction: what oneproc's one shell interpreter says a script runs, through its two doors —
 * (a) a container's `command: [sh|bash, -c, SCRIPT, ARG0, ARGS…]` read by `containerCommands`, and
 * (b) the script as an image's file, `ENTRYPOINT ["/app/start.sh"]` with `CMD` as its arguments, read
 * by `checkImage` (with the files it sources served from the same folder, as `/app`).
 *
 * Only the commands whose program is one of the stubbed servers are compared; builtins and the shell's
 * own commands are not servers and do not reach a stub.
 */

import type { ServerRule } from '../../../src/rules/types';
import { SERVER_MENTION } from '../../../src/servers/registry';
import { containerCommands } from '../../../src/shell';
import type { SimpleCommand, Word } from '../../../src/shell/types';
import { readDockerfile } from '../../../src/sources/dockerfile';
import { checkImage } from '../../../src/sources/image';
import type { SourceContext } from '../../../src/sources/types';
import { SERVERS, type Shell, WATCHED } from './real';

export interface PredictedWord {
  readonly text: string;
  readonly unknown?: string;
  /** A value known only by its lower bound (a CPU count): the interpreter's `atLeast`, when it has one. */
  readonly atLeast?: number;
}

export interface PredictedEnv {
  readonly value?: string;
  readonly unknown?: string;
  readonly atLeast?: number;
}

/** The `atLeast` of a word or env entry, read without depending on the field's presence in the type. */
function atLeastOf(x: object): { atLeast?: number } {
  const n = (x as { atLeast?: unknown }).atLeast;
  return typeof n === 'number' ? { atLeast: n } : {};
}

export interface PredictedRun {
  readonly program: string;
  readonly args: readonly PredictedWord[];
  readonly env: Readonly<Record<string, PredictedEnv>>;
  readonly wrappers: readonly string[];
}

export interface Prediction {
  readonly runs: readonly PredictedRun[];
  /** Problems and notes the reader gave, for the report. */
  readonly said: readonly string[];
}

const SERVER_NAMES: ReadonlySet<string> = new Set(SERVERS);

function base(text: string): string {
  const i = text.lastIndexOf('/');
  return i < 0 ? text : text.slice(i + 1);
}

function word(w: Word): PredictedWord {
  return w.unknown === undefined ? { text: w.text } : { text: w.text, unknown: w.unknown, ...atLeastOf(w) };
}

function toRun(cmd: SimpleCommand): PredictedRun | undefined {
  const program = cmd.argv[0];
  if (!program || program.unknown !== undefined || !SERVER_NAMES.has(base(program.text))) return undefined;
  const env: Record<string, PredictedEnv> = {};
  for (const name of WATCHED) {
    const e = cmd.env.get(name);
    if (!e) continue;
    env[name] =
      e.value !== undefined && e.unknown === undefined
        ? { value: e.value }
        : {
            unknown: e.unknown ?? 'no value',
            ...(e.value !== undefined ? { value: e.value } : {}),
            ...atLeastOf(e),
          };
  }
  return { program: base(program.text), args: cmd.argv.slice(1).map(word), env, wrappers: cmd.wrappers };
}

function podEnv(env: readonly (readonly [string, string])[]) {
  return env.map(([name, value]) => ({ name, value: value.replaceAll('$', '$$$$') }));
}

/** Door (a): `containerCommands` on `SHELL -c SCRIPT ARG0 ARGS…`, the pod's env given. */
export function predictDashC(
  shell: Shell,
  script: string,
  args: readonly string[],
  env: readonly (readonly [string, string])[],
): Prediction {
  const program = shell === 'dash' ? 'sh' : 'bash';
  const result = containerCommands(
    {
      // The kubelet expands `$(VAR)` in command and args; `$$` is how a manifest writes a literal `$`.
      command: [
        program,
        '-c',
        script.replaceAll('$', '$$$$'),
        program,
        ...args.map((a) => a.replaceAll('$', '$$$$')),
      ],
      env: podEnv(env),
    },
    'spec.containers[0]',
    undefined,
    // As every door of oneproc passes it: the servers' words make a line matter.
    { mentions: SERVER_MENTION },
  );
  return {
    runs: result.commands.flatMap((c) => toRun(c) ?? []),
    said: result.problems.map((p) => `${p.path}: ${p.message}`),
  };
}

/**
 * Door (b): the script as the image's ENTRYPOINT file (its shebang says which shell runs it), `args`
 * as the Dockerfile's CMD, `env` as the pod's. `files` are served next to it in `/app`, the workdir.
 */
export async function predictImage(
  script: string,
  files: Readonly<Record<string, string>>,
  args: readonly string[],
  env: readonly (readonly [string, string])[],
): Promise<Prediction> {
  const dockerfile = [
    'FROM debian:12',
    'WORKDIR /app',
    'ENTRYPOINT ["/app/start.sh"]',
    ...(args.length > 0 ? [`CMD ${JSON.stringify(args)}`] : []),
    '',
  ].join('\n');
  const all: Record<string, string> = { 'start.sh': script, ...files };
  const said: string[] = [];
  const ctx: SourceContext = {
    workdir: '/app',
    source: 'image',
    readFile(name) {
      const rel = name.startsWith('/app/') ? name.slice(5) : name.startsWith('./') ? name.slice(2) : name;
      const text = all[rel];
      return text === undefined ? undefined : { path: `app/${rel}`, text };
    },
  };
  const seen: SimpleCommand[] = [];
  // Every command that reaches the judge is recorded; none is judged.
  const recorder: ServerRule = {
    id: 'record',
    title: 'record',
    category: 'web',
    recognise(cmd) {
      seen.push(cmd);
      return false;
    },
    decide: () => ({ workers: null }) as never,
    fix: () => '',
  };
  const findings = await checkImage(readDockerfile(dockerfile, 'Dockerfile'), ctx, {
    container: { env: podEnv(env) },
    containerPath: 'spec.containers[0]',
    rules: [recorder],
    expanders: [],
    launchers: [],
    onNote: (n) => said.push(`note: ${n.message}`),
  });
  for (const f of findings) said.push(`${f.severity} ${f.rule}: ${f.message}`);
  return { runs: seen.flatMap((c) => toRun(c) ?? []), said };
}
