/**
 * Compose files (`compose.yaml`, `docker-compose.yml`, …) → each service as a container: the image it
 * builds (`build.context`, `build.dockerfile`, `build.target`) or names (`image`), with the
 * service's `entrypoint`, `command`, `environment`, `env_file` and `working_dir` over the image's.
 * Pure: text in, data out; never throws.
 *
 * The Compose Specification (compose-spec/compose-spec `spec.md`, and docker/compose's compose-go
 * loader) is followed for:
 * - `build` as a string (the context) or an object; `dockerfile` relative to the context, default
 *   `Dockerfile`; the context relative to the compose file's folder, or a remote one (a Git
 *   repository or URL: `https://…`, `git://…`, `github.com/…`, `git@…`, `ssh://…`, as moby's
 *   `urlutil.IsGitURL`/`IsURL` and compose-spec `build.md` "context" read it), which is not fetched;
 *   `args` (a list of `KEY=VALUE`, or a map) as `--build-arg`s, `KEY` alone taken from the shell;
 * - `extends` (compose-spec `extends.md`): a service of the same file (`extends: NAME` or
 *   `{service: NAME}`) is the base its own keys are merged over — maps such as `environment` and
 *   `build` key by key, every other key replaced; one from another `file` is not read, and said;
 * - `entrypoint` overrides the image's ENTRYPOINT and clears its CMD; `command` overrides the CMD;
 *   a string is split into words by go-shellwords (quotes and backslashes, no shell); a list is taken
 *   as is;
 * - `environment` as a list (`KEY=VALUE`, or `KEY` alone taken from the shell) or a map; `env_file`
 *   files (`KEY=VALUE` lines, `#` comments) apply first, `environment` wins;
 * - interpolation of `${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`,
 *   `${VAR+alt}`, `${VAR:?err}` and `$$` in every value, from the project's `.env` file; a variable
 *   that is set in neither stays as written and is said.
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { isObject } from '../shell/kubernetes';
import {
  type BuildArgPlace,
  type ImageEnv,
  type ImageSpec,
  knownBaseOf,
  type RunSpec,
  splitWords,
} from './dockerfile';

/** Services read per compose file; more is not a real project. */
export const MAX_SERVICES = 200;

export interface ComposeService {
  readonly name: string;
  /** 1-based line of the service's key. */
  readonly line: number;
  /** Set when the service builds its image. Paths are relative to the compose file's folder. */
  readonly build?: {
    readonly context: string;
    readonly dockerfile: string;
    readonly target?: string;
    /** `build.args`: the build arguments the Dockerfile's ARGs take. */
    readonly args?: ReadonlyMap<string, string>;
    /** Where each of `args` is written, so that what a Dockerfile sets from one points here. */
    readonly argPlaces?: ReadonlyMap<string, BuildArgPlace>;
    /** Set when the context is a Git repository or URL: nothing of it is read. */
    readonly remote?: boolean;
  };
  /** The image it names (and, with `build`, tags). */
  readonly image?: string;
  readonly entrypoint?: RunSpec;
  readonly command?: RunSpec;
  readonly environment: readonly ImageEnv[];
  /** `env_file` entries, relative to the compose file's folder, with the line that names each. */
  readonly envFiles: readonly { readonly path: string; readonly line: number; readonly required: boolean }[];
  readonly workdir?: string;
  /** What could not be known (a variable compose takes from the shell), said as notes. */
  readonly notes: readonly { readonly message: string; readonly line: number }[];
}

export interface ComposeFile {
  readonly services: readonly ComposeService[];
  /** Set when the file is not a compose file (no `services` map) or cannot be parsed. */
  readonly error?: string;
}

/** `compose.yaml`, `compose.yml`, `docker-compose.yaml`, `docker-compose.yml`, and `….override.yml` etc. */
export function isComposeName(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return /^(docker-)?compose(\.[A-Za-z0-9_-]+)*\.ya?ml$/.test(base);
}

