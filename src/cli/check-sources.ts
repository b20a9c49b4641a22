/**
 * The part of `oneproc check` that reads what the image runs: Dockerfiles (and Containerfiles) found
 * in the folders it is given or named with `--dockerfile`, an unpacked image with `--image-root`, the
 * scripts they start and the config files those read. When exactly one image is known (one Dockerfile
 * found, `--dockerfile`, or `--image-root`), each manifest container is linked to it: the container's
 * command/args/env are merged with the image's as the kubelet does, and followed into the image.
 */
import { promises as fs, constants as fsConstants, realpathSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { findingKey } from '../findings';
import { exemptionOf, InputError, parseManifests, podSpecs } from '../manifest';
import { isFilePlace } from '../place';
import type { ServerRule } from '../rules/types';
import {
  type ComposeService,
  isComposeName,
  parseEnvFile,
  readCompose,
  serviceImage,
} from '../sources/compose';
import {
  type DockerfileBuild,
  findStage,
  type ImageEnv,
  type ImageSpec,
  imageOf,
  parseDockerfile,
  stageNames,
} from '../sources/dockerfile';
import { imageRootContext, missingSources, repositoryContext } from '../sources/files';
import { checkImage } from '../sources/image';
import { readImageConfig } from '../sources/image-config';
import { isProcfileName, parseProcfile } from '../sources/procfile';
import type { SourceContext, SourceReport } from '../sources/types';
import type { Finding, Note } from '../types';
import { leavesMessage, linkLeavesWorkingDirectory } from './paths';

/**
 * `Dockerfile`, `Containerfile`, `api.Dockerfile`, `Dockerfile.prod`, and the lowercase spellings
 * (`dockerfile`, which `docker build` also finds, and `python3.8.dockerfile`).
 */
export function isDockerfileName(file: string): boolean {
  const base = path.basename(file);
  return (
    /^(Dockerfile|Containerfile|dockerfile|containerfile)(\..+)?$/.test(base) ||
    /\.(dockerfile|containerfile)$/i.test(base)
  );
}

export interface SourcesInput {
  /** The paths the user named (files and folders; `-` is skipped). */
  readonly paths: readonly string[];
  /** The manifests read by `check`, to link to the image. */
  readonly manifests: ReadonlyArray<{ readonly name: string; readonly text: string; readonly json: boolean }>;
  /** Findings `check` already has, so a linked check does not report them twice. */
  readonly known: readonly Finding[];
  readonly dockerfile?: string;
  /** `--build-context DIR`: the folder `--dockerfile` is built from. */
  readonly buildContext?: string;
  /** `--target STAGE`: the stage of `--dockerfile` that runs. */
  readonly target?: string;
  readonly imageRoot?: string;
  readonly imageConfig?: string;
  readonly cwd: string;
  readonly rules?: readonly ServerRule[];
  readonly now?: Date;
}

export interface SourcesReport {
  readonly findings: Finding[];
  /** What could not be followed (scripts not in the image, files refused), each said once. */
  readonly notes: Note[];
  readonly errors: InputError[];
  /** Dockerfiles and image configs read. */
  readonly images: number;
  /** Compose services and Procfile process types checked. */
  readonly services: number;
}

interface Image {
  readonly spec: ImageSpec;
  readonly ctx: SourceContext;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git']);
const MAX_BYTES = 1024 * 1024;

export async function checkSources(input: SourcesInput): Promise<SourcesReport> {
  const errors: InputError[] = [];
  const findings: Finding[] = [];
  const notes: Note[] = [];
  const noted = new Set<string>();
  const onNote = (n: Note) => {
    const key = JSON.stringify([n.message, n.file, n.line, n.kind, n.namespace, n.name, n.container]);
    if (noted.has(key)) return;
    noted.add(key);
    notes.push(n);
  };
  const display = displayIn(input.cwd);

  const dockerfiles: string[] = [];
  const composes: string[] = [];
  const procfiles: string[] = [];
  /** The folder each Dockerfile was found in (the repository root for its build context). */
  const roots = new Map<string, string>();
  const walked: string[] = [];
  const addFound = (found: Found, root?: string) => {
    for (const f of found.dockerfiles) {
      if (root && !roots.has(f)) roots.set(f, root);
      if (!dockerfiles.includes(f)) dockerfiles.push(f);
    }
    for (const f of found.composes) if (!composes.includes(f)) composes.push(f);
    for (const f of found.procfiles) if (!procfiles.includes(f)) procfiles.push(f);
  };
  for (const p of input.paths) {
    if (p === '-') continue;
    const abs = path.resolve(input.cwd, p);
    try {
      const stat = await fs.stat(abs);
      const found: Found = { dockerfiles: [], composes: [], procfiles: [] };
      if (stat.isDirectory()) {
        walked.push(abs);
        await walk(abs, found);
        addFound(found, abs);
      } else {
        classify(abs, found);
        addFound(found);
      }
    } catch {
      // check reports unreadable paths itself
    }
  }

  // Compose files first: a service's `build` says which context and stage its Dockerfile is built with.
  const composed: ComposeRead[] = [];
  const hints = new Map<string, { context: string; file: string; line: number }>();
  for (const abs of composes) {
    const root = rootOf(abs, input.cwd, walked);
    const read = await readComposeFile(abs, root, display, onNote, input.cwd);
    if (!read) continue;
    composed.push(read);
    for (const service of read.compose.services) {
      if (!service.build || service.build.remote) continue;
      const context = path.resolve(path.dirname(abs), service.build.context);
      const dockerfile = path.resolve(context, service.build.dockerfile);
      if (!within(root, context) || !within(root, dockerfile)) continue;
      if (!hints.has(dockerfile)) hints.set(dockerfile, { context, file: read.name, line: service.line });
      if (!dockerfiles.includes(dockerfile)) dockerfiles.push(dockerfile);
    }
  }

  const named = input.dockerfile ? path.resolve(input.cwd, input.dockerfile) : undefined;
  if (named && !dockerfiles.includes(named)) dockerfiles.push(named);

  const images = new Map<string, Image>();
  const contexts = new Map<string, string>();
  const builds = new Map<string, DockerfileBuild>();
  /** Each Dockerfile's text, parsed again for a compose service that gives build arguments. */
  const texts = new Map<string, string>();
  for (const abs of dockerfiles) {
    const name = display(abs);
    try {
      const text = (await readNamed(abs, display, input.cwd)).text;
      const build = parseDockerfile(text, name);
      builds.set(abs, build);
      texts.set(abs, text);
      const target = abs === named ? input.target : undefined;
      if (target !== undefined && findStage(build, target) === undefined) {
        throw new InputError(
          `has no stage ${JSON.stringify(target)} for --target (its stages: ${stageNames(build).join(', ') || 'none'})`,
          name,
        );
      }
      const spec = imageOf(build, target);
      const hint = hints.get(abs);
      const context =
        abs === named && input.buildContext !== undefined
          ? await namedContext(path.resolve(input.cwd, input.buildContext), display)
          : hint
            ? composeContext(spec, abs, hint, display)
            : discoverContext(spec, abs, roots.get(abs) ?? rootOf(abs, input.cwd, walked), display);
      contexts.set(abs, context.dir);
      for (const n of context.notes) onNote(n);
      for (const n of spec.notes ?? []) onNote({ message: n.message, file: spec.file, line: n.line });
      images.set(abs, { spec, ctx: repositoryContext(spec, context.dir, display) });
    } catch (err) {
      errors.push(
        err instanceof InputError ? err : new InputError(`cannot be read: ${(err as Error).message}`, name),
      );
    }
  }

  let link: Image | undefined;
  if (input.imageRoot) {
    const root = path.resolve(input.cwd, input.imageRoot);
    const rootStat = await fs.stat(root).catch((err: NodeJS.ErrnoException) => err.code ?? 'EIO');
    if (typeof rootStat === 'string' || !rootStat.isDirectory()) {
      errors.push(
        new InputError(
          rootStat === 'ENOENT' || rootStat === 'ENOTDIR'
            ? 'no such folder: --image-root names the folder of an unpacked image filesystem'
            : typeof rootStat === 'string'
              ? `cannot be read (${rootStat})`
              : 'is not a folder: --image-root names the folder of an unpacked image filesystem',
          display(root),
        ),
      );
    } else {
      try {
        const config = input.imageConfig
          ? await readNamed(path.resolve(input.cwd, input.imageConfig), display, input.cwd)
          : imageConfigBeside(root, display);
        if (!config) {
          throw new InputError(
            'has no image config: name it with --image-config FILE (Entrypoint, Cmd, Env, WorkingDir); there is no config.json in it or beside it',
            display(root),
          );
        }
        const spec = readImageConfig(config.text, config.path);
        link = { spec, ctx: imageRootContext(root, spec.workdir) };
      } catch (err) {
        errors.push(
          err instanceof InputError
            ? err
            : new InputError(`cannot be read: ${(err as Error).message}`, display(root)),
        );
      }
    }
  } else if (input.dockerfile) {
    link = images.get(path.resolve(input.cwd, input.dockerfile));
  } else if (images.size === 1) {
    link = [...images.values()][0];
  }

  // Built on the first finding the image adds: a file of manifests alone (thousands of findings, no
  // image) never needs it.
  let seen: Set<string> | undefined;
  const add = (f: Finding, workload?: string) => {
    seen ??= new Set(input.known.map((k) => keyOf(k)));
    const key = keyOf(f, workload);
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
  };

  let linked = 0;
  if (link) {
    for (const manifest of input.manifests) {
      const { documents } = parseManifests(manifest.text, manifest.name, { json: manifest.json });
      for (const doc of documents) {
        for (const pod of podSpecs(doc.value)) {
          const meta = (pod.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
          const exemption = exemptionOf(pod.metadata, input.now ?? new Date());
          for (const ref of pod.containers) {
            if (typeof ref.value !== 'object' || ref.value === null) continue;
            linked++;
            const at = doc.locate(ref.path);
            const found = await checkImage(link.spec, link.ctx, {
              container: ref.value as Record<string, unknown>,
              containerPath: ref.path,
              containerLocation: `${manifest.name}:${at.line}`,
              rules: input.rules,
              onNote,
              origin: {
                file: manifest.name,
                document: doc.index,
                kind: pod.kind,
                ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
                ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
                ...(ref.name ? { container: ref.name } : {}),
              },
            });
            for (const f of found) {
              let finding = f;
              if (!isFilePlace(f.at)) {
                const { line, column } = doc.locate(f.path);
                finding = { ...f, origin: { ...f.origin, file: manifest.name, line, column } };
              }
              if (exemption.state === 'exempt')
                finding = { ...finding, exempted: { ...exemption.exemption } };
              add(finding, `${manifest.name}|${doc.index}|${ref.path}`);
            }
          }
        }
      }
    }
  }
  // Each image also on its own, as `docker run IMAGE` runs it — unless manifests ran it already.
  // A Dockerfile that compose services build is checked as each service runs it, with its target.
  for (const [abs, image] of images) {
    if (image === link && linked > 0) continue;
    if (hints.has(abs)) continue;
    // Each image is its own workload: a script two Dockerfiles run is reported for each of them.
    for (const f of await checkImage(image.spec, image.ctx, {
      rules: input.rules,
      onNote,
      origin: { file: image.spec.file },
    }))
      add(f, image.spec.file);
  }
  if (link && ![...images.values()].includes(link) && linked === 0) {
    for (const f of await checkImage(link.spec, link.ctx, {
      rules: input.rules,
      onNote,
      origin: { file: link.spec.file },
    }))
      add(f, link.spec.file);
  }
  // Each compose service, as `docker compose up` starts it.
  let services = 0;
  for (const read of composed) {
    for (const service of read.compose.services) {
      for (const n of service.notes)
        onNote({
          message: n.message,
          file: read.name,
          line: n.line,
          kind: 'compose service',
          name: service.name,
        });
      const origin = { file: read.name, kind: 'compose service', name: service.name };
      let built: Image | undefined;
      if (service.build?.remote) {
        onNote({
          message: `service ${service.name} is built from ${service.build.context}, a remote build context that oneproc does not fetch, so ${service.entrypoint || service.command ? 'only its own entrypoint and command were checked' : 'what it runs was not checked'}`,
          line: service.line,
          ...origin,
        });
        if (!service.entrypoint && !service.command) continue;
      } else if (service.build) {
        const context = path.resolve(path.dirname(read.abs), service.build.context);
        const dockerfile = path.resolve(context, service.build.dockerfile);
        if (!within(read.root, context) || !within(read.root, dockerfile)) {
          onNote({
            message: `service ${service.name} is built from ${display(within(read.root, context) ? dockerfile : context)}, outside the folder being checked (${display(read.root)}), which oneproc does not read, so it was not checked`,
            line: service.line,
            ...origin,
          });
          continue;
        }
        const read0 = builds.get(dockerfile);
        if (!read0) continue; // its Dockerfile could not be read: an input error says why
        // `build.args` are the `--build-arg`s this service's image is built with.
        const text = texts.get(dockerfile);
        const build =
          service.build.args && text !== undefined
            ? parseDockerfile(text, read0.file, service.build.args, service.build.argPlaces)
            : read0;
        if (service.build.target !== undefined && findStage(build, service.build.target) === undefined) {
          errors.push(
            new InputError(
              `service ${service.name}: build.target ${JSON.stringify(service.build.target)} is not a stage of ${display(dockerfile)} (its stages: ${stageNames(build).join(', ') || 'none'})`,
              read.name,
            ),
          );
          continue;
        }
        const spec = imageOf(build, service.build.target);
        if (build !== read0)
          for (const n of spec.notes ?? []) onNote({ message: n.message, file: spec.file, line: n.line });
        built = { spec, ctx: repositoryContext(spec, contexts.get(dockerfile) ?? context, display) };
      } else if (!service.entrypoint && !service.command) {
        onNote({
          message: service.image
            ? `service ${service.name} runs the image ${service.image} as it is, which oneproc cannot see, so what it runs was not checked`
            : `service ${service.name} has no build, image, entrypoint or command (an override file?), so nothing was checked`,
          line: service.line,
          ...origin,
        });
        continue;
      }
      services++;
      const envFile = await envFiles(service, read, display, onNote, input.cwd);
      const spec = serviceImage(service, read.name, built?.spec, envFile);
      const ctx =
        built?.ctx ??
        emptyImage(service.build?.remote ? `built from ${service.build.context}` : (service.image ?? ''));
      for (const f of await checkImage(spec, ctx, { rules: input.rules, onNote, origin }))
        add(f, `${read.name}|${service.name}`);
    }
  }
  // A Procfile with no Dockerfile beside it declares what a buildpack platform runs: each process type.
  for (const abs of procfiles) {
    const dir = path.dirname(abs);
    if (dockerfiles.some((d) => path.dirname(d) === dir)) continue;
    let text: string;
    try {
      text = (await readNamed(abs, display, input.cwd)).text;
    } catch (err) {
      errors.push(
        err instanceof InputError
          ? err
          : new InputError(`cannot be read: ${(err as Error).message}`, display(abs)),
      );
      continue;
    }
    const name = display(abs);
    const ctx = imageRootContext(dir, '/');
    for (const entry of parseProcfile(text)) {
      services++;
      const spec: ImageSpec = {
        file: name,
        cmd: { words: ['/bin/sh', '-c', entry.command], shell: true, line: entry.line },
        env: [],
        workdir: '/',
        copies: [],
        base: '',
      };
      for (const f of await checkImage(spec, ctx, {
        rules: input.rules,
        onNote,
        origin: { file: name, kind: 'Procfile', name: entry.name },
      }))
        add(f, `${name}|${entry.name}`);
    }
  }
  return { findings, notes, errors, images: images.size + (input.imageRoot && link ? 1 : 0), services };
}

interface Found {
  dockerfiles: string[];
  composes: string[];
  procfiles: string[];
}

function classify(abs: string, found: Found): void {
  if (isDockerfileName(abs)) found.dockerfiles.push(abs);
  else if (isComposeName(abs)) found.composes.push(abs);
  else if (isProcfileName(abs)) found.procfiles.push(abs);
}

interface ComposeRead {
  readonly abs: string;
  /** The folder being checked that holds it: its env files and build contexts must lie inside. */
  readonly root: string;
  readonly name: string;
  readonly compose: ReturnType<typeof readCompose>;
}

/** A compose file and the `.env` beside it (compose's interpolation values); undefined if unreadable. */
async function readComposeFile(
  abs: string,
  root: string,
  display: (abs: string) => string,
  onNote: (n: Note) => void,
  cwd: string,
): Promise<ComposeRead | undefined> {
  const name = display(abs);
  let text: string;
  try {
    text = (await readNamed(abs, display, cwd)).text;
  } catch (err) {
    onNote({ message: `not read: ${(err as Error).message}`, file: name });
    return undefined;
  }
  const dotenv = new Map<string, string>();
  const envPath = path.join(path.dirname(abs), '.env');
  const env = await readNamed(envPath, display, cwd).catch(() => undefined);
  if (env) for (const [k, v] of parseEnvFile(env.text)) dotenv.set(k, v.value);
  const compose = readCompose(text, name, dotenv);
  if (compose.error) {
    onNote({ message: `not read as a compose file: it ${compose.error}`, file: name });
    return undefined;
  }
  return { abs, root, name, compose };
}

/** Whether `abs` is `root` or below it, by name and by its real path (links do not lead out). */
function within(root: string, abs: string): boolean {
  const inside = (p: string, r: string) => p === r || p.startsWith(r.endsWith(path.sep) ? r : r + path.sep);
  if (!inside(abs, root)) return false;
  let real: string;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return false;
  }
  try {
    real = realpathSync(abs);
  } catch {
    return true; // not there: reading it says so
  }
  return inside(real, realRoot);
}

/** The values of a service's `env_file` files (each relative to the compose file's folder). */
async function envFiles(
  service: ComposeService,
  read: ComposeRead,
  display: (abs: string) => string,
  onNote: (n: Note) => void,
  cwd: string,
): Promise<ImageEnv[]> {
  const out: ImageEnv[] = [];
  for (const file of service.envFiles) {
    const abs = path.resolve(path.dirname(read.abs), file.path);
    const env = within(read.root, abs)
      ? await readNamed(abs, display, cwd).catch((err: Error) => err)
      : new Error(
          `: is outside the folder being checked (${display(read.root)}), which oneproc does not read`,
        );
    if (env instanceof Error) {
      if (file.required)
        onNote({
          message: `service ${service.name}: env_file ${file.path} ${env.message.replace(/^.*?: /, '')}, so the variables it sets are not known`,
          file: read.name,
          line: file.line,
          kind: 'compose service',
          name: service.name,
        });
      continue;
    }
    for (const [name, v] of parseEnvFile(env.text)) {
      const at = out.findIndex((e) => e.name === name);
      if (at >= 0) out.splice(at, 1);
      out.push({ name, value: v.value, line: v.line, file: env.path, source: 'config', key: name });
    }
  }
  return out;
}

/** The files of an image oneproc cannot see (a compose service's `image:`): none, and it says whence. */
function emptyImage(image: string): SourceContext {
  return {
    workdir: '/',
    source: 'image',
    readFile: () => undefined,
    whence: () =>
      image ? `it may come from the image ${image}, which oneproc cannot see` : 'no image is known',
  };
}

/** The build context a compose service names for a Dockerfile, said when it is not the Dockerfile's folder. */
function composeContext(
  spec: ImageSpec,
  dockerfile: string,
  hint: { context: string; file: string; line: number },
  display: (abs: string) => string,
): { dir: string; notes: Note[] } {
  if (hint.context === path.dirname(dockerfile)) return { dir: hint.context, notes: [] };
  return {
    dir: hint.context,
    notes: [
      {
        message: `built from ${display(hint.context)}, the build.context that ${hint.file}:${hint.line} gives it`,
        file: spec.file,
      },
    ],
  };
}

/**
 * A finding from an image file (`start.sh:2`) that two workloads run is kept for each: its identity
 * takes the workload's place in its manifest (`findingKey`'s scope). A finding with a Kubernetes
 * field path carries that place in the path itself, and must match the manifest check's own.
 */
function keyOf(f: Finding, workload?: string): string {
  return findingKey(f, isFilePlace(f.at) ? workload : undefined);
}

/** The repository root of a Dockerfile named on its own: the folder checked that holds it, or the working directory. */
function rootOf(abs: string, cwd: string, walked: readonly string[]): string {
  const inside = (dir: string) => abs.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
  const folder = walked.find(inside);
  if (folder) return folder;
  return inside(path.resolve(cwd)) ? path.resolve(cwd) : path.dirname(abs);
}

/** `--build-context DIR`: it must be a folder. */
async function namedContext(
  dir: string,
  display: (abs: string) => string,
): Promise<{ dir: string; notes: Note[] }> {
  const stat = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => err.code ?? 'EIO');
  if (typeof stat === 'string' || !stat.isDirectory()) {
    throw new InputError(
      stat === 'ENOENT' || stat === 'ENOTDIR'
        ? 'no such folder: --build-context names the folder the Dockerfile is built from'
        : typeof stat === 'string'
          ? `cannot be read (${stat})`
          : 'is not a folder: --build-context names the folder the Dockerfile is built from',
      display(dir),
    );
  }
  return { dir, notes: [] };
}

/**
 * The build context of a Dockerfile no one named one for: the first folder, from the Dockerfile's own
 * up to the repository root, that holds every file its COPY and ADD name (a Dockerfile kept in
 * `docker/` is usually built from the root: `docker build -f docker/Dockerfile .`). When no folder
 * holds them all, the root, with a note naming what is missing. A context other than the Dockerfile's
 * folder is said, so a user who builds it otherwise knows to say `--build-context`.
 */
function discoverContext(
  spec: ImageSpec,
  dockerfile: string,
  root: string,
  display: (abs: string) => string,
): { dir: string; notes: Note[] } {
  const own = path.dirname(dockerfile);
  const candidates: string[] = [];
  for (let dir = own; ; dir = path.dirname(dir)) {
    candidates.push(dir);
    if (dir === root || path.dirname(dir) === dir || !dockerfile.startsWith(root + path.sep)) break;
  }
  const shown = (dir: string) => (display(dir) === '.' ? 'the working directory (.)' : display(dir));
  let first: string[] | undefined;
  for (const dir of candidates) {
    const missing = missingSources(spec, dir);
    first ??= missing;
    if (missing.length > 0) continue;
    if (dir === own) return { dir, notes: [] };
    return {
      dir,
      notes: [
        {
          message: `built from ${shown(dir)}, the nearest folder that holds every file its COPY and ADD name (${shown(own)} does not hold ${listed(first)}); name another with --build-context DIR`,
          file: spec.file,
        },
      ],
    };
  }
  const top = candidates[candidates.length - 1];
  // Built from its own folder, the only one there is: each file a reader needs and does not find is said.
  if (candidates.length === 1) return { dir: top, notes: [] };
  const missing = missingSources(spec, top);
  return {
    dir: top,
    notes: [
      {
        message: `no folder from ${shown(own)} up to ${shown(top)} holds every file its COPY and ADD name; oneproc used ${shown(top)}, which does not hold ${listed(missing)}, so what is copied from there was not followed; name the build context with --build-context DIR`,
        file: spec.file,
      },
    ],
  };
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

async function walk(dir: string, out: Found): Promise<void> {
  // A folder that cannot be read is reported by check's own walk; the other folders are still searched.
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(child, out);
    } else if (entry.isFile()) {
      classify(child, out);
    }
  }
}

