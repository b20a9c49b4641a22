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
import type { ImageSpec } from './dockerfile';
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

/** The regular files and links directly in a resolved folder (links are resolved when read). */
function listResolved(tree: Tree, real: string, shown: string, say: Say): string[] | undefined {
  try {
    return fs
      .readdirSync(tree.host(real), { withFileTypes: true })
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => e.name);
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
      const say: Say = (r) => this.report?.(r);
      const target = path.posix.resolve(workdir, name);
      const r = resolve(tree, target, { links: 0 });
      if (r.kind !== 'found') {
        explain(r, target, say);
        return undefined;
      }
      return r.stat.isDirectory() ? listResolved(tree, r.real, target, say) : undefined;
    },
  };
}

/** Where an image path lands in a COPY/ADD source of the build context. */
type Copied =
  | { readonly kind: 'found'; readonly real: string; readonly stat: fs.Stats }
  /** A link copied as a link (inside a copied folder): in the image it points at `image`. */
  | { readonly kind: 'link'; readonly image: string; readonly at: string; readonly target: string }
  | { readonly kind: 'none' };

/**
 * Files of the image built from `spec` by `docker build CONTEXT`: an image path is mapped back to the
 * build context through the COPY/ADD instructions of the final stage (the last one that covers the path
 * wins, as it does in the image). `display` makes repository-relative names for findings.
 *
 * Each source is read as BuildKit reads it (frontend/dockerfile/dockerfile2llb/convert.go:
 * `llb.Copy(…, filepath.Join("/", src), dest, &llb.CopyInfo{FollowSymlinks: true, …})`, and
 * tonistiigi/fsutil copy/copy.go `rootPath`: the source is joined under the context root and its links
 * are followed bounded to that root): `COPY ../secrets/start.sh` is `<context>/secrets/start.sh`, never a
 * sibling folder of the context. Inside a copied folder, fsutil's copier recreates each link as a link
 * (`os.Symlink(link, target)`), so there a link's target is an image path, looked up through the COPY
 * instructions again (taken lexically: `..` is not checked against links of the image).
 */