/** `KEY=VALUE` lines of an env file (compose-go's dotenv: `export ` prefixes, quotes, `#` comments). */
export function parseEnvFile(text: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    let value = m[2];
    const quoted = /^(["'])(.*)\1\s*(#.*)?$/.exec(value);
    if (quoted)
      value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : quoted[2];
    else value = value.replace(/\s+#.*$/, '').trim();
    out.set(m[1], { value, line: i + 1 });
  }
  return out;
}

/**
 * Reads a compose file. `dotenv` holds the project's `.env` values, for interpolation. Paths stay
 * relative to the compose file's folder.
 */
export function readCompose(
  text: string,
  file: string,
  dotenv: ReadonlyMap<string, string> = new Map(),
): ComposeFile {
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  let js: unknown;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, merge: true });
    if (doc.errors.length > 0) return { services: [], error: `cannot be parsed (${doc.errors[0].message})` };
    // Anchors and `<<` merge keys resolved, bounded as the manifest reader bounds them.
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { services: [], error: `cannot be parsed (${(err as Error).message})` };
  }
  const servicesValue = isObject(js) ? js.services : undefined;
  if (!isObject(servicesValue)) return { services: [], error: 'has no `services` map' };
  /** The 1-based line of the node at `keys`, or of the nearest parent written in this file. */
  const lineAt = (...keys: (string | number)[]): number => {
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
      const pair = n > 0 ? (doc.getIn(keys.slice(0, n - 1), true) as unknown) : undefined;
      if (isMap(pair)) {
        const item = pair.items.find((p) => isScalar(p.key) && p.key.value === keys[n - 1]);
        const range = (item?.key as { range?: [number, number, number] } | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]).line;
      }
    }
    return 1;
  };
  const services: ComposeService[] = [];
  for (const [name, own] of Object.entries(servicesValue).slice(0, MAX_SERVICES)) {
    if (!isObject(own)) continue;
    const at = (...keys: (string | number)[]) => lineAt('services', name, ...keys);
    const notes: { message: string; line: number }[] = [];
    const value = extended(name, own, servicesValue, (message) =>
      notes.push({ message, line: at('extends') }),
    );
    const interpolate = (text: string, line: number): string =>
      text.replace(
        /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        (all: string, braced?: string, op?: string, word?: string, bare?: string) => {
          if (all === '$$') return '$';
          const key = braced ?? bare ?? '';
          const set = dotenv.get(key);
          const empty = set === undefined || (op?.startsWith(':') === true && set === '');
          if (op === ':-' || op === '-') return empty ? (word ?? '') : (set ?? '');
          if (op === ':+' || op === '+') return empty ? '' : (word ?? '');
          if (set !== undefined) return set;
          notes.push({
            message: `service ${name}: ${all} is taken from the environment \`docker compose\` runs in, which oneproc cannot see; it was left as written`,
            line,
          });
          return all;
        },
      );
    const scalar = (v: unknown, line: number): string | undefined =>
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? interpolate(String(v), line)
        : undefined;
    const words = (key: string): RunSpec | undefined => {
      const v = value[key];
      if (v === undefined || v === null) return undefined;
      const line = at(key);
      if (Array.isArray(v)) {
        const lines = v.map((_, i) => at(key, i));
        const items = v.map((item, i) => scalar(item, lines[i]));
        if (items.some((w) => w === undefined)) return undefined;
        return {
          words: items as string[],
          shell: false,
          line,
          file,
          source: 'compose',
          key: `services.${name}.${key}`,
          ...(lines.some((l) => l !== line) ? { lines } : {}),
        };
      }
      const text = scalar(v, line);
      return text === undefined
        ? undefined
        : {
            words: splitWords(text),
            shell: false,
            line,
            file,
            source: 'compose',
            key: `services.${name}.${key}`,
          };
    };
    let build: ComposeService['build'];
    const b = value.build;
    if (typeof b === 'string') {
      const context = scalar(b, at('build')) ?? '.';
      build = { context, dockerfile: 'Dockerfile', ...(isRemoteContext(context) ? { remote: true } : {}) };
    } else if (isObject(b)) {
      const target = scalar(b.target, at('build', 'target'));
      const context = scalar(b.context, at('build', 'context')) ?? '.';
      const args = new Map<string, string>();
      const argPlaces = new Map<string, BuildArgPlace>();
      const given = b.args;
      const fromShell = (key: string, line: number) =>
        notes.push({
          message: `service ${name}: build argument ${key} is taken from the environment \`docker compose\` runs in, which oneproc cannot see; the Dockerfile's default was used`,
          line,
        });
      if (Array.isArray(given)) {
        given.forEach((item, i) => {
          const line = at('build', 'args', i);
          const entry = scalar(item, line);
          if (entry === undefined) return;
          const eq = entry.indexOf('=');
          if (eq < 0) fromShell(entry, line);
          else {
            args.set(entry.slice(0, eq), entry.slice(eq + 1));
            argPlaces.set(entry.slice(0, eq), { file, line, key: `services.${name}.build.args[${i}]` });
          }
        });
      } else if (isObject(given)) {
        for (const [key, v] of Object.entries(given)) {
          const line = at('build', 'args', key);
          const text = v === null || v === undefined ? undefined : scalar(v, line);
          if (text === undefined) fromShell(key, line);
          else {
            args.set(key, text);
            argPlaces.set(key, { file, line, key: `services.${name}.build.args.${key}` });
          }
        }
      }
      build = {
        context,
        dockerfile: scalar(b.dockerfile, at('build', 'dockerfile')) ?? 'Dockerfile',
        ...(target ? { target } : {}),
        ...(args.size > 0 ? { args, argPlaces } : {}),
        ...(isRemoteContext(context) ? { remote: true } : {}),
      };
    }
    const environment: ImageEnv[] = [];
    const env = value.environment;
    if (Array.isArray(env)) {
      env.forEach((item, i) => {
        const line = at('environment', i);
        const entry = scalar(item, line);
        if (entry === undefined) return;
        const eq = entry.indexOf('=');
        // `- KEY` alone takes KEY from the shell `docker compose` runs in.
        if (eq < 0) {
          notes.push({
            message: `service ${name}: ${entry} is taken from the environment \`docker compose\` runs in, which oneproc cannot see`,
            line,
          });
          return;
        }
        environment.push({
          name: entry.slice(0, eq),
          value: entry.slice(eq + 1),
          line,
          file,
          source: 'compose',
          key: `services.${name}.environment[${i}]`,
        });
      });
    } else if (isObject(env)) {
      for (const [key, v] of Object.entries(env)) {
        const line = at('environment', key);
        if (v === null || v === undefined) {
          notes.push({
            message: `service ${name}: ${key} is taken from the environment \`docker compose\` runs in, which oneproc cannot see`,
            line,
          });
          continue;
        }
        const text = scalar(v, line);
        if (text !== undefined)
          environment.push({
            name: key,
            value: text,
            line,
            file,
            source: 'compose',
            key: `services.${name}.environment.${key}`,
          });
      }
    }
    const envFiles: { path: string; line: number; required: boolean }[] = [];
    const ef = value.env_file;
    (Array.isArray(ef) ? ef : ef !== undefined ? [ef] : []).forEach((item, i) => {
      const line = Array.isArray(ef) ? at('env_file', i) : at('env_file');
      const p = isObject(item) ? scalar(item.path, line) : scalar(item, line);
      const required = isObject(item) ? item.required !== false && item.required !== 'false' : true;
      if (p) envFiles.push({ path: p, line, required });
    });
    const image = scalar(value.image, at('image'));
    const entrypoint = words('entrypoint');
    const command = words('command');
    const workdir = scalar(value.working_dir, at('working_dir'));
    services.push({
      name,
      line: at(),
      ...(build ? { build } : {}),
      ...(image ? { image } : {}),
      ...(entrypoint ? { entrypoint } : {}),
      ...(command ? { command } : {}),
      environment,
      envFiles,
      ...(workdir ? { workdir } : {}),
      notes,
    });
  }
  return { services };
}

