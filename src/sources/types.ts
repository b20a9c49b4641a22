/**
 * What the image runs: the contracts between the readers of Dockerfiles and scripts (which find the
 * commands a container starts) and the readers of server config files and Python entry points (which
 * make the worker count those files hold explicit, so the same rules judge it).
 */
import type { Decision } from '../rules/types';
import type { SimpleCommand } from '../shell/types';

/** A file of the repository or image, as read by the IO edge. */
export interface SourceFile {
  /** The path shown to users: relative to the repository (or image) root, e.g. `app/gunicorn.conf.py`. */
  readonly path: string;
  readonly text: string;
}

/** What an expander may read. Implemented by the IO edge; pure code sees only this. */
export interface SourceContext {
  /**
   * Reads a file the command refers to. `name` is as written in the command or config (absolute in
   * the image, or relative to `workdir`); the context maps image paths back to repository files
   * through the Dockerfile's COPY/ADD instructions where it can. Undefined when not found, or when
   * it was refused (outside the root, a dangling or looping link, binary, too large, unreadable): then
   * `this.report` has said why, so implementations call it on the context they were called on, and a
   * wrapper that spreads a context and replaces `report` hears it.
   */
  readFile(name: string): SourceFile | undefined;
  /** The container's working directory (Dockerfile WORKDIR, Kubernetes workingDir), default `/`. */
  readonly workdir: string;
  /**
   * Where the files come from: a repository seen through a Dockerfile's COPY/ADD, or an unpacked
   * image. Notes say it ("not copied by the Dockerfile" vs "not in the image").
   */
  readonly source?: 'repository' | 'image';
  /**
   * The names of the files directly in an image folder (absolute, or relative to `workdir`), for
   * configs that include files by pattern (supervisord's `[include] files = conf.d/*.conf`).
   * Undefined when the folder is not known. Optional: a context without it finds no such files.
   */
  listFiles?(dir: string): readonly string[] | undefined;
  /**
   * The names of the folders directly in an image folder, for launchers that start one service per
   * folder (s6's `/etc/services.d/NAME/run`, runit's `/etc/service/NAME/run`). Undefined when unknown.
   */
  listFolders?(dir: string): readonly string[] | undefined;
  /**
   * Where a file `readFile` did not find may still come from, for notes: e.g. "it may come from the
   * base image python:3.12 or the RUN step at Dockerfile:7, which mentions app".
   */
  whence?(name: string): string;
  /**
   * Says what could not be followed (a `note`: a file refused or missing) or what was only partly
   * read (a `warning`: a size, node or depth limit reached, so the verdict may be incomplete).
   * Optional: pure readers call it as `ctx.report?.(…)`; the door decides where it goes.
   */
  report?(report: SourceReport): void;
}

/** What a reader or the file boundary says about a file it could not follow or read whole. */
export interface SourceReport {
  readonly level: 'note' | 'warning';
  readonly message: string;
  /** The file as shown to users (`app/gunicorn.conf.py`), when there is one. */
  readonly file?: string;
  readonly line?: number;
}

/** A context whose relative names are resolved from `dir` (a program's own working directory). */
export function contextIn(ctx: SourceContext, dir: string): SourceContext {
  const workdir = dir.startsWith('/') ? dir : `${ctx.workdir.replace(/\/$/, '')}/${dir}`;
  const at = (name: string) => (name.startsWith('/') ? name : `${workdir.replace(/\/$/, '')}/${name}`);
  return {
    workdir,
    ...(ctx.source ? { source: ctx.source } : {}),
    // Called with this context as `this`, so a wrapper's `report` (spread over it) hears the file
    // boundary's notes too.
    readFile(name) {
      return ctx.readFile.call(this, at(name));
    },
    ...(ctx.listFiles
      ? {
          listFiles(name: string) {
            return ctx.listFiles?.call(this, at(name));
          },
        }
      : {}),
    ...(ctx.listFolders
      ? {
          listFolders(name: string) {
            return ctx.listFolders?.call(this, at(name));
          },
        }
      : {}),
    ...(ctx.whence ? { whence: (name: string) => ctx.whence?.(at(name)) ?? '' } : {}),
    ...(ctx.report ? { report: (r: SourceReport) => ctx.report?.(r) } : {}),
  };
}

/**
 * A location in a source file, written into `Word.path` of words that come from files, so findings
 * point at the decisive line: `app/gunicorn.conf.py:12`.
 */
export function sourcePath(file: string, line: number): string {
  return `${file}:${line}`;
}

/**
 * Parses a step of a finding's chain (`start.sh:4`) back; undefined for Kubernetes field paths. A
 * finding's own place is `Finding.at`.
 */
export function parseSourcePath(path: string): { file: string; line: number } | undefined {
  const m = /^(.*[^\]]):(\d+)$/.exec(path);
  return m && !m[1].includes('[') ? { file: m[1], line: Number(m[2]) } : undefined;
}

/** What an expander found for one command. */
export interface Expansion {
  /**
   * The commands to check instead of the original one, with what the files set made explicit
   * (e.g. `gunicorn -c gunicorn.conf.py app:app` → `gunicorn --workers 4 -c … app:app`, the `4` word's
   * path being `gunicorn.conf.py:3`; `python main.py` → `uvicorn main:app --workers 4` from the
   * `uvicorn.run(…)` call). Empty when the files start no server.
   */
  readonly commands: readonly SimpleCommand[];
  /**
   * Decisions a file makes on its own, where no command line can express it (supervisord's
   * `numprocs`, unicorn's `worker_processes`): each with the rule id that reports it.
   */
  readonly decisions?: readonly {
    readonly rule: string;
    readonly command: SimpleCommand;
    readonly decision: Decision;
  }[];
  /**
   * Programs the file starts by itself (supervisord's `[program:x]` sections): followed like the
   * container's own command — into scripts, config files and Python entry points — each from its
   * own working directory when it sets one. Their words point at the file's lines.
   */
  readonly programs?: readonly { readonly command: SimpleCommand; readonly workdir?: string }[];
  /** The files read, in order, for the finding's chain (`gunicorn.conf.py:3`). */
  readonly chain: readonly string[];
}

/**
 * Reads the config files or source a command refers to (explicitly, like `-c FILE`, or implicitly, like
 * gunicorn's `./gunicorn.conf.py`). Returns undefined when it has nothing to add. May be async
 * (parsers that load WebAssembly); must never throw for any file content.
 */
export interface SourceExpander {
  readonly id: string;
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined | Promise<Expansion | undefined>;
}
