/**
 * The IO edge of the sources readers: a `SourceContext` over a repository (through a Dockerfile's
 * COPY/ADD instructions) or over an unpacked image filesystem. Files are read once, capped in size,
 * and never outside the folder they were given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageSpec } from './dockerfile';
import type { SourceContext, SourceFile } from './types';

/** Larger files are not scripts or config files; they are not read. */
const MAX_SOURCE_BYTES = 1024 * 1024;

/**
 * Files of the image built from `spec` by `docker build CONTEXT`: an image path is mapped back to the
 * build context through the COPY/ADD instructions of the final stage (the last one that covers the path
 * wins, as it does in the image). `display` makes repository-relative names for findings.
 */
export function repositoryContext(
  spec: ImageSpec,
  contextDir: string,
  display: (abs: string) => string,
): SourceContext {
  const cache = new Map<string, SourceFile | undefined>();
  const read = (abs: string): SourceFile | undefined => {
    if (!cache.has(abs)) cache.set(abs, readCapped(abs, display(abs)));
    return cache.get(abs);
  };
  const root = path.resolve(contextDir);
  return {
    workdir: spec.workdir,
    source: 'repository',
    readFile(name: string): SourceFile | undefined {
      const target = path.posix.resolve(spec.workdir, name);
      for (const copy of [...spec.copies].reverse()) {
        if (copy.fromStage) continue;
        for (const src of copy.sources) {
          if (/[*?[]/.test(src) || /^https?:\/\//.test(src)) continue;
          const local = path.resolve(root, src);
          if (!local.startsWith(root)) continue;
          const dest = copy.dest;
          let candidate: string | undefined;
          if (target === dest) candidate = isDir(local) ? undefined : local;
          else if (target.startsWith(dest.endsWith('/') ? dest : `${dest}/`)) {
            const rel = target.slice(dest.replace(/\/$/, '').length + 1);
            // A file copied into a folder keeps its name (with several sources, the destination is a folder).
            const intoFolder = dest.endsWith('/') || copy.sources.length > 1;
            candidate = isDir(local)
              ? path.join(local, rel)
              : intoFolder && rel === path.basename(src)
                ? local
                : undefined;
          }
          if (candidate?.startsWith(root)) {
            const file = read(candidate);
            if (file) return file;
          }
        }
      }
      return undefined;
    },
    listFiles(name: string): readonly string[] | undefined {
      const target = path.posix.resolve(spec.workdir, name);
      const names = new Set<string>();
      let known = false;
      for (const copy of spec.copies) {
        if (copy.fromStage) continue;
        for (const src of copy.sources) {
          if (/[*?[]/.test(src) || /^https?:\/\//.test(src)) continue;
          const local = path.resolve(root, src);
          if (!local.startsWith(root)) continue;
          const dest = copy.dest.replace(/(.)\/$/, '$1');
          if (isDir(local)) {
            // A folder's contents land in the destination folder.
            const rel =
              target === dest
                ? ''
                : target.startsWith(`${dest}/`)
                  ? target.slice(dest.length + 1)
                  : undefined;
            if (rel === undefined) continue;
            const dir = path.join(local, rel);
            if (!dir.startsWith(root)) continue;
            const entries = listDir(dir);
            if (entries) known = true;
            for (const entry of entries ?? []) names.add(entry);
          } else {
            const intoFolder = copy.dest.endsWith('/') || copy.sources.length > 1;
            const placed = intoFolder ? path.posix.join(dest, path.basename(src)) : dest;
            if (path.posix.dirname(placed) === target) {
              known = true;
              names.add(path.posix.basename(placed));
            }
          }
        }
      }
      return known ? [...names].sort() : undefined;
    },
  };
}

/** The names of the regular files directly in a local folder, or undefined when it is not one. */
function listDir(dir: string): string[] | undefined {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return undefined;
  }
}

/** Files of an unpacked image filesystem (`--image-root DIR`): image paths are paths below DIR. */
export function imageRootContext(rootDir: string, workdir: string): SourceContext {
  const root = path.resolve(rootDir);
  return {
    workdir,
    source: 'image',
    readFile(name: string): SourceFile | undefined {
      const target = path.posix.resolve(workdir, name);
      const abs = path.join(root, target);
      if (!abs.startsWith(root)) return undefined;
      return readCapped(abs, target);
    },
    listFiles(name: string): readonly string[] | undefined {
      const abs = path.join(root, path.posix.resolve(workdir, name));
      return abs.startsWith(root) ? listDir(abs) : undefined;
    },
  };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readCapped(abs: string, shown: string): SourceFile | undefined {
  try {
    const stat = fs.statSync(abs);
    if (!stat.isFile() || stat.size > MAX_SOURCE_BYTES) return undefined;
    const text = fs.readFileSync(abs, 'utf8');
    if (text.includes('\0')) return undefined;
    return { path: shown, text };
  } catch {
    return undefined;
  }
}