/**
 * A remote build context: a Git repository or a URL (moby `builder/remotecontext/urlutil`: `IsURL` is
 * `http://` or `https://`, `IsGitURL` adds `git://`, `github.com/` and `git@`; BuildKit also takes
 * `ssh://`).
 */
export function isRemoteContext(context: string): boolean {
  return /^(https?:\/\/|git:\/\/|ssh:\/\/|github\.com\/|git@)/i.test(context);
}

/** Services followed through `extends` of one service: a longer chain is not a real project. */
const MAX_EXTENDS = 10;

/**
 * A service with the service it `extends` (in the same file) merged under it, as compose-spec
 * `extends.md` merges them: maps (`environment` as a map or a list of `KEY=VALUE`, `build`, `labels`)
 * key by key with the service's own winning, every other key (`command`, `entrypoint`, `image`, …)
 * replaced. A base in another file, a missing one, or a loop is said through `note`.
 */
function extended(
  name: string,
  own: Record<string, unknown>,
  all: Record<string, unknown>,
  note: (message: string) => void,
): Record<string, unknown> {
  let value = own;
  const seen = new Set([name]);
  let first: string | undefined;
  for (let n = 0; n < MAX_EXTENDS; n++) {
    const ext = value.extends;
    if (ext === undefined || ext === null) return value;
    const { extends: _e, ...rest } = value;
    const target = typeof ext === 'string' ? ext : isObject(ext) ? ext.service : undefined;
    const file = isObject(ext) ? ext.file : undefined;
    if (typeof target !== 'string') return rest;
    first ??= target;
    if (file !== undefined) {
      note(
        `service ${name} extends ${target} of ${String(file).slice(0, 200)}, another file, which oneproc does not read; the keys it would inherit are not known`,
      );
      return rest;
    }
    const base = Object.hasOwn(all, target) ? all[target] : undefined;
    if (!isObject(base) || seen.has(target)) {
      note(
        isObject(base)
          ? `service ${name} extends ${first}, and its chain of extends comes back to ${target}; the keys it would inherit are not known`
          : `service ${name} extends ${target}, which is not a service of this file; the keys it would inherit are not known`,
      );
      return rest;
    }
    seen.add(target);
    value = mergeService(base, rest);
  }
  note(`service ${name} extends services more than ${MAX_EXTENDS} deep; oneproc stopped there`);
  const { extends: _e, ...rest } = value;
  return rest;
}

