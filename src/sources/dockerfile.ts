/**
 * Dockerfile → what the image runs: the final stage's ENTRYPOINT, CMD, ENV, WORKDIR and COPY/ADD
 * sources, with Docker's rules. Parsed with dockerfile-ast. Pure: text in, data out; never throws.
 *
 * Docker's rules applied here (https://docs.docker.com/reference/dockerfile/):
 * - Only the final stage is the image; `FROM <earlier stage>` inherits that stage's ENV, WORKDIR,
 *   ENTRYPOINT and CMD. A stage `FROM <registry image>` inherits defaults oneproc cannot see.
 * - Exec form (`["a","b"]`) runs as is, with no variable expansion; shell form runs as
 *   `/bin/sh -c "…"`, where the shell expands `$VAR` from the image's environment. Invalid JSON is shell form.
 * - Setting ENTRYPOINT resets a CMD inherited from the base stage; the last ENTRYPOINT/CMD wins.
 * - ENV, WORKDIR and COPY expand `$VAR`/`${VAR}` from earlier ENV and ARG.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface RunSpec {
  /** The words: for shell form, `['/bin/sh', '-c', text]`. */
  readonly words: readonly string[];
  readonly shell: boolean;
  /** 1-based line of the instruction. */
  readonly line: number;
}

export interface ImageEnv {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

export interface CopySpec {
  readonly sources: readonly string[];
  readonly dest: string;
  readonly line: number;
  /** `--from=stage`: the files come from another stage or image, not the build context. */
  readonly fromStage?: string;
}

export interface ImageSpec {
  readonly file: string;
  readonly entrypoint?: RunSpec;
  readonly cmd?: RunSpec;
  readonly env: readonly ImageEnv[];
  readonly workdir: string;
  readonly copies: readonly CopySpec[];
  /** The registry image the final stage builds on, e.g. `python:3.12-slim`. */
  readonly base: string;
}

interface Stage {
  name?: string;
  base: string;
  entrypoint?: RunSpec;
  cmd?: RunSpec;
  env: ImageEnv[];
  args: Map<string, string>;
  workdir: string;
  copies: CopySpec[];
}

/** Reads a Dockerfile. A file without FROM gives an empty image (nothing to check). */
export function readDockerfile(text: string, file: string): ImageSpec {
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  let current: Stage | undefined;
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
    if (keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(content);
      const from = substitute(m?.[1] ?? '', globalArgs);
      const parent = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === from.toLowerCase());
      current = parent
        ? { ...parent, name: m?.[2], env: [...parent.env], args: new Map(), copies: [...parent.copies] }
        : { name: m?.[2], base: from, env: [], args: new Map(), workdir: '/', copies: [] };
      stages.push(current);
      continue;
    }
    if (!current) {
      if (keyword === 'ARG')
        for (const [k, v] of parseArg(content)) globalArgs.set(k, v ?? globalArgs.get(k) ?? '');
      continue;
    }
    const vars = new Map([...current.args, ...current.env.map((e) => [e.name, e.value] as const)]);
    switch (keyword) {
      case 'ARG':
        for (const [k, v] of parseArg(content)) current.args.set(k, v ?? globalArgs.get(k) ?? '');
        break;
      case 'ENV':
        for (const [name, value] of parseEnv(content)) {
          const expanded = substitute(value, vars);
          vars.set(name, expanded);
          current.env = [...current.env.filter((e) => e.name !== name), { name, value: expanded, line }];
        }
        break;
      case 'WORKDIR': {
        const dir = substitute(content, vars);
        current.workdir = dir.startsWith('/') ? dir : joinPath(current.workdir, dir);
        break;
      }
      case 'COPY':
      case 'ADD': {
        const parts = splitWords(content);
        const flags = parts.filter((p) => p.startsWith('--'));
        const rest = parts.filter((p) => !p.startsWith('--')).map((p) => substitute(p, vars));
        if (rest.length < 2) break;
        // dockerfile-ast keeps flags apart from the arguments.
        const flagged = (
          instr as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> }
        )
          .getFlags?.()
          .find((f) => f.getName() === 'from')
          ?.getValue();
        const fromStage = flagged ?? flags.find((f) => f.startsWith('--from='))?.slice(7);
        const dest = rest[rest.length - 1];
        // A destination ending in `/` (or `.`) is a folder; keep the slash so readers know.
        const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
        const resolved = dest.startsWith('/') ? dest : joinPath(current.workdir, dest);
        current.copies.push({
          sources: rest.slice(0, -1),
          dest: isDir && !resolved.endsWith('/') ? `${resolved}/` : resolved,
          line,
          ...(fromStage ? { fromStage } : {}),
        });
        break;
      }
      case 'ENTRYPOINT':
        current.entrypoint = runSpec(content, line);
        current.cmd = undefined;
        break;
      case 'CMD':
        current.cmd = runSpec(content, line);
        break;
    }
  }
  const last = stages[stages.length - 1];
  if (!last) return { file, env: [], workdir: '/', copies: [], base: '' };
  return {
    file,
    ...(last.entrypoint ? { entrypoint: last.entrypoint } : {}),
    ...(last.cmd ? { cmd: last.cmd } : {}),
    env: last.env,
    workdir: last.workdir,
    copies: last.copies,
    base: last.base,
  };
}

function runSpec(content: string, line: number): RunSpec {
  if (content.startsWith('[')) {
    try {
      const parsed = JSON.parse(content);
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) {
        return { words: parsed, shell: false, line };
      }
    } catch {
      // Docker runs invalid JSON as shell form.
    }
  }
  return { words: ['/bin/sh', '-c', content], shell: true, line };
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

/** Splits on unquoted white space and removes the quotes, as Dockerfile instructions do. */
function splitWords(text: string): string[] {
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

/** `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` from known variables; unknown ones stay as written. */
function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (all, braced, op, word, bare) => {
      const name = braced ?? bare;
      const value = vars.get(name);
      if (op === '-') return value !== undefined && value !== '' ? value : word;
      if (op === '+') return value !== undefined && value !== '' ? word : '';
      return value ?? all;
    },
  );
}

function joinPath(dir: string, rel: string): string {
  const parts = `${dir}/${rel}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}