export function repositoryContext(
  spec: ImageSpec,
  contextDir: string,
  display: (abs: string) => string,
): SourceContext {
  const tree = new Tree(contextDir);
  const shown = (rel: string) => display(tree.shown(rel));
  const copies = spec.copies.filter((c) => !c.fromStage);
  const plain = (src: string) => !/[*?[]/.test(src) && !/^https?:\/\//.test(src);

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
  const below = (dir: string, image: string, rel: string[], budget: Budget): Copied | 'loop' => {
    let real = dir;
    let stat: fs.Stats | undefined;
    for (let i = 0; i < rel.length; i++) {
      const at = path.posix.join(real, rel[i]);
      const imageAt = path.posix.join(image, ...rel.slice(0, i + 1));
      const entry = tree.lstat(at);
      if (!entry.ok) return { kind: 'none' };
      const st = entry.value;
      if (st.isSymbolicLink()) {
        if (++budget.links > MAX_LINKS) return 'loop';
        const read = tree.readlink(at);
        if (!read.ok) return { kind: 'none' };
        const target = read.value;
        const base = target.startsWith('/') ? target : path.posix.join(path.posix.dirname(imageAt), target);
        return { kind: 'link', image: path.posix.resolve('/', base, ...rel.slice(i + 1)), at, target };
      }
      if (!st.isDirectory() && i < rel.length - 1) return { kind: 'none' };
      real = at;
      stat = st;
    }
    return stat ? { kind: 'found', real, stat } : { kind: 'none' };
  };

  /**
   * Where image path `target` comes from in the context: the last COPY that holds it (a file or a
   * folder), or the link of the image that stands there.
   */
  const locate = (target: string, budget: Budget, say: Say): Copied | 'loop' => {
    for (const copy of [...copies].reverse()) {
      const dest = copy.dest.length > 1 ? copy.dest.replace(/\/+$/, '') : copy.dest;
      // A file copied into a folder keeps its name (with several sources, the destination is a folder).
      const intoFolder = copy.dest.endsWith('/') || copy.sources.length > 1;
      for (const src of copy.sources) {
        if (!plain(src)) continue;
        const under =
          target === dest
            ? ''
            : target.startsWith(dest === '/' ? '/' : `${dest}/`)
              ? target.slice(dest === '/' ? 1 : dest.length + 1)
              : undefined;
        if (under === undefined) continue;
        // A source that cannot be resolved fails the build; `source` has said why.
        const r = source(src, say);
        if (r.kind !== 'found') continue;
        if (r.stat.isDirectory()) {
          // A folder's contents land in the destination folder.
          if (under === '') return { kind: 'found', real: r.real, stat: r.stat };
          const hit = below(r.real, dest, under.split('/'), budget);
          if (hit === 'loop' || hit.kind !== 'none') return hit;
        } else if (intoFolder ? under === path.posix.basename(src) : under === '') {
          return { kind: 'found', real: r.real, stat: r.stat };
        }
      }
    }
    return { kind: 'none' };
  };

  /**
   * Follows links of the image until a file of the context is reached: `none` when no COPY provides
   * the path, `said` when a note already says why it was not followed.
   */
  const find = (
    target: string,
    budget: Budget,
    say: Say,
  ): { real: string; stat: fs.Stats } | 'none' | 'said' => {
    const hit = locate(target, budget, say);
    if (hit === 'loop') {
      say({
        level: 'note',
        message: `${target}: more than ${MAX_LINKS} symbolic links were met resolving it (a loop?), so it was not followed`,
      });
      return 'said';
    }
    if (hit.kind !== 'link') return hit.kind === 'found' ? hit : 'none';
    const next = find(hit.image, budget, say);
    if (next === 'none') {
      say({
        level: 'note',
        message: `${shown(hit.at)} is a symbolic link to ${hit.target}: in the image that is ${hit.image}, which the Dockerfile's COPY and ADD do not provide, so it was not followed`,
        file: shown(hit.at),
      });
      return 'said';
    }
    return next;
  };

  return {
    workdir: spec.workdir,
    source: 'repository',
    readFile(name: string): SourceFile | undefined {
      const say: Say = (r) => this.report?.(r);
      const found = find(path.posix.resolve(spec.workdir, name), { links: 0 }, say);
      if (typeof found === 'string') return undefined;
      return readResolved(tree, found.real, found.stat, shown(found.real), say);
    },
    listFiles(name: string): readonly string[] | undefined {
      const say: Say = (r) => this.report?.(r);
      const target = path.posix.resolve(spec.workdir, name);
      const names = new Set<string>();
      let known = false;
      for (const copy of copies) {
        const dest = copy.dest.length > 1 ? copy.dest.replace(/\/+$/, '') : copy.dest;
        const intoFolder = copy.dest.endsWith('/') || copy.sources.length > 1;
        for (const src of copy.sources) {
          if (!plain(src)) continue;
          const placed = intoFolder ? path.posix.join(dest, path.posix.basename(src)) : dest;
          const covers = target === dest || target.startsWith(dest === '/' ? '/' : `${dest}/`);
          if (!covers && path.posix.dirname(placed) !== target) continue;
          const r = source(src, say);
          if (r.kind !== 'found') continue;
          if (r.stat.isDirectory()) {
            if (!covers) continue;
            const rel = target === dest ? [] : target.slice(dest === '/' ? 1 : dest.length + 1).split('/');
            let dir: Copied | 'loop' = { kind: 'found', real: r.real, stat: r.stat };
            if (rel.length > 0) dir = below(r.real, dest, rel, { links: 0 });
            if (dir === 'loop' || dir.kind !== 'found') {
              // A folder reached through a link of the image: list where the link points.
              const elsewhere =
                dir !== 'loop' && dir.kind === 'link' ? find(dir.image, { links: 0 }, say) : 'none';
              if (typeof elsewhere === 'string' || !elsewhere.stat.isDirectory()) continue;
              dir = { kind: 'found', ...elsewhere };
            }
            if (!dir.stat.isDirectory()) continue;
            const entries = listResolved(tree, dir.real, shown(dir.real), say);
            if (entries) known = true;
            for (const entry of entries ?? []) names.add(entry);
          } else if (path.posix.dirname(placed) === target) {
            known = true;
            names.add(path.posix.basename(placed));
          }
        }
      }
      return known ? [...names].sort() : undefined;
    },
  };
}