/** `environment` (map or list) as a map, for merging. */
function envMap(v: unknown): Record<string, unknown> | undefined {
  if (isObject(v)) return v;
  if (!Array.isArray(v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const item of v) {
    const text = String(item);
    const eq = text.indexOf('=');
    out[eq < 0 ? text : text.slice(0, eq)] = eq < 0 ? null : text.slice(eq + 1);
  }
  return out;
}

function mergeService(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base, ...own };
  for (const key of ['environment', 'build', 'labels']) {
    if (!(key in base) || !(key in own)) continue;
    const a = key === 'environment' ? envMap(base[key]) : base[key];
    const b = key === 'environment' ? envMap(own[key]) : own[key];
    if (key === 'build' && (typeof a === 'string' || typeof b === 'string')) {
      const asObject = (v: unknown) => (typeof v === 'string' ? { context: v } : v);
      const [x, y] = [asObject(a), asObject(b)];
      if (isObject(x) && isObject(y)) out[key] = { ...x, ...y };
      continue;
    }
    if (isObject(a) && isObject(b)) out[key] = { ...a, ...b };
  }
  return out;
}

/**
 * The image a service runs: `image` (what its Dockerfile builds, or an empty image named after
 * `service.image`) with the service's entrypoint, command, environment and working directory over it,
 * as `docker compose up` starts it. `envFile` holds the values of its `env_file` files.
 */
export function serviceImage(
  service: ComposeService,
  file: string,
  image: ImageSpec | undefined,
  envFile: readonly ImageEnv[] = [],
): ImageSpec {
  // An official image oneproc knows (`python:3.12`) sets no ENTRYPOINT that changes the command.
  const known = service.image ? knownBaseOf(service.image) : undefined;
  const base: ImageSpec = image ?? {
    file,
    env: [],
    workdir: '/',
    copies: [],
    base: service.image ?? service.build?.context ?? '',
    entrypointKnown: known !== undefined,
    ...(known ? { knownBase: known } : {}),
  };
  const overrides = new Set([...envFile, ...service.environment].map((e) => e.name));
  const env = [
    ...base.env.filter((e) => !overrides.has(e.name)),
    ...envFile.filter((e) => !service.environment.some((s) => s.name === e.name)),
    ...service.environment,
  ];
  // `entrypoint:` clears the image's CMD (compose-spec: "also clears out any default command").
  const entrypoint = service.entrypoint ?? base.entrypoint;
  const cmd = service.command ?? (service.entrypoint ? undefined : base.cmd);
  const { entrypoint: _e, cmd: _c, ...rest } = base;
  return {
    ...rest,
    ...(entrypoint && entrypoint.words.length > 0 ? { entrypoint } : {}),
    ...(cmd && cmd.words.length > 0 ? { cmd } : {}),
    env,
    workdir: service.workdir ?? base.workdir,
    ...(service.entrypoint ? { entrypointKnown: true } : {}),
  };
}