/**
 * Names inside the working directory are shown relative to it (`app/Dockerfile`); others by their
 * absolute path (`/dev/zero`), never as a climb of `../` that hides where they are.
 */
export function displayIn(cwd: string): (abs: string) => string {
  const base = path.resolve(cwd);
  const prefix = base.endsWith(path.sep) ? base : base + path.sep;
  return (abs: string) => (abs === base ? '.' : abs.startsWith(prefix) ? abs.slice(prefix.length) : abs);
}

/**
 * A file the user named (a Dockerfile, an image config): read whole up to the size limit. Refused
 * unless it is a regular file before it is opened, so a device or a pipe (`/dev/zero`, a FIFO) is never
 * opened or read; opened without blocking and checked again, and read no further than the limit.
 */
async function readNamed(
  abs: string,
  display: (abs: string) => string,
  cwd: string,
): Promise<{ path: string; text: string }> {
  const name = display(abs);
  const cannot = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    return new InputError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'no such file or folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read (permission denied)'
          : `cannot be read (${code ?? (err as Error).message})`,
      name,
    );
  };
  const regular = (stat: Stats) => {
    if (stat.isDirectory()) throw new InputError('is a folder, not a file', name);
    if (!stat.isFile()) throw new InputError(`is ${kindOf(stat)}, not a regular file`, name);
    if (stat.size > MAX_BYTES) {
      throw new InputError(`is too large (${stat.size} bytes; the limit is ${MAX_BYTES})`, name);
    }
  };
  const outside = await linkLeavesWorkingDirectory(abs, cwd);
  if (outside !== undefined) throw new InputError(leavesMessage(outside), name);
  regular(await fs.stat(abs).catch((err) => Promise.reject(cannot(err))));
  const handle = await fs
    .open(abs, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
    .catch((err) => Promise.reject(cannot(err)));
  try {
    regular(await handle.stat());
    const buf = Buffer.alloc(MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_BYTES) throw new InputError(`is too large (more than ${MAX_BYTES} bytes)`, name);
    }
    const bytes = buf.subarray(0, length);
    if (bytes.includes(0)) throw new InputError('is binary, not a text file', name);
    return { path: name, text: bytes.toString('utf8') };
  } finally {
    await handle.close();
  }
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The image config of an unpacked image when none is named: `config.json` at the image's root, or
 * beside it. Each is read through the file boundary of its folder, so a link there cannot make oneproc
 * read a file outside it; one that cannot be read is an input error naming why.
 */
function imageConfigBeside(
  root: string,
  display: (abs: string) => string,
): { path: string; text: string } | undefined {
  for (const dir of [root, path.dirname(root)]) {
    const problems: SourceReport[] = [];
    const ctx = imageRootContext(dir, '/');
    const file = { ...ctx, report: (r: SourceReport) => problems.push(r) }.readFile('/config.json');
    const shown = display(path.join(dir, 'config.json'));
    if (file) return { path: shown, text: file.text };
    if (problems.length > 0) {
      throw new InputError(
        `cannot be used as the image config: ${problems.map((p) => p.message).join('; ')}`,
        shown,
      );
    }
  }
  return undefined;
}
