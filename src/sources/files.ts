/**
 * The IO edge of the sources readers: a `SourceContext` over a repository (through a Dockerfile's
 * COPY/ADD instructions) or over an unpacked image filesystem. It is the one place that touches the
 * disk for them, and it never lets the host follow a symbolic link: every path is walked component by
 * component (lstat, readlink), at most 40 links per path as Linux allows, and every link is resolved
 * here, inside the root it was given:
 *
 * - in an image root, as the container sees it (chroot semantics): an absolute target starts again at
 *   the image's root, `..` stops there;
 * - in a repository, as BuildKit reads a COPY source: joined under the build context and resolved with
 *   links bounded to it; a link that points outside the context is never followed there (a note says
 *   so), and a link inside a copied folder is a link in the image, resolved as an image path.
 *
 * What cannot be read whole is said through `SourceContext.report`: a file over the size limit is a
 * warning (the verdict may be incomplete); a binary file, an unreadable one, a dangling or looping link
 * a note.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageSpec, StageSpec } from './dockerfile';
import { isGlob, matchName } from './run-files';
import type { SourceContext, SourceFile, SourceReport } from './types';

/** Larger files are not scripts or config files; they are not read (a warning says so). */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/**
 * The links one path resolution may follow: Linux's MAXSYMLINKS (include/linux/namei.h, 40), past
 * which open(2) fails with ELOOP.
 */
export const MAX_LINKS = 40;

/** How much of a large file is read to tell a binary (a NUL byte) from an oversized text. */
const SNIFF_BYTES = 8192;

type Say = (report: SourceReport) => void;

/** A symbolic link met while resolving, `at` being its path below the root (`/usr/bin/start`). */
interface Link {
  readonly at: string;
  readonly target: string;
}

/** Links followed in one resolution, shared by the steps of a repository's image-level resolution. */
interface Budget {
  links: number;
}

type Resolved =
  /** `real` is below the root, `/`-separated, free of links and of `.`/`..`. */
  | { readonly kind: 'found'; readonly real: string; readonly stat: fs.Stats; readonly links: Link[] }
  /** `dangling`: the link whose target is not there, when the path ran out inside a link's target. */
  | { readonly kind: 'missing'; readonly dangling?: Link; readonly links: Link[] }
  | { readonly kind: 'loop'; readonly links: Link[] }
  | { readonly kind: 'error'; readonly at: string; readonly reason: string; readonly links: Link[] };

/** An answer of the file system, or its error (errors of `fs` are of another realm under test runners). */
type Entry<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: NodeJS.ErrnoException };

/** A folder read through lstat and readlink only, each answer kept (a check asks for the same paths). */
class Tree {
  /** The root's real path, where IO happens. */
  readonly root: string;
  /** The root as it was named, for the paths shown to users. */
  private readonly named: string;
  private readonly stats = new Map<string, Entry<fs.Stats>>();
  private readonly targets = new Map<string, Entry<string>>();

  constructor(rootDir: string) {
    // The root itself is the user's choice (a path they named, or the folder of their Dockerfile).
    let root = path.resolve(rootDir);
    this.named = root;
    try {
      root = fs.realpathSync(root);
    } catch {
      // Nothing below it can be found either.
    }
    this.root = root;
  }

  /** The host path of `rel` (`/a/b`, below the root). */
  host(rel: string): string {
    return rel === '/' ? this.root : path.join(this.root, ...rel.split('/'));
  }

  /** `rel` below the root as the user named it, to show. */
  shown(rel: string): string {
    return rel === '/' ? this.named : path.join(this.named, ...rel.split('/'));
  }

  /** The entry itself (a link is not followed), or the error that says why there is none. */
  lstat(rel: string): Entry<fs.Stats> {
    let st = this.stats.get(rel);
    if (!st) {
      try {
        st = { ok: true, value: fs.lstatSync(this.host(rel)) };
      } catch (err) {
        st = { ok: false, error: err as NodeJS.ErrnoException };
      }
      this.stats.set(rel, st);
    }
    return st;
  }

  readlink(rel: string): Entry<string> {
    let target = this.targets.get(rel);
    if (!target) {
      try {
        target = { ok: true, value: fs.readlinkSync(this.host(rel)) };
      } catch (err) {
        target = { ok: false, error: err as NodeJS.ErrnoException };
      }
      this.targets.set(rel, target);
    }
    return target;
  }

  /** Whether a host path is the root or below it: a `root + separator` prefix, never a bare prefix. */
  contains(abs: string): boolean {
    return (
      abs === this.root || abs.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep)
    );
  }
}

