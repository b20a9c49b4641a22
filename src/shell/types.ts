/** A container's command line after Kubernetes and shell processing: what the rules read. */
import type { Place } from '../place';

export type { Place };

/** One word of a command line after expansion. */
export interface Word {
  /**
   * The expanded text. When `unknown` is set this is the text as written (e.g. `$(nproc)`,
   * `${WORKERS:-4}` with WORKERS unknown, `--workers=$(W)`), never an empty string standing in
   * for an unknown value.
   */
  readonly text: string;
  /** Why the value cannot be known here, e.g. `WORKERS comes from valueFrom`, `command substitution`. */
  readonly unknown?: string;
  /**
   * For an unknown number: the least it can be on any node, e.g. 1 for `$(nproc)`, 3 for
   * `$((2*$(nproc)+1))` (a CPU count is at least 1).
   */
  readonly atLeast?: number;
  /**
   * Set by a reader that hands a server a value itself, not as command-line text, when the server
   * cannot take it whatever its text (a Python `str` where hypercorn needs an `int`): why it exits.
   */
  readonly refused?: string;
  /**
   * Where this word came from, as shown to users: the field (`spec.containers[0].args[3]`) or the
   * file and line (`Dockerfile:12`). Rendered from `at`: never read back.
   */
  readonly path: string;
  /**
   * Where this word came from, as data. Unset for a word of a Kubernetes container's own fields:
   * `path` is then that field (see `placeOf`).
   */
  readonly at?: Place;
}

/** One environment variable as the server process will see it. */
export interface EnvEntry {
  readonly name: string;
  /** The literal (expanded) value, when known. */
  readonly value?: string;
  /** Why the value cannot be known here (valueFrom, envFrom, a shell substitution, …). */
  readonly unknown?: string;
  /** For an unknown number: the least it can be on any node (see `Word.atLeast`). */
  readonly atLeast?: number;
  /** The field that set it, e.g. `spec.containers[0].env[2].value`, or the file and line (`Dockerfile:4`). */
  readonly path: string;
  /** Where it was set, as data; unset for a Kubernetes container's own `env` (see `Word.at`). */
  readonly at?: Place;
}

export type Env = ReadonlyMap<string, EnvEntry>;

/**
 * One `envFrom` source of the container. Its keys are not known here, so any variable that is not
 * set in `env` (and starts with `prefix`, when one is given) may come from it.
 */
export interface EnvFromSource {
  /** What it reads, e.g. `ConfigMap app-config`, `Secret app-secrets`. */
  readonly source: string;
  /** The `prefix` prepended to every key, when set. */
  readonly prefix?: string;
  /** The field, e.g. `spec.containers[0].envFrom[0]`. */
  readonly path: string;
}

/** A simple command that a container runs: a program and its arguments, wrappers stripped. */
export interface SimpleCommand {
  /** argv[0] is the program as written (`/app/.venv/bin/uvicorn`); rules compare its basename. */
  readonly argv: readonly Word[];
  /** The environment the program sees: container env, then `env A=B`/`A=B cmd` prefixes. */
  readonly env: Env;
  /** Wrappers stripped from the front, outermost first (`tini`, `exec`, `python -m`, …). */
  readonly wrappers: readonly string[];
  /**
   * True when the container's `command` is not set, so the image's ENTRYPOINT (unknown here) runs
   * with these words as its arguments; a rule that recognises argv[0] may still judge it, since most
   * entrypoints exec "$@", but the message must say the entrypoint is the image's.
   */
  readonly entrypointUnknown?: boolean;
  /**
   * The container's `envFrom` sources, when it has any: a variable that `env` lacks may still be set
   * by them (see `envFromFor`).
   */
  readonly envFrom?: readonly EnvFromSource[];
  /**
   * Set when a script runs this command only on one side of a condition it cannot decide, e.g.
   * `when [ "$ROLE" = web ] is true (line 4)`: the finding says which condition decides it.
   */
  readonly when?: string;
}

/** A part of the command line that could not be read (an unparsable script, …): a warning. */
export interface ShellProblem {
  readonly message: string;
  readonly path: string;
  /** The place `path` names (a script's line), when it is in a file. */
  readonly at?: Place;
  /** Reading stopped at a limit (the kernel's, or the review's work budget): see budget.ts. */
  readonly limit?: boolean;
  /** oneproc itself failed (an exception): a bug, reported with the input. */
  readonly internal?: boolean;
}

export interface ShellResult {
  readonly commands: readonly SimpleCommand[];
  readonly problems: readonly ShellProblem[];
}
