/**
 * `oneproc check` run in process the way tests need it: standard output and error captured, a working
 * directory, optional standard input and colour, optional rules. One helper for every test file that
 * runs the command in process.
 */
import { type CheckEngine, type CheckIO, run } from '../../src/cli/check';

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

export async function runCheck(argv: readonly string[], options: RunOptions): Promise<Captured> {
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
  const code = await run([...argv], io, options.engine ?? {});
  return { code, out, err };
}
