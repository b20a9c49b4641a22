/**
 * `oneproc check` and `oneproc fix` run in process the way tests need them: standard output and error
 * captured, a working directory, optional standard input and colour, optional rules. One helper for
 * every test file that runs a command in process.
 */
import { type CheckEngine, type CheckIO, run } from '../../src/cli/check';
import { run as fix } from '../../src/cli/fix';

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly stdin?: string;
  readonly color?: boolean;
  readonly engine?: CheckEngine;
}

/** A CLI command that takes its arguments and its input and output: `run` of check.ts or fix.ts. */
type Command = (argv: string[], io: CheckIO, engine: CheckEngine) => Promise<number>;

async function capture(command: Command, argv: readonly string[], options: RunOptions): Promise<Captured> {
  let out = '';
  let err = '';
  const io: CheckIO = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdin: async function* () {
      if (options.stdin !== undefined) yield Buffer.from(options.stdin);
    },
    cwd: options.cwd,
    color: options.color ?? false,
  };
  const code = await command([...argv], io, options.engine ?? {});
  return { code, out, err };
}

/** `oneproc check ARGV…`, in process. */
export function runCheck(argv: readonly string[], options: RunOptions): Promise<Captured> {
  return capture(run, argv, options);
}

/** `oneproc fix ARGV…`, in process. */
export function runFix(argv: readonly string[], options: RunOptions): Promise<Captured> {
  return capture(fix, argv, options);
}
