/**
 * Dockerfile → what the image runs and which files it holds: every stage, with its ENTRYPOINT, CMD,
 * ENV, WORKDIR, SHELL and the file operations that build its file system (COPY/ADD from the build
 * context or another stage, COPY heredocs, the simple file operations of RUN). Parsed with
 * dockerfile-ast. Pure: text in, data out; never throws.
 *
 * Docker's rules applied here (https://docs.docker.com/reference/dockerfile/):
 * - The final stage (or the `--target` stage) is the image; `FROM <earlier stage>` inherits that
 *   stage's ENV, WORKDIR, SHELL, ENTRYPOINT, CMD and files. A stage `FROM <registry image>` inherits
 *   defaults oneproc cannot see, except for the few official images it knows (`KNOWN_BASES`).
 * - Exec form (`["a","b"]`) runs as is, with no variable expansion; shell form runs as
 *   `SHELL + [text]` (default `/bin/sh -c`), where the shell expands `$VAR` from the image's
 *   environment. Invalid JSON is shell form.
 * - Setting ENTRYPOINT resets a CMD inherited from the base stage; the last ENTRYPOINT/CMD wins.
 * - ENV, WORKDIR, COPY and FROM expand `$VAR`/`${VAR}` from earlier ENV and ARG; a relative WORKDIR
 *   is joined to the one before it.
 * - `COPY --from=NAME|INDEX` copies from an earlier stage; any other value is an image.
 * - `COPY <<EOF DEST` writes the heredoc's body (BuildKit's heredocs, dockerfile 1.4); `RUN <<EOF`
 *   runs the body as a script with the stage's shell.
 * - A build argument (`docker build --build-arg NAME=VALUE`, a compose service's `build.args`) replaces
 *   the default of every `ARG NAME` it meets, before and after FROM; one that no ARG declares is
 *   unused ("One or more build-args … were not consumed").
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import type { PlaceSource } from '../place';
import { normalize, type RunFileOp, runExecFileOps, runFileOps } from './run-files';

export interface RunSpec {
  /** The words: for shell form, `['/bin/sh', '-c', text]` (or the stage's SHELL). */
  readonly words: readonly string[];
  readonly shell: boolean;
  /** 1-based line of the instruction. */
  readonly line: number;
  /** For exec form spread over lines: the 1-based line of each word. */
  readonly lines?: readonly number[];
  /** The file that sets it, when not the image's own (a compose file's `command`). */
  readonly file?: string;
  /** What kind of file `file` is; default a Dockerfile. */
  readonly source?: PlaceSource;
  /** The key that sets it in `file`, e.g. `services.web.command` (items add `[i]` when `lines` is set). */
  readonly key?: string;
}

export interface ImageEnv {
  readonly name: string;
  readonly value: string;
  readonly line: number;
  /** The file that sets it, when not the image's own (a compose file's `environment`, an env_file). */
  readonly file?: string;
  /** What kind of file `file` is; default a Dockerfile. */
  readonly source?: PlaceSource;
  /** The key that sets it in `file`, e.g. `services.web.environment.UVICORN_WORKERS`. */
  readonly key?: string;
}

/**
 * Where a build argument is given its value outside the Dockerfile: a compose service's `build.args`
 * entry (file, line and key), so that an ENV set from that argument is reported where the value is written.
 */
export interface BuildArgPlace {
  readonly file: string;
  readonly line: number;
  /** e.g. `services.web.build.args.WORKERS`. */
  readonly key: string;
}

export interface CopySpec {
  readonly sources: readonly string[];
  readonly dest: string;
  readonly line: number;
  /** `--from=stage`: the files come from another stage or image, not the build context. */
  readonly fromStage?: string;
}

/**
 * One change to a stage's files, in order: a COPY/ADD (from the build context, another stage, or an
 * image), a file written by a heredoc, or a file operation of RUN.
 */
