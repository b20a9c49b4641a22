/**
 * Where a value was written: a field of a Kubernetes object, or a line of a file (a Dockerfile, a
 * compose file, a script, a server's config file, a Procfile, a manifest). Readers set it on the words
 * and variables they make (`Word.at`, `EnvEntry.at`), so that findings, notes and fixes point at it
 * without reading a rendered path back.
 */

/**
 * What kind of file a place is in: decides how a fix edits it and how a message names it. `file`: a
 * file of the image or repository a reader stopped in (a limit), of no kind a fix edits.
 */
export type PlaceSource = 'dockerfile' | 'compose' | 'script' | 'config' | 'procfile' | 'manifest' | 'file';

/** A place in a file. */
export interface FilePlace {
  /** The file as shown to users, relative to the repository or image root. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column of the value's first character, when the reader knows it. */
  readonly column?: number;
  /** The value's length in characters, from `column`, when the reader knows it. */
  readonly length?: number;
  readonly source: PlaceSource;
  /** The key that holds the value, e.g. `services.web.environment.UVICORN_WORKERS`, `workers`. */
  readonly key?: string;
}

/** A field of a Kubernetes object, e.g. `spec.template.spec.containers[0].args[3]`. */
export interface FieldPlace {
  readonly field: string;
}

export type Place = FieldPlace | FilePlace;

export function isFilePlace(place: Place | undefined): place is FilePlace {
  return place !== undefined && 'file' in place;
}

/** A place as shown to users in `Finding.path`: the field, or `file:line`. */
export function placePath(place: Place): string {
  return 'file' in place ? `${place.file}:${place.line}` : place.field;
}

/** The place without a value's characters: the field, or the file line (and key). */
export function lineOf(place: Place): Place {
  if (!isFilePlace(place) || (place.column === undefined && place.length === undefined)) return place;
  const { column: _column, length: _length, ...line } = place;
  return line;
}

/** `file:line`, the form chains and notes use. */
export function fileLine(place: FilePlace): string {
  return `${place.file}:${place.line}`;
}

/**
 * A word's or variable's place: its `at`, which every reader of a file sets; without one, its `path`
 * is a field of the Kubernetes container it came from.
 */
export function placeOf(value: { readonly at?: Place; readonly path: string }): Place {
  return value.at ?? { field: value.path };
}

/** The kind of cause a word of a command line is, by where it was written. */
export function wordCause(at: Place): Cause['kind'] {
  if (!isFilePlace(at)) return 'cli';
  return at.source === 'config' ? 'config-file' : at.source === 'script' ? 'script' : 'cli';
}

/** The kind of cause a variable is, by where it was set. */
export function envCause(at: Place): Cause['kind'] {
  if (!isFilePlace(at)) return 'env';
  switch (at.source) {
    case 'dockerfile':
      return 'dockerfile-env';
    case 'compose':
      return 'compose-env';
    case 'config':
      return 'env-file';
    case 'script':
      return 'script';
    default:
      return 'env';
  }
}

/**
 * Why a server starts the count it does, as data: which kind of setting decides it, where it is
 * written, and its name. Messages say where to change it from this, and `oneproc fix` edits exactly
 * `at`'s characters when `at` has a column and length.
 * - `cli`: a word of the command line (`--workers 4`), wherever the command is written;
 * - `env`: a variable of the Kubernetes container; `dockerfile-env`, `compose-env`, `env-file`: set
 *   by a Dockerfile's ENV, a compose service's `environment`, a compose `env_file`;
 * - `script`: a value a script sets; `config-file`: a server's config file;
 * - `default`: the server's own default (celery's one process per CPU), at the command.
 */
export interface Cause {
  readonly kind:
    | 'cli'
    | 'env'
    | 'dockerfile-env'
    | 'compose-env'
    | 'env-file'
    | 'script'
    | 'config-file'
    | 'default';
  readonly at: Place;
  /** The option or variable that carries the count: `--workers`, `WEB_CONCURRENCY`. */
  readonly name?: string;
}

/** The file place of a word or variable, when it was written in a file (not a Kubernetes field). */
export function fileAt(
  value: { readonly at?: Place; readonly path: string } | undefined,
): FilePlace | undefined {
  if (!value) return undefined;
  const place = placeOf(value);
  return isFilePlace(place) ? place : undefined;
}