/**
 * Resolves `unsafe` below the tree's root as the kernel resolves a path under chroot(2): component by
 * component, a link's target read and walked in place of the link (an absolute one from the root),
 * `..` never above the root, the last component followed too (open(2) without O_NOFOLLOW), at most
 * `MAX_LINKS` links. This is also BuildKit's `rootPath` (cache/contenthash/path.go, from
 * cyphar/filepath-securejoin), which resolves COPY sources, except that a missing component ends the walk
 * here instead of being taken as a plain name.
 */
function resolve(tree: Tree, unsafe: string, budget: Budget): Resolved {
  // A stack of the components still to walk (the next one last), each with the link it came from.
  const todo: { part: string; via?: Link }[] = unsafe
    .split('/')
    .reverse()
    .map((part) => ({ part }));
  const current: string[] = [];
  const links: Link[] = [];
  const top = tree.lstat('/');
  if (!top.ok) return { kind: 'missing', links };
  let stat = top.value;
  for (let next = todo.pop(); next; next = todo.pop()) {
    const { part, via } = next;
    if (part === '' || part === '.') continue;
    // `current` holds no link, so its parent is lexical; at the root `..` stays there.
    if (part === '..') {
      current.pop();
      continue;
    }
    const at = `/${[...current, part].join('/')}`;
    const entry = tree.lstat(at);
    if (!entry.ok) {
      if (entry.error.code === 'ENOENT' || entry.error.code === 'ENOTDIR') {
        return { kind: 'missing', ...(via ? { dangling: via } : {}), links };
      }
      return { kind: 'error', at, reason: reasonOf(entry.error), links };
    }
    const st = entry.value;
    if (st.isSymbolicLink()) {
      if (++budget.links > MAX_LINKS) return { kind: 'loop', links };
      const read = tree.readlink(at);
      if (!read.ok) return { kind: 'error', at, reason: reasonOf(read.error), links };
      const target = read.value;
      const link = { at, target };
      links.push(link);
      if (target.startsWith('/')) current.length = 0;
      const parts = target.split('/');
      for (let i = parts.length - 1; i >= 0; i--) todo.push({ part: parts[i], via: link });
      continue;
    }
    // A file followed by more components (`start.sh/x`, `start.sh/`) is ENOTDIR.
    if (!st.isDirectory() && todo.length > 0) {
      return { kind: 'missing', ...(via ? { dangling: via } : {}), links };
    }
    current.push(part);
    stat = st;
  }
  return { kind: 'found', real: `/${current.join('/')}`, stat, links };
}

function reasonOf(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EIO':
      return 'an input/output error';
    default:
      return err.code ?? err.message;
  }
}

/** What a non-regular file is, for messages. */
function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

const MIB = `${MAX_SOURCE_BYTES / (1024 * 1024)} MiB`;

/**
 * Reads a resolved regular file, `shown` naming it for users. Opened with O_NOFOLLOW and O_NONBLOCK
 * and checked to be the very file resolved (so a link or a pipe swapped in meanwhile is not read), at
 * most `MAX_SOURCE_BYTES`.
 */