export type ImageOp =
  | {
      readonly op: 'add';
      readonly sources: readonly string[];
      /** Absolute; ends in `/` when it is a folder the sources are copied into. */
      readonly dest: string;
      readonly line: number;
      /** Where the sources are read: the build context, an earlier stage (its index), or an image. */
      readonly from: { readonly context: true } | { readonly stage: number } | { readonly image: string };
    }
  | {
      readonly op: 'write';
      readonly path: string;
      readonly text: string;
      readonly line: number;
      /** 1-based line in the Dockerfile of the text's first line. */
      readonly textLine: number;
    }
  | RunFileOp;

export interface StageSpec {
  readonly index: number;
  readonly name?: string;
  /** 1-based line of its FROM. */
  readonly line: number;
  /** What FROM names, after ARG substitution. */
  readonly from: string;
  /** The earlier stage it is built on, when FROM names one. */
  readonly parent?: number;
  /** The registry image at the start of its chain of stages (`scratch` for none). */
  readonly base: string;
  readonly ops: readonly ImageOp[];
  /** Each RUN instruction's line and text, for notes about files a RUN step may make. */
  readonly runs?: readonly { readonly line: number; readonly text: string }[];
}

export interface ImageSpec {
  readonly file: string;
  readonly entrypoint?: RunSpec;
  readonly cmd?: RunSpec;
  readonly env: readonly ImageEnv[];
  readonly workdir: string;
  /** The COPY/ADD instructions of the stage and the stages it is built on, in order. */
  readonly copies: readonly CopySpec[];
  /** The registry image the stage builds on, e.g. `python:3.12-slim`. */
  readonly base: string;
  /** Every stage of the Dockerfile, for the image's files. Absent for an image config. */
  readonly stages?: readonly StageSpec[];
  /** The index in `stages` of the stage that runs: the last, or `--target`. */
  readonly stage?: number;
  /**
   * True when what the base image adds to ENTRYPOINT is known: the stage (or one it is built on)
   * sets ENTRYPOINT, or its registry image is one oneproc knows (`KNOWN_BASES`), or scratch.
   */
  readonly entrypointKnown?: boolean;
  /** The known official image the chain starts from (`node`, `python`, …), when it is one. */
  readonly knownBase?: string;
  /** What was assumed or could not be known while reading it (an unknown base's PATH), as notes. */
  readonly notes?: readonly { readonly message: string; readonly line: number }[];
}

/** A parsed Dockerfile: every stage, before one is chosen to run. */
export interface DockerfileBuild {
  readonly file: string;
  readonly stages: readonly StageState[];
}

/** A stage as read, with what it inherits. */
interface StageState {
  index: number;
  name?: string;
  line: number;
  from: string;
  parent?: number;
  base: string;
  entrypoint?: RunSpec;
  cmd?: RunSpec;
  /** Set once the stage (or one it is built on) says ENTRYPOINT. */
  entrypointSet: boolean;
  env: ImageEnv[];
  args: Map<string, string>;
  /** The stage's ARGs whose value a build argument with a place gave (`BuildArgPlace`). */
  argPlaces: Map<string, BuildArgPlace>;
  /** Variables known from the base image (PATH of a known image, or assumed). */
  baseVars: Map<string, string>;
  workdir: string;
  shell: readonly string[];
  copies: CopySpec[];
  ops: ImageOp[];
  runs: { line: number; text: string }[];
  notes: { message: string; line: number }[];
}

/**
 * The PATH that Debian's and Alpine's images set, and that Docker gives a container whose image sets
 * none (moby's `oci.DefaultPathEnv`, daemon/oci_linux.go).
 */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface KnownBase {
  /** What the image's Dockerfile sets with ENV, as the variables of later instructions see them. */
  readonly env: readonly (readonly [string, string])[];
  /**
   * The CMD it runs when the Dockerfile built on it sets neither ENTRYPOINT nor CMD (exec form), for
   * the images whose ENTRYPOINT ends in `exec "$@"` after setting up.
   */
  readonly cmd?: readonly string[];
}