function readResolved(
  tree: Tree,
  real: string,
  stat: fs.Stats,
  shown: string,
  say: Say,
): SourceFile | undefined {
  const abs = tree.host(real);
  if (!tree.contains(abs)) {
    say({
      level: 'note',
      message: `${shown} is outside the folder being checked, so it was not read`,
      file: shown,
    });
    return undefined;
  }
  if (stat.isDirectory()) return undefined;
  if (!stat.isFile()) {
    say({
      level: 'note',
      message: `${shown} is ${kindOf(stat)}, not a regular file, so it was not read`,
      file: shown,
    });
    return undefined;
  }
  const cannot = (reason: string) =>
    say({
      level: 'note',
      message: `${shown} cannot be read (${reason}), so it was not followed`,
      file: shown,
    });
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    cannot(reasonOf(err as NodeJS.ErrnoException));
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.ino !== stat.ino || st.dev !== stat.dev) {
      cannot('it changed while being read');
      return undefined;
    }
    const binary = () =>
      say({
        level: 'note',
        message: `${shown} is a binary file (it holds a NUL byte), not a script or config file, so it was not read`,
        file: shown,
      });
    const tooLarge = (size: string) =>
      say({
        level: 'warning',
        message: `${shown} is ${size}, over the ${MIB} limit for a script or config file, so it was not read`,
        file: shown,
      });
    if (st.size > MAX_SOURCE_BYTES) {
      // A large binary (an executable on PATH) is not a script: a note, not a limit.
      if (readUpTo(fd, SNIFF_BYTES).includes(0)) binary();
      else tooLarge(`${st.size} bytes`);
      return undefined;
    }
    const bytes = readUpTo(fd, MAX_SOURCE_BYTES + 1);
    if (bytes.includes(0)) {
      binary();
      return undefined;
    }
    if (bytes.length > MAX_SOURCE_BYTES) {
      tooLarge(`more than ${MAX_SOURCE_BYTES} bytes`);
      return undefined;
    }
    return { path: shown, text: bytes.toString('utf8') };
  } catch (err) {
    cannot(reasonOf(err as NodeJS.ErrnoException));
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Up to `max` bytes from the start of an open file. */
function readUpTo(fd: number, max: number): Buffer {
  const buf = Buffer.alloc(max);
  let length = 0;
  while (length < max) {
    const n = fs.readSync(fd, buf, length, max - length, length);
    if (n === 0) break;
    length += n;
  }
  return buf.subarray(0, length);
}

/** The entries directly in a resolved folder, each with whether it is a folder (links count as files). */
function listEntries(
  tree: Tree,
  real: string,
  shown: string,
  say: Say,
): { name: string; folder: boolean }[] | undefined {
  try {
    return fs
      .readdirSync(tree.host(real), { withFileTypes: true })
      .filter((e) => e.isFile() || e.isSymbolicLink() || e.isDirectory())
      .map((e) => ({ name: e.name, folder: e.isDirectory() }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') {
      say({ level: 'note', message: `${shown} cannot be listed (${reasonOf(e)})`, file: shown });
    }
    return undefined;
  }
}

/** Files of an unpacked image filesystem (`--image-root DIR`): image paths are paths below DIR. */
export function imageRootContext(rootDir: string, workdir: string): SourceContext {
  const tree = new Tree(rootDir);
  /** Says why a resolution found nothing to read, in the image's terms. */
  const explain = (r: Resolved, shown: string, say: Say) => {
    if (r.kind === 'loop') {
      say({
        level: 'note',
        message: `${shown}: more than ${MAX_LINKS} symbolic links were met resolving it (a loop?), so it was not followed`,
        file: shown,
      });
    } else if (r.kind === 'error') {
      say({
        level: 'note',
        message: `${r.at} cannot be read (${r.reason}), so ${shown} was not followed`,
        file: shown,
      });
    } else if (r.kind === 'missing' && r.dangling) {
      const { at, target } = r.dangling;
      say({
        level: 'note',
        message: `${at} is a symbolic link to ${target}, which is not in the image, so ${at === shown ? 'it' : shown} was not followed`,
        file: shown,
      });
    }
  };
  const list = (name: string, say: Say, folders: boolean): string[] | undefined => {
    const target = path.posix.resolve(workdir, name);
    const r = resolve(tree, target, { links: 0 });
    if (r.kind !== 'found') {
      explain(r, target, say);
      return undefined;
    }
    if (!r.stat.isDirectory()) return undefined;
    return listEntries(tree, r.real, target, say)
      ?.filter((e) => e.folder === folders)
      .map((e) => e.name)
      .sort();
  };
  return {
    workdir,
    source: 'image',
    readFile(name: string): SourceFile | undefined {
      const say: Say = (r) => this.report?.(r);
      const target = path.posix.resolve(workdir, name);
      const r = resolve(tree, target, { links: 0 });
      if (r.kind !== 'found') {
        explain(r, target, say);
        return undefined;
      }
      return readResolved(tree, r.real, r.stat, target, say);
    },
    listFiles(name: string): readonly string[] | undefined {
      return list(name, (r) => this.report?.(r), false);
    },
    listFolders(name: string): readonly string[] | undefined {
      return list(name, (r) => this.report?.(r), true);
    },
  };
}

/** Where an image path comes from, as far as the Dockerfile tells. */
type Copied =
  /** A file or folder of the build context. */
  | { readonly kind: 'found'; readonly real: string; readonly stat: fs.Stats }
  /** Written by a heredoc (`COPY <<EOF /app/start.sh`). */
  | { readonly kind: 'inline'; readonly file: SourceFile }
  /** A link of the image (`ln -s`, or a link inside a copied folder): in the image it points at `image`. */
  | { readonly kind: 'link'; readonly image: string; readonly at: string; readonly target: string }
  /** Made by something oneproc does not follow (an image it cannot see, a download): `message` says it. */
  | { readonly kind: 'unknown'; readonly message: string; readonly file?: string; readonly line?: number }
  /** A folder made by `mkdir` or WORKDIR (its files come from elsewhere). */
  | { readonly kind: 'folder' }
  | { readonly kind: 'none' };

/** Steps (instructions visited) per lookup of an image path through the Dockerfile's stages. */
export const MAX_LOOKUP_STEPS = 20_000;

interface Lookup {
  links: number;
  steps: number;
}

const NONE: Copied = { kind: 'none' };

/**
 * Folders every Debian, Ubuntu and Alpine image has (the Filesystem Hierarchy Standard's, and
 * Docker's default PATH): `mv start.sh /usr/local/bin` moves the file into them.
 */
const STANDARD_FOLDERS = new Set([
  '/',
  '/bin',
  '/etc',
  '/home',
  '/opt',
  '/root',
  '/sbin',
  '/srv',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/local/bin',
  '/usr/local/lib',
  '/usr/local/sbin',
  '/usr/local/share',
  '/usr/sbin',
  '/usr/share',
  '/var',
  '/var/lib',
  '/var/log',
  '/var/run',
  '/run',
]);

/** `target` below image folder `dest`: `''` for the folder itself, the rest below it, or undefined. */
function below(target: string, dest: string): string | undefined {
  const d = dest.length > 1 ? dest.replace(/\/+$/, '') : dest;
  if (target === d) return '';
  const prefix = d === '/' ? '/' : `${d}/`;
  return target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/**
 * Files of the image built from `spec` by `docker build CONTEXT`: an image path is traced back through
 * the instructions of the stage that runs, and the stages it is built on or copies from, to a file of
 * the build context, a heredoc, or what oneproc cannot see (an image, a download). The last
 * instruction that provides the path wins, as it does in the image. `display` makes
 * repository-relative names for findings.
 *
 * Followed, in order: COPY/ADD from the context (plain paths and globs of file names), COPY --from an
 * earlier stage (traced there), COPY --from an image (unknown, said), COPY heredocs, and the file
 * operations of RUN (`mv`, `cp`, `install`, `ln -s`, `rm`); a path written by a RUN command in any
 * other way (`curl -o`, `sed -i`) is unknown, said with its line. A stage built FROM an earlier stage
 * holds that stage's files.
 *
 * Each source is read as BuildKit reads it (frontend/dockerfile/dockerfile2llb/convert.go:
 * `llb.Copy(…, filepath.Join("/", src), dest, &llb.CopyInfo{FollowSymlinks: true, …})`, and
 * tonistiigi/fsutil copy/copy.go `rootPath`: the source is joined under the context root and its links
 * are followed bounded to that root): `COPY ../secrets/start.sh` is `<context>/secrets/start.sh`, never a
 * sibling folder of the context. Inside a copied folder, fsutil's copier recreates each link as a link
 * (`os.Symlink(link, target)`), so there a link's target is an image path, looked up again (taken
 * lexically: `..` is not checked against links of the image). A glob source matches file names with
 * Go's `filepath.Match` (BuildKit's `AllowWildcard`), leading dots included.
 */
export function repositoryContext(
  spec: ImageSpec,
  contextDir: string,
  display: (abs: string) => string,
): SourceContext {
  const tree = new Tree(contextDir);
  const shown = (rel: string) => display(tree.shown(rel));
  const stages: readonly StageSpec[] = spec.stages ?? [
    {
      index: 0,
      line: 1,
      from: spec.base,
      base: spec.base,
      ops: spec.copies
        .filter((c) => !c.fromStage)
        .map((c) => ({
          op: 'add' as const,
          sources: c.sources,
          dest: c.dest,
          line: c.line,
          from: { context: true as const },
        })),
    },
  ];
  const top = spec.stage ?? stages.length - 1;
  const endOf = (s: number) => stages[s]?.ops.length ?? 0;
  const at = (line: number) => `${spec.file}:${line}`;

  /**
   * A COPY source resolved in the context, with a note for each link that points outside it: the
   * builder never sees what is there (its context holds only the folder), and neither does oneproc.
   */
  const source = (src: string, say: Say): Resolved => {
    const r = resolve(tree, path.posix.join('/', src), { links: 0 });
    for (const link of r.links) {
      const from = tree.host(path.posix.dirname(link.at));
      if (!link.target.startsWith('/') && tree.contains(path.resolve(from, link.target))) continue;
      const inside = path.posix.resolve(path.posix.dirname(link.at), link.target);
      say({
        level: 'note',
        message:
          `${shown(link.at)} is a symbolic link to ${link.target}, outside the build context, so it was not followed there: ` +
          (r.kind === 'found'
            ? `the builder resolves it inside the context, as ${shown(r.real)}`
            : `the builder resolves it inside the context, as ${shown(inside)}, which does not exist`),
        file: shown(link.at),
      });
    }
    if (r.kind === 'loop') {
      say({
        level: 'note',
        message: `${shown(path.posix.join('/', src))}: more than ${MAX_LINKS} symbolic links were met resolving it (a loop?), so it was not followed`,
        file: shown(path.posix.join('/', src)),
      });
    } else if (r.kind === 'error') {
      say({
        level: 'note',
        message: `${shown(r.at)} cannot be read (${r.reason}), so it was not followed`,
        file: shown(r.at),
      });
    }
    return r;
  };

  /** Walks `rel` below a copied folder, as the image holds it: a link there is a link in the image. */
  const inFolder = (dir: string, image: string, rel: string[], budget: Lookup): Copied | 'loop' => {
    let real = dir;
    let stat: fs.Stats | undefined;
    for (let i = 0; i < rel.length; i++) {
      const next = path.posix.join(real, rel[i]);
      const imageAt = path.posix.join(image, ...rel.slice(0, i + 1));
      const entry = tree.lstat(next);
      if (!entry.ok) return NONE;
      const st = entry.value;
      if (st.isSymbolicLink()) {
        if (++budget.links > MAX_LINKS) return 'loop';
        const read = tree.readlink(next);
        if (!read.ok) return NONE;
        const target = read.value;
        const base = target.startsWith('/') ? target : path.posix.join(path.posix.dirname(imageAt), target);
        return {
          kind: 'link',
          image: path.posix.resolve('/', base, ...rel.slice(i + 1)),
          at: shown(next),
          target,
        };
      }
      if (!st.isDirectory() && i < rel.length - 1) return NONE;
      real = next;
      stat = st;
    }
    return stat ? { kind: 'found', real, stat } : NONE;
  };

  /** An image path in one COPY/ADD from the build context; undefined when it does not provide it. */
  const fromContext = (
    op: { sources: readonly string[]; dest: string },
    target: string,
    budget: Lookup,
    say: Say,
  ): Copied | 'loop' | undefined => {
    const dest = trimSlash(op.dest);
    // A file copied into a folder keeps its name (with several sources, the destination is a folder).
    const intoFolder = op.dest.endsWith('/') || op.sources.length > 1;
    const rest = below(target, dest);
    if (rest === undefined) return undefined;
    for (const src of op.sources) {
      if (isGlob(src)) {
        // Each match is copied into the folder under its own name.
        const dir = path.posix.dirname(src);
        const [first, ...more] = rest.split('/');
        if (
          rest === '' ||
          more.length > 0 ||
          isGlob(dir) ||
          !matchName(path.posix.basename(src), first, true)
        )
          continue;
        const r = source(path.posix.join(dir, first), say);
        if (r.kind === 'found' && !r.stat.isDirectory()) return { kind: 'found', real: r.real, stat: r.stat };
        continue;
      }
      // A source that cannot be resolved fails the build; `source` has said why.
      const r = source(src, say);
      if (r.kind !== 'found') continue;
      if (r.stat.isDirectory()) {
        // A folder's contents land in the destination folder.
        if (rest === '') return { kind: 'found', real: r.real, stat: r.stat };
        const hit = inFolder(r.real, dest, rest.split('/'), budget);
        if (hit === 'loop' || hit.kind !== 'none') return hit;
      } else if (intoFolder ? rest === path.posix.basename(src) : rest === '') {
        return { kind: 'found', real: r.real, stat: r.stat };
      }
    }
    return undefined;
  };

  /**
   * Where image path `target` comes from at instruction `end` of stage `s` (the instructions before
   * it, then the stage it is built on).
   */
  const locate = (target: string, s: number, end: number, budget: Lookup, say: Say): Copied | 'loop' => {
    const stage = stages[s];
    if (!stage) return NONE;
    for (let i = Math.min(end, stage.ops.length) - 1; i >= 0; i--) {
      if (++budget.steps > MAX_LOOKUP_STEPS) return 'loop';
      const op = stage.ops[i];
      switch (op.op) {
        case 'add': {
          if ('context' in op.from) {
            const hit = fromContext(op, target, budget, say);
            if (hit !== undefined) return hit;
            break;
          }
          const dest = trimSlash(op.dest);
          const rest = below(target, dest);
          if (rest === undefined) break;
          const intoFolder = op.dest.endsWith('/') || op.sources.length > 1;
          for (const src of [...op.sources].reverse()) {
            const candidates: string[] = [];
            const [first, ...more] = rest.split('/');
            if (isGlob(src)) {
              const dir = path.posix.dirname(src);
              if (rest !== '' && !isGlob(dir) && matchName(path.posix.basename(src), first, true))
                candidates.push(path.posix.join(dir, first, ...more));
            } else {
              if (rest === '' && !intoFolder) candidates.push(src);
              if (intoFolder && rest === path.posix.basename(src)) candidates.push(src);
              // A folder's contents land in the destination (with a trailing slash, or one source).
              if (rest !== '' && (!intoFolder || src.endsWith('/') || 'stage' in op.from))
                candidates.push(path.posix.join(src, rest));
            }
            if (candidates.length === 0) continue;
            if ('image' in op.from) {
              return {
                kind: 'unknown',
                message: `${target} comes from the image ${op.from.image} (COPY --from at ${at(op.line)}), which oneproc cannot see, so it was not read`,
                file: spec.file,
                line: op.line,
              };
            }
            const from = op.from.stage;
            for (const c of candidates) {
              const hit = locate(path.posix.resolve('/', c), from, endOf(from), budget, say);
              if (hit === 'loop' || hit.kind !== 'none') return hit;
            }
          }
          break;
        }
        case 'write':
          if (target === op.path) {
            return {
              kind: 'inline',
              file: { path: `${spec.file}:${op.path}`, text: op.text },
            };
          }
          break;
        case 'move':
        case 'copy': {
          const folder = op.folder === 'maybe' ? (folderAt(op.dest, s, i, budget) ? 'yes' : 'no') : op.folder;
          for (const c of placements(op.sources, op.dest, folder, target)) {
            const hit = locate(c, s, i, budget, say);
            if (hit === 'loop' || hit.kind !== 'none') return hit;
          }
          // What was moved away is no longer where it was.
          if (op.op === 'move' && op.sources.some((src) => covers(src, target))) return NONE;
          break;
        }
        case 'folder':
          if (op.paths.some((p) => below(p, target) !== undefined)) return { kind: 'folder' };
          break;
        case 'link': {
          const name = path.posix.basename(op.target);
          const rest = below(target, op.dest);
          if (rest === undefined) break;
          // `ln -s TARGET DEST` makes DEST/NAME when DEST is a folder, else DEST; a path below the
          // link (`/etc/service/cron/run` under a link to /etc/sv/cron) goes through it.
          const folder =
            op.folder === 'maybe' && rest !== ''
              ? folderAt(op.dest, s, i, budget)
                ? 'yes'
                : 'no'
              : op.folder;
          const inside = folder !== 'no' ? below(target, path.posix.join(op.dest, name)) : undefined;
          const linkAt =
            folder !== 'yes' && (rest === '' || folder === 'no')
              ? op.dest
              : inside !== undefined
                ? path.posix.join(op.dest, name)
                : undefined;
          if (linkAt === undefined) break;
          const more = below(target, linkAt) ?? '';
          const base = op.target.startsWith('/')
            ? op.target
            : path.posix.join(path.posix.dirname(linkAt), op.target);
          return {
            kind: 'link',
            image: path.posix.resolve('/', base, more),
            at: `${linkAt} (\`ln -s\` in RUN at ${at(op.line)})`,
            target: op.target,
          };
        }
        case 'remove':
          if (op.paths.some((p) => covers(p, target))) return NONE;
          break;
        case 'edit': {
          if (!op.paths.some((p) => covers(p, target))) break;
          const hit = locate(target, s, i, budget, say);
          if (hit !== 'loop' && (hit.kind === 'found' || hit.kind === 'inline'))
            say({
              level: 'note',
              message: `${target} is ${op.why} in RUN at ${at(op.line)} (\`${op.text}\`), which oneproc does not run; it was read as copied`,
              file: spec.file,
              line: op.line,
            });
          return hit;
        }
        case 'unknown':
          if (op.paths.some((p) => below(target, p) !== undefined)) {
            return {
              kind: 'unknown',
              message: `${target} is ${op.why} in RUN at ${at(op.line)} (\`${op.text}\`), which oneproc does not run, so it was not read`,
              file: spec.file,
              line: op.line,
            };
          }
          break;
      }
    }
    return stage.parent !== undefined ? locate(target, stage.parent, endOf(stage.parent), budget, say) : NONE;
  };

  /** Whether image path `dest` is a folder before instruction `end` of stage `s`. */
  const folderAt = (dest: string, s: number, end: number, budget: Lookup): boolean => {
    if (STANDARD_FOLDERS.has(dest)) return true;
    const hit = locate(dest, s, end, budget, () => {});
    return hit !== 'loop' && (hit.kind === 'folder' || (hit.kind === 'found' && hit.stat.isDirectory()));
  };

  /**
   * Follows links of the image until a file is reached: `none` when the Dockerfile does not provide
   * the path, `said` when a note already says why it was not followed.
   */
  const find = (
    target: string,
    budget: Lookup,
    say: Say,
  ): { real: string; stat: fs.Stats } | SourceFile | 'none' | 'said' => {
    const hit = locate(target, top, endOf(top), budget, say);
    if (hit === 'loop') {
      say({
        level: 'note',
        message:
          budget.steps > MAX_LOOKUP_STEPS
            ? `${target}: oneproc traced it through ${MAX_LOOKUP_STEPS.toLocaleString('en')} instructions of ${spec.file} and stopped, so it was not followed`
            : `${target}: more than ${MAX_LINKS} symbolic links were met resolving it (a loop?), so it was not followed`,
        file: spec.file,
      });
      return 'said';
    }
    if (hit.kind === 'unknown') {
      say({
        level: 'note',
        message: hit.message,
        ...(hit.file ? { file: hit.file } : {}),
        ...(hit.line ? { line: hit.line } : {}),
      });
      return 'said';
    }
    if (hit.kind === 'inline') return hit.file;
    if (hit.kind !== 'link') return hit.kind === 'found' ? hit : 'none';
    const next = find(hit.image, budget, say);
    if (next === 'none') {
      say({
        level: 'note',
        message: `${hit.at} is a symbolic link to ${hit.target}: in the image that is ${hit.image}, which the Dockerfile does not provide (COPY, ADD, RUN mv/cp/ln), so it was not followed`,
        file: hit.at.replace(/ \(.*$/, ''),
      });
      return 'said';
    }
    return next;
  };

  /** Names that may be directly in image folder `dir` at instruction `end` of stage `s`; false if unknown. */
  const gather = (
    s: number,
    end: number,
    dir: string,
    budget: Lookup,
    say: Say,
    out: Set<string>,
  ): boolean => {
    const stage = stages[s];
    if (!stage) return false;
    let known =
      stage.parent !== undefined ? gather(stage.parent, endOf(stage.parent), dir, budget, say, out) : false;
    const place = (placed: string) => {
      if (path.posix.dirname(placed) === dir && placed !== '/') {
        out.add(path.posix.basename(placed));
        known = true;
      }
    };
    for (let i = 0; i < Math.min(end, stage.ops.length); i++) {
      if (++budget.steps > MAX_LOOKUP_STEPS) return known;
      const op = stage.ops[i];
      if (op.op === 'add') {
        const dest = trimSlash(op.dest);
        const intoFolder = op.dest.endsWith('/') || op.sources.length > 1;
        for (const src of op.sources) {
          if (isGlob(src)) {
            const srcDir = path.posix.dirname(src);
            if (trimSlash(dir) !== dest || isGlob(srcDir)) continue;
            const names = new Set<string>();
            const listed =
              'context' in op.from
                ? contextNames(srcDir, say, names)
                : 'stage' in op.from &&
                  gather(
                    op.from.stage,
                    endOf(op.from.stage),
                    path.posix.resolve('/', srcDir),
                    budget,
                    say,
                    names,
                  );
            if (!listed) continue;
            known = true;
            for (const n of names) if (matchName(path.posix.basename(src), n, true)) out.add(n);
            continue;
          }
          place(intoFolder ? path.posix.join(dest, path.posix.basename(src)) : dest);
          const rest = below(dir, dest);
          if (rest === undefined) continue;
          // A folder copied there: its entries.
          if ('context' in op.from) {
            if (contextNames(path.posix.join(src, rest), say, out)) known = true;
          } else if ('stage' in op.from) {
            const from = op.from.stage;
            if (gather(from, endOf(from), path.posix.resolve('/', src, rest), budget, say, out)) known = true;
          }
        }
      } else if (op.op === 'write') {
        place(op.path);
      } else if (op.op === 'move' || op.op === 'copy') {
        const folder = op.folder === 'maybe' ? (folderAt(op.dest, s, i, budget) ? 'yes' : 'no') : op.folder;
        for (const src of op.sources) {
          const name = path.posix.basename(src);
          if (isGlob(src)) {
            if (dir !== op.dest || isGlob(path.posix.dirname(src))) continue;
            const names = new Set<string>();
            if (!gather(s, i, path.posix.dirname(src), budget, say, names)) continue;
            known = true;
            for (const n of names) if (matchName(name, n, false)) out.add(n);
            continue;
          }
          if (folder !== 'no') place(path.posix.join(op.dest, name));
          if (folder !== 'yes') place(op.dest);
          const into = folder !== 'no' ? below(dir, path.posix.join(op.dest, name)) : undefined;
          const onto = folder !== 'yes' ? below(dir, op.dest) : undefined;
          for (const rest of [into, onto]) {
            if (rest !== undefined && gather(s, i, path.posix.join(src, rest), budget, say, out))
              known = true;
          }
        }
      } else if (op.op === 'link') {
        if (op.folder !== 'yes') place(op.dest);
        if (op.folder !== 'no') place(path.posix.join(op.dest, path.posix.basename(op.target)));
      }
    }
    return known;
  };

  /** The entries of a folder of the build context (as COPY source `rel`), added to `out`. */
  const contextNames = (rel: string, say: Say, out: Set<string>): boolean => {
    const r = source(rel, say);
    if (r.kind !== 'found' || !r.stat.isDirectory()) return false;
    const entries = listEntries(tree, r.real, shown(r.real), say);
    if (!entries) return false;
    for (const e of entries) out.add(e.name);
    return true;
  };

  /** The entries of image folder `name`, each with whether it is a folder; undefined when unknown. */
  const entries = (name: string, say: Say): { name: string; folder: boolean }[] | undefined => {
    const dir = path.posix.resolve(spec.workdir, name);
    const budget: Lookup = { links: 0, steps: 0 };
    const names = new Set<string>();
    if (!gather(top, endOf(top), dir, budget, say, names)) return undefined;
    const out: { name: string; folder: boolean }[] = [];
    for (const n of [...names].sort()) {
      const hit = locate(path.posix.join(dir, n), top, endOf(top), { links: 0, steps: 0 }, () => {});
      if (hit === 'loop' || hit.kind === 'none' || hit.kind === 'unknown') continue;
      out.push({
        name: n,
        folder: hit.kind === 'folder' || (hit.kind === 'found' && hit.stat.isDirectory()),
      });
    }
    return out;
  };

  return {
    workdir: spec.workdir,
    source: 'repository',
    readFile(name: string): SourceFile | undefined {
      const say: Say = (r) => this.report?.(r);
      const found = find(path.posix.resolve(spec.workdir, name), { links: 0, steps: 0 }, say);
      if (typeof found === 'string') return undefined;
      if ('text' in found) return found;
      return readResolved(tree, found.real, found.stat, shown(found.real), say);
    },
    listFiles(name: string): readonly string[] | undefined {
      const say: Say = (r) => this.report?.(r);
      return entries(name, say)
        ?.filter((e) => !e.folder)
        .map((e) => e.name);
    },
    listFolders(name: string): readonly string[] | undefined {
      const say: Say = (r) => this.report?.(r);
      return entries(name, say)
        ?.filter((e) => e.folder)
        .map((e) => e.name);
    },
    whence(name: string): string {
      return missingFrom(spec, stages, top, path.posix.resolve(spec.workdir, name));
    },
  };
}

/**
 * Where each source of a `mv`/`cp` lands that holds image path `target`: the paths to look for
 * before the command, the folder reading first (`mv a.sh /usr/local/bin`).
 */
function placements(
  sources: readonly string[],
  dest: string,
  folder: 'yes' | 'no' | 'maybe',
  target: string,
): string[] {
  const out: string[] = [];
  for (const src of [...sources].reverse()) {
    const name = path.posix.basename(src);
    if (folder !== 'no') {
      const rest = below(target, dest);
      if (rest !== undefined && rest !== '') {
        const [first, ...more] = rest.split('/');
        const dir = path.posix.dirname(src);
        if (isGlob(src) ? !isGlob(dir) && matchName(name, first, false) : first === name)
          out.push(path.posix.join(dir, first, ...more));
      }
    }
    if (folder !== 'yes' && !isGlob(src)) {
      const rest = below(target, dest);
      if (rest !== undefined) out.push(rest === '' ? src : path.posix.join(src, rest));
    }
  }
  return out;
}

/** Whether `target` is `pattern` or below it; the pattern's last name may be a shell glob. */
function covers(pattern: string, target: string): boolean {
  if (!isGlob(pattern)) return below(target, pattern) !== undefined;
  const dir = path.posix.dirname(pattern);
  if (isGlob(dir)) return false;
  const rest = below(target, dir);
  if (rest === undefined || rest === '') return false;
  return matchName(path.posix.basename(pattern), rest.split('/')[0], false);
}

/**
 * Where an image path the Dockerfile does not provide may still come from: the base image, or a RUN
 * step (oneproc models only their simple file operations), naming the first RUN line that mentions
 * the file's name.
 */
function missingFrom(spec: ImageSpec, stages: readonly StageSpec[], top: number, target: string): string {
  const chain: StageSpec[] = [];
  for (
    let s: StageSpec | undefined = stages[top];
    s;
    s = s.parent !== undefined ? stages[s.parent] : undefined
  )
    chain.push(s);
  const base = chain[chain.length - 1]?.base ?? spec.base;
  const name = path.posix.basename(target);
  const runs = chain
    .flatMap((s) => s.runs ?? [])
    .filter((r) => r.text.includes(name))
    .map((r) => r.line)
    .sort((a, b) => a - b);
  const from = base && base !== 'scratch' ? `the base image ${base} or ` : '';
  return runs.length > 0
    ? `it may come from ${from}the RUN step at ${spec.file}:${runs[0]}, which mentions ${name}`
    : `it may come from ${from}a RUN step`;
}

/**
 * The COPY/ADD sources (plain paths, not globs) of the build context that `contextDir` does not hold,
 * for every stage: a context that holds them all is one `docker build` can build from.
 */
export function missingSources(spec: ImageSpec, contextDir: string): string[] {
  const tree = new Tree(contextDir);
  const missing: string[] = [];
  for (const stage of spec.stages ?? []) {
    for (const op of stage.ops) {
      if (op.op !== 'add' || !('context' in op.from)) continue;
      for (const src of op.sources) {
        if (isGlob(src) || missing.includes(src)) continue;
        if (resolve(tree, path.posix.join('/', src), { links: 0 }).kind !== 'found') missing.push(src);
      }
    }
  }
  return missing;
}