/**
 * NGINX Unit's official images (`unit:1.34.1-python3.12`, formerly `nginx/unit:…`):
 * pkg/docker/template.Dockerfile sets `ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]` — which
 * applies `/docker-entrypoint.d/*.json` and then runs `exec "$@"` — and this CMD. They are built on the
 * official language images, whose PATH they keep.
 */
const UNIT_BASE: KnownBase = {
  env: [['PATH', `/usr/local/bin:${DEFAULT_PATH}`]],
  cmd: ['unitd', '--no-daemon', '--control', 'unix:/var/run/control.unit.sock'],
};

/**
 * Official images whose defaults are known (docker-library's Dockerfiles): none sets an ENTRYPOINT
 * that changes what a CMD runs — node's `docker-entrypoint.sh` runs `node "$@"` when the first word is
 * an option or not a command, else `exec "$@"` (docker-library/node docker-entrypoint.sh).
 */
const KNOWN_BASES: Record<string, KnownBase> = {
  // docker-library/python Dockerfile-linux.template: `ENV PATH /usr/local/bin:$PATH`, `ENV LANG C.UTF-8`.
  python: { env: [['PATH', `/usr/local/bin:${DEFAULT_PATH}`]] },
  // docker-library/ruby Dockerfile.template: GEM_HOME, BUNDLE_APP_CONFIG, `PATH $GEM_HOME/bin:$PATH`.
  ruby: {
    env: [
      ['GEM_HOME', '/usr/local/bundle'],
      ['BUNDLE_APP_CONFIG', '/usr/local/bundle'],
      ['PATH', `/usr/local/bundle/bin:${DEFAULT_PATH}`],
    ],
  },
  node: { env: [['PATH', DEFAULT_PATH]] },
  // docker-library/golang: `ENV PATH $GOPATH/bin:/usr/local/go/bin:$PATH`.
  golang: { env: [['PATH', `/go/bin:/usr/local/go/bin:${DEFAULT_PATH}`]] },
  debian: { env: [['PATH', DEFAULT_PATH]] },
  ubuntu: { env: [['PATH', DEFAULT_PATH]] },
  alpine: { env: [['PATH', DEFAULT_PATH]] },
  busybox: { env: [['PATH', DEFAULT_PATH]] },
  'buildpack-deps': { env: [['PATH', DEFAULT_PATH]] },
  fedora: { env: [['PATH', DEFAULT_PATH]] },
  rockylinux: { env: [['PATH', DEFAULT_PATH]] },
  almalinux: { env: [['PATH', DEFAULT_PATH]] },
  amazonlinux: { env: [['PATH', DEFAULT_PATH]] },
  unit: UNIT_BASE,
  'nginx/unit': UNIT_BASE,
};

/** `python:3.12-slim`, `docker.io/library/node:20@sha256:…` → `python`, `node`; others undefined. */
export function knownBaseOf(image: string): string | undefined {
  const name = image
    .replace(/@.*$/, '')
    .replace(/:[^/]*$/, '')
    .replace(/^(docker\.io\/|index\.docker\.io\/|registry-1\.docker\.io\/)?(library\/)?/, '');
  return Object.hasOwn(KNOWN_BASES, name) ? name : undefined;
}

/** Reads a Dockerfile and takes its final stage (or `target`). A file without FROM gives an empty image. */
export function readDockerfile(text: string, file: string, target?: string): ImageSpec {
  return imageOf(parseDockerfile(text, file), target);
}

/** The stages of a Dockerfile, by name and index, for `--target` and `COPY --from`. */
export function stageNames(build: DockerfileBuild): string[] {
  return build.stages.map((s) => s.name ?? String(s.index));
}

/** The stage `target` (a name, case-insensitive, or an index), or undefined when there is none. */
export function findStage(build: DockerfileBuild, target: string): number | undefined {
  const named = build.stages.find(
    (s) => s.name !== undefined && s.name.toLowerCase() === target.toLowerCase(),
  );
  if (named) return named.index;
  return /^\d+$/.test(target) && Number(target) < build.stages.length ? Number(target) : undefined;
}

/** The image that `docker build [--target STAGE]` makes: the stage's run settings and every stage's files. */
export function imageOf(build: DockerfileBuild, target?: string): ImageSpec {
  const index = target !== undefined ? findStage(build, target) : build.stages.length - 1;
  const last = index === undefined ? undefined : build.stages[index];
  if (!last) return { file: build.file, env: [], workdir: '/', copies: [], base: '' };
  const chain: StageState[] = [];
  for (
    let s: StageState | undefined = last;
    s;
    s = s.parent === undefined ? undefined : build.stages[s.parent]
  )
    chain.unshift(s);
  const root = chain[0];
  const known = knownBaseOf(root.base);
  const notes = chain.flatMap((s) => s.notes);
  // The base image's own CMD, when nothing built on it sets ENTRYPOINT or CMD (Docker keeps it).
  const baseCmd = known && !last.entrypointSet && !last.cmd ? KNOWN_BASES[known].cmd : undefined;
  const cmd: RunSpec | undefined =
    last.cmd ?? (baseCmd ? { words: [...baseCmd], shell: false, line: root.line } : undefined);
  return {
    file: build.file,
    ...(last.entrypoint ? { entrypoint: last.entrypoint } : {}),
    ...(cmd ? { cmd } : {}),
    env: last.env,
    workdir: last.workdir,
    copies: last.copies,
    base: last.base,
    stages: build.stages.map((s) => ({
      index: s.index,
      ...(s.name !== undefined ? { name: s.name } : {}),
      line: s.line,
      from: s.from,
      ...(s.parent !== undefined ? { parent: s.parent } : {}),
      base: s.base,
      ops: s.ops,
      runs: s.runs,
    })),
    stage: last.index,
    entrypointKnown: last.entrypointSet || known !== undefined || root.base === 'scratch',
    ...(known ? { knownBase: known } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** Reads every stage of a Dockerfile, with the build arguments given (`--build-arg`). Never throws. */
export function parseDockerfile(
  text: string,
  file: string,
  buildArgs: ReadonlyMap<string, string> = new Map(),
  argPlaces: ReadonlyMap<string, BuildArgPlace> = new Map(),
): DockerfileBuild {
  const stages: StageState[] = [];
  const globalArgs = new Map<string, string>();
  /** Global ARGs whose value a placed build argument gave. */
  const globalPlaces = new Map<string, BuildArgPlace>();
  let current: StageState | undefined;
  let instructions: Instruction[] = [];
  try {
    instructions = DockerfileParser.parse(text).getInstructions();
  } catch {
    instructions = [];
  }
  for (const instr of instructions) {
    const keyword = instr.getKeyword().toUpperCase();
    const line = instr.getRange().start.line + 1;
    const content = (instr.getArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ').trim();
    const flagOf = (name: string) =>
      (instr as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> })
        .getFlags?.()
        .find((f) => f.getName().toLowerCase() === name)
        ?.getValue() ?? undefined;
    if (keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(content);
      // `FROM ${BASE}` with no default for BASE: the image is named as written (`--build-arg` sets it).
      const from = substitute(m?.[1] ?? '', globalArgs) || (m?.[1] ?? '');
      const parent = [...stages]
        .reverse()
        .find((s) => s.name !== undefined && s.name.toLowerCase() === from.toLowerCase());
      current = parent
        ? {
            ...parent,
            index: stages.length,
            name: m?.[2],
            line,
            from,
            parent: parent.index,
            env: [...parent.env],
            args: new Map(),
            argPlaces: new Map(),
            baseVars: new Map(parent.baseVars),
            copies: [...parent.copies],
            ops: [],
            runs: [],
            notes: [],
          }
        : newStage(stages.length, m?.[2], line, from);
      stages.push(current);
      continue;
    }
    if (!current) {
      if (keyword === 'ARG')
        for (const [k, v] of parseArg(content)) {
          globalArgs.set(k, buildArgs.get(k) ?? v ?? globalArgs.get(k) ?? '');
          const place = buildArgs.has(k) ? argPlaces.get(k) : undefined;
          if (place) globalPlaces.set(k, place);
          else globalPlaces.delete(k);
        }
      continue;
    }
    const stage = current;
    const vars = (): Map<string, string> =>
      new Map([...stage.baseVars, ...stage.args, ...stage.env.map((e) => [e.name, e.value] as const)]);
    switch (keyword) {
      case 'ARG':
        for (const [k, v] of parseArg(content)) {
          stage.args.set(k, buildArgs.get(k) ?? v ?? globalArgs.get(k) ?? '');
          // A build argument overrides the default; `ARG NAME` alone takes the global ARG's value.
          const place = buildArgs.has(k)
            ? argPlaces.get(k)
            : v === undefined
              ? globalPlaces.get(k)
              : undefined;
          if (place) stage.argPlaces.set(k, place);
          else stage.argPlaces.delete(k);
        }
        break;
      case 'ENV': {
        const known = vars();
        for (const [name, value] of parseEnv(content)) {
          const expanded = substitute(value, known, (ref) => {
            if (!stage.baseVars.has(ref) || stage.env.some((e) => e.name === ref) || stage.args.has(ref))
              return;
            if (knownBaseOf(stage.base) !== undefined || stage.base === 'scratch') return;
            stage.notes.push({
              message: `ENV ${name} extends the ${ref} of the base image ${stage.base}, which oneproc cannot see; it assumed the standard ${DEFAULT_PATH}`,
              line,
            });
          });
          known.set(name, expanded);
          // `ENV NAME=$ARG` whose whole value is a build argument given in a compose file: the value is
          // written there, so that is where the finding points and what to change.
          const ref = /^"?\$(?:\{(\w+)\}|(\w+))"?$/.exec(value.trim());
          const refName = ref?.[1] ?? ref?.[2];
          const given =
            refName !== undefined && !stage.env.some((e) => e.name === refName)
              ? stage.argPlaces.get(refName)
              : undefined;
          const entry: ImageEnv = given
            ? { name, value: expanded, line: given.line, file: given.file, source: 'compose', key: given.key }
            : { name, value: expanded, line };
          stage.env = [...stage.env.filter((e) => e.name !== name), entry];
        }
        break;
      }
      case 'WORKDIR': {
        const dir = substitute(content, vars());
        stage.workdir = dir.startsWith('/') ? normalize(dir) : normalize(`${stage.workdir}/${dir}`);
        // WORKDIR makes the folder, which decides where a later `mv x .` lands.
        stage.ops.push({
          op: 'folder',
          paths: [stage.workdir],
          line,
          text: `WORKDIR ${content}`.slice(0, 120),
        });
        break;
      }
      case 'SHELL': {
        const words = execWords(content);
        if (words && words.length > 0) stage.shell = words;
        break;
      }
      case 'COPY':
      case 'ADD':
        addCopy(stage, stages, keyword, content, line, vars(), flagOf('from'), flagOf('parents'));
        break;
      case 'RUN':
        stage.runs.push({ line, text: content.slice(0, 4096) });
        addRun(stage, content, line, vars());
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = runSpec(instr, content, line, stage.shell);
        stage.entrypointSet = true;
        stage.cmd = undefined;
        break;
      case 'CMD':
        stage.cmd = runSpec(instr, content, line, stage.shell);
        break;
    }
  }
  return { file, stages };
}

function newStage(index: number, name: string | undefined, line: number, from: string): StageState {
  const known = knownBaseOf(from);
  const baseVars = new Map<string, string>(
    known ? KNOWN_BASES[known].env : from === 'scratch' ? [] : [['PATH', DEFAULT_PATH]],
  );
  return {
    index,
    ...(name !== undefined ? { name } : {}),
    line,
    from,
    base: from,
    entrypointSet: false,
    env: [],
    args: new Map(),
    argPlaces: new Map(),
    baseVars,
    workdir: '/',
    shell: ['/bin/sh', '-c'],
    copies: [],
    ops: [],
    runs: [],
    notes: [],
  };
}

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$/i;
const REMOTE = /^(https?:\/\/|git@|[a-z]+:\/\/)/i;

function addCopy(
  stage: StageState,
  stages: readonly StageState[],
  keyword: string,
  content: string,
  line: number,
  vars: ReadonlyMap<string, string>,
  fromFlag: string | undefined,
  parents: string | undefined,
): void {
  const [first, ...body] = content.split('\n');
  const parts = splitWords(first);
  const rest = parts
    .filter((p) => !p.startsWith('--'))
    .map((p) => (p.startsWith('<<') ? p : substitute(p, vars)));
  if (rest.length < 2) return;
  const destWord = rest[rest.length - 1];
  const isDir = destWord.endsWith('/') || destWord === '.' || destWord.endsWith('/.');
  const resolved = destWord.startsWith('/') ? normalize(destWord) : normalize(`${stage.workdir}/${destWord}`);
  const sources = rest.slice(0, -1);
  const dest = isDir || sources.length > 1 ? (resolved === '/' ? '/' : `${resolved}/`) : resolved;
  // Heredocs: `COPY <<EOF /app/start.sh` writes the body (the first heredoc's lines, then the next's).
  if (sources.some((s) => s.startsWith('<<'))) {
    let at = 0;
    for (const src of sources) {
      const m = /^<<(-?)(["']?)([A-Za-z0-9_]+)\2$/.exec(src);
      if (!m) continue;
      const lines: string[] = [];
      const start = at;
      while (at < body.length && body[at].replace(m[1] ? /^\t+/ : /^$/, '') !== m[3]) {
        lines.push(m[1] ? body[at].replace(/^\t+/, '') : body[at]);
        at++;
      }
      at++;
      const text = `${lines.join('\n')}\n`;
      const path = dest.endsWith('/') ? `${dest}${m[3]}` : dest;
      stage.ops.push({
        op: 'write',
        path,
        text: m[2] ? text : substitute(text, vars),
        line,
        textLine: line + 1 + start,
      });
    }
    return;
  }
  const fromStage = fromFlag !== undefined ? substitute(fromFlag, vars) : undefined;
  stage.copies.push({ sources, dest, line, ...(fromStage ? { fromStage } : {}) });
  let from: { context: true } | { stage: number } | { image: string } = { context: true };
  if (fromStage !== undefined) {
    const named = [...stages]
      .reverse()
      .find((s) => s.name !== undefined && s.name.toLowerCase() === fromStage.toLowerCase() && s !== stage);
    const index = /^\d+$/.test(fromStage) ? Number(fromStage) : undefined;
    from = named
      ? { stage: named.index }
      : index !== undefined && index < stage.index
        ? { stage: index }
        : { image: fromStage };
  }
  if ('context' in from) {
    const local: string[] = [];
    for (const src of sources) {
      if (REMOTE.test(src)) {
        stage.ops.push(unknownAt(dest, src, `downloaded by ADD from ${src}`, line, content));
      } else if (keyword === 'ADD' && ARCHIVE.test(src) && dest !== '/') {
        // What an archive extracted over the whole root holds is not known; over a folder, the
        // folder's files are the archive's.
        stage.ops.push({
          op: 'unknown',
          paths: [dest.replace(/(.)\/$/, '$1')],
          why: `extracted from the archive ${src} by ADD`,
          line,
          text: `ADD ${first}`.slice(0, 120),
        });
      } else local.push(src);
    }
    // `--parents` keeps each source's path below the destination; the lookup reads it as a folder copy.
    if (local.length > 0)
      stage.ops.push({
        op: 'add',
        sources: local,
        dest: parents !== undefined && !dest.endsWith('/') ? `${dest}/` : dest,
        line,
        from,
      });
    return;
  }
  stage.ops.push({ op: 'add', sources, dest, line, from });
}

function unknownAt(dest: string, src: string, why: string, line: number, text: string): ImageOp {
  const name = src.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const path = dest.endsWith('/') ? `${dest}${name.slice(name.lastIndexOf('/') + 1)}` : dest;
  return { op: 'unknown', paths: [path], why, line, text: text.slice(0, 120) };
}

function addRun(stage: StageState, content: string, line: number, vars: ReadonlyMap<string, string>): void {
  const [first, ...body] = content.split('\n');
  const heredoc = /^<<(-?)(["']?)([A-Za-z0-9_]+)\2\s*$/.exec(first.trim());
  let result: { ops: RunFileOp[] };
  if (heredoc) {
    // `RUN <<EOF` runs the body with the stage's shell.
    const end = body.findIndex((l) => (heredoc[1] ? l.replace(/^\t+/, '') : l) === heredoc[3]);
    result = runFileOps((end < 0 ? body : body.slice(0, end)).join('\n'), line, stage.workdir, vars);
  } else {
    const exec = execWords(content);
    result = exec
      ? runExecFileOps(exec, line, stage.workdir)
      : runFileOps(content, line, stage.workdir, vars);
  }
  for (const op of result.ops) stage.ops.push(op);
}

function execWords(content: string): string[] | undefined {
  if (!content.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(content);
    if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) return parsed;
  } catch {
    // Docker runs invalid JSON as shell form.
  }
  return undefined;
}

function runSpec(instr: Instruction, content: string, line: number, shell: readonly string[]): RunSpec {
  const words = execWords(content);
  if (words) {
    const lines = wordLines(instr);
    return lines && lines.length === words.length && lines.some((l) => l !== line)
      ? { words, shell: false, line, lines }
      : { words, shell: false, line };
  }
  return { words: [...shell, content], shell: true, line };
}

/** The 1-based line of each string of an exec-form JSON array, from the instruction's arguments. */
function wordLines(instr: Instruction): number[] | undefined {
  try {
    const lines: number[] = [];
    let inString = false;
    for (const arg of instr.getArguments()) {
      const value = arg.getValue();
      const at = arg.getRange().start.line + 1;
      for (let i = 0; i < value.length; i++) {
        const c = value[i];
        if (inString && c === '\\') i++;
        else if (c === '"') {
          if (!inString) lines.push(at);
          inString = !inString;
        }
      }
    }
    return lines;
  } catch {
    return undefined;
  }
}

/** `ENV A=1 B="two words"` or the legacy `ENV A 1`. */
function parseEnv(content: string): Array<[string, string]> {
  const words = splitWords(content);
  if (words.length > 0 && !words[0].includes('=')) {
    const [name, ...rest] = content.split(/\s+/);
    return [[name, rest.join(' ')]];
  }
  return words
    .filter((w) => w.includes('='))
    .map((w) => {
      const i = w.indexOf('=');
      return [w.slice(0, i), w.slice(i + 1)];
    });
}

function parseArg(content: string): Array<[string, string | undefined]> {
  return splitWords(content).map((w) => {
    const i = w.indexOf('=');
    return i < 0 ? [w, undefined] : [w.slice(0, i), w.slice(i + 1)];
  });
}

/**
 * Splits on unquoted white space and removes the quotes, as Dockerfile instructions do (and as
 * compose's string `command:` is split, by go-shellwords).
 */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) out.push(word);
  return out;
}

/**
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` from known variables; unknown ones stay as
 * written. `used` hears each variable whose value was taken.
 */
function substitute(text: string, vars: ReadonlyMap<string, string>, used?: (name: string) => void): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (all, braced, op, word, bare) => {
      const name = braced ?? bare;
      const value = vars.get(name);
      if (value !== undefined) used?.(name);
      if (op === '-') return value !== undefined && value !== '' ? value : word;
      if (op === '+') return value !== undefined && value !== '' ? word : '';
      return value ?? all;
    },
  );
}
