/**
 * `oneproc check [--format text|json|sarif] [--strict] [PATH|-]…` (DESIGN.md, "CLI contract").
 * Reads files, folders (recursively *.yaml, *.yml, *.json) and standard input; the checking itself
 * is `checkText` (pure), this module is only IO, options and exit codes:
 * 0 no error findings; 1 at least one (with --strict, warnings too); 2 usage error or unreadable input.
 * An unreadable file is reported and the other files are still checked and reported.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkText, decodeText, InputError } from '../manifest';
import type { ServerRule } from '../rules/types';
import { isComposeName } from '../sources/compose';
import type { Finding, Note } from '../types';
import { checkSources, isDockerfileName } from './check-sources';
import { formatJson } from './format-json';
import { formatSarif, STDIN_NAME } from './format-sarif';
import { formatText, noteText } from './format-text';

export const CHECK_USAGE = `Usage: oneproc check [--format text|json|sarif] [--strict] [PATH|-]...
                     [--dockerfile FILE [--build-context DIR] [--target STAGE]
                      | --image-root DIR [--image-config FILE]]

Checks Kubernetes manifests (YAML or JSON, multi-document), Dockerfiles and the scripts and config
files an image runs, for containers that start more than one worker process. PATH is a file or a
folder (searched recursively for *.yaml, *.yml, *.json, Dockerfiles, compose files and Procfiles,
skipping node_modules and .git); - reads standard input, e.g.
  helm template my-release ./chart | oneproc check -

Options:
  -f, --format FORMAT    text (default), json, or sarif (SARIF 2.1.0 for code scanning)
      --strict           warnings fail the check too
      --dockerfile FILE  the Dockerfile of the manifests' image: their containers are followed into
                         its ENTRYPOINT, CMD, ENV and the scripts and config files it runs
                         (automatic when the folders hold exactly one Dockerfile)
      --build-context DIR
                         the folder it is built from, as in  docker build -f FILE DIR  (default: the
                         compose file's build.context, else the nearest folder from the Dockerfile's
                         up to the folder checked that holds every file its COPY and ADD name)
      --target STAGE     the stage that runs, as in  docker build --target STAGE  (default: the last)
      --image-root DIR   an unpacked image filesystem to follow instead (CI can check the image it built)
      --image-config FILE
                         its OCI/Docker image config JSON (default: DIR/config.json or beside DIR)
  -h, --help             show this help

Exit status: 0 no error findings; 1 at least one error finding (with --strict, or warning);
2 usage error or unreadable/invalid input (the other inputs are still checked and reported).
`;

/** Larger inputs are refused: even a big chart renders to a few MiB, and reading is all in memory. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/** What `check` touches outside itself; the defaults are the process's own. */
export interface CheckIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => AsyncIterable<Uint8Array>;
  readonly cwd: string;
  /** True when stdout is a terminal that may be coloured. */
  readonly color: boolean;
}

function processIO(): CheckIO {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: () => process.stdin,
    cwd: process.cwd(),
    color: process.stdout.isTTY === true && !noColor,
  };
}

/** One input to read: a file named by the user or found in a folder, or standard input. */
interface Input {
  /** As the user named it (or the folder joined with the relative path); `<stdin>` for `-`. */
  readonly name: string;
  /** Found by walking a folder (not named explicitly). */
  readonly found: boolean;
}

/** What the engine is run with; the default is the built-in rules. */
export interface CheckEngine {
  readonly rules?: readonly ServerRule[];
}

export async function run(
  argv: string[],
  io: CheckIO = processIO(),
  engine: CheckEngine = {},
): Promise<number> {
  let format: Format;
  let strict: boolean;
  let paths: string[];
  let sourceFlags: {
    dockerfile?: string;
    buildContext?: string;
    target?: string;
    imageRoot?: string;
    imageConfig?: string;
  };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        strict: { type: 'boolean', default: false },
        dockerfile: { type: 'string' },
        'build-context': { type: 'string' },
        target: { type: 'string' },
        'image-root': { type: 'string' },
        'image-config': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(CHECK_USAGE);
      return 0;
    }
    if (!(FORMATS as readonly string[]).includes(values.format)) {
      throw new Error(`unknown --format '${values.format}' (expected text, json or sarif)`);
    }
    if (values['image-config'] && !values['image-root']) {
      throw new Error('--image-config goes with --image-root DIR');
    }
    for (const flag of ['build-context', 'target'] as const) {
      if (values[flag] !== undefined && !values.dockerfile) {
        throw new Error(`--${flag} goes with --dockerfile FILE`);
      }
    }
    if (values.dockerfile && values['image-root']) {
      throw new Error('--dockerfile and --image-root name two images: give one');
    }
    if (positionals.length === 0 && !values.dockerfile && !values['image-root']) {
      throw new Error('name at least one file or folder, or - for standard input');
    }
    format = values.format as Format;
    strict = values.strict;
    paths = positionals;
    sourceFlags = {
      dockerfile: values.dockerfile,
      buildContext: values['build-context'],
      target: values.target,
      imageRoot: values['image-root'],
      imageConfig: values['image-config'],
    };
  } catch (err) {
    // parseArgs explains how to pass a path that starts with '-'; the usage below says enough.
    const message = messageOf(err).replace(/\. To specify a positional argument.*$/s, '');
    io.stderr(`oneproc check: ${message}\n\n${CHECK_USAGE}`);
    return 2;
  }

  const errors: InputError[] = [];
  const skipped: string[] = [];
  const notManifests: string[] = [];
  const findings: Finding[] = [];
  const notes: Note[] = [];
  let documents = 0;
  let containers = 0;
  let stdinRead = false;

  const inputs: Input[] = [];
  const manifests: Array<{ name: string; text: string; json: boolean }> = [];
  const emptyFolders: string[] = [];
  for (const p of paths) {
    if (isDockerfileName(p) || isComposeName(p) || /(^|\/)Procfile(\.[\w-]+)?$/.test(p)) continue; // read by checkSources
    if (p === '-') {
      if (!stdinRead) inputs.push({ name: STDIN_NAME, found: false });
      stdinRead = true;
      continue;
    }
    try {
      const expanded = await expand(p, io.cwd);
      if (expanded.length === 0) emptyFolders.push(p);
      // A loop, not push(...): a folder may hold more files than a call has arguments.
      for (const input of expanded) inputs.push(input);
    } catch (err) {
      errors.push(toInputError(err, p));
    }
  }

  for (const input of inputs) {
    try {
      const bytes = input.name === STDIN_NAME ? await readStdin(io) : await readFile(input.name, io.cwd);
      const text = decodeText(bytes, input.name);
      const json = path.extname(input.name).toLowerCase() === '.json';
      const report = checkText(text, input.name, { json, rules: engine.rules });
      if (input.found && report.errors.length > 0 && /\{\{.*\}\}/.test(text)) {
        // A Helm chart's templates/ are Go templates, not YAML: render them, then check the output.
        skipped.push(input.name);
        continue;
      }
      if (input.found && report.errors.length > 0 && !/\bapiVersion\b/.test(text)) {
        // Found by walking a repository and not Kubernetes at all: tsconfig.json with comments, a pm2
        // process.json (JavaScript, not JSON) — read by the source readers where an image runs them.
        notManifests.push(input.name);
        continue;
      }
      manifests.push({ name: input.name, text, json });
      for (const finding of report.findings) findings.push(finding);
      for (const error of report.errors) errors.push(error);
      documents += report.documents;
      containers += report.containers;
    } catch (err) {
      errors.push(toInputError(err, input.name));
    }
  }

  // What the image runs: Dockerfiles, scripts and config files, linked to the manifests' containers.
  const sources = await checkSources({
    paths,
    manifests,
    known: findings,
    ...sourceFlags,
    cwd: io.cwd,
    rules: engine.rules,
  });
  for (const finding of sources.findings) findings.push(finding);
  for (const note of sources.notes) notes.push(note);
  for (const error of sources.errors) errors.push(error);
  if (sources.images === 0 && sources.services === 0) {
    // Not an error (a folder may legitimately hold nothing to check yet), but a wrong path in CI
    // would otherwise pass silently.
    for (const p of emptyFolders) notes.push({ message: 'holds no manifests or Dockerfiles', file: p });
  }
  for (const s of skipped) {
    notes.push({
      message:
        'skipped: a Helm/Go template, not plain YAML; check its rendered output instead: helm template … | oneproc check -',
      file: s,
    });
  }
  for (const s of notManifests) {
    notes.push({
      message: 'skipped: it does not parse and has no apiVersion, so it is not a manifest',
      file: s,
    });
  }

  for (const e of errors) io.stderr(`oneproc check: ${e.message}\n`);
  // Notes go to standard error too, so a machine-readable report on standard output keeps them and
  // a person running `--format json > out.json` still sees them.
  if (format !== 'text') for (const n of notes) io.stderr(`oneproc check: note: ${noteText(n)}\n`);
  const checked = {
    documents,
    containers,
    ...(sources.images > 0 ? { images: sources.images } : {}),
    ...(sources.services > 0 ? { services: sources.services } : {}),
  };
  if (format === 'json') io.stdout(formatJson(findings, checked, notes));
  else if (format === 'sarif')
    io.stdout(formatSarif(findings, { cwd: io.cwd, inputErrors: errors, rules: engine.rules, notes }));
  else
    io.stdout(formatText(findings, checked, { color: io.color, strict, inputErrors: errors.length, notes }));

  if (errors.length > 0) return 2;
  const failing = findings.some(
    (f) => !f.exempted && (f.severity === 'error' || (strict && f.severity === 'warning')),
  );
  return failing ? 1 : 0;
}

/** A named path → the files to read: itself, or the manifests found under a folder (sorted). */
async function expand(name: string, cwd: string): Promise<Input[]> {
  const stat = await fs.stat(path.resolve(cwd, name));
  if (!stat.isDirectory()) return [{ name, found: false }];
  const found: Input[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(path.resolve(cwd, dir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = path.join(dir, entry.name);
      // Symbolic links to folders are not followed: they can loop, and rarely hold manifests.
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(child);
      } else if (EXTENSIONS.has(path.extname(entry.name).toLowerCase()) && !isComposeName(entry.name)) {
        // Compose files are read by checkSources, service by service.
        if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path.resolve(cwd, child))))) {
          found.push({ name: child, found: true });
        }
      }
    }
  };
  await walk(name);
  return found;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

async function readFile(name: string, cwd: string): Promise<Uint8Array> {
  const file = path.resolve(cwd, name);
  const handle = await fs.open(file, 'r');
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new InputError('is a folder', name);
    if (stat.size > MAX_INPUT_BYTES) {
      throw new InputError(`is too large (${stat.size} bytes; the limit is ${MAX_INPUT_BYTES})`, name);
    }
    // Pipes and devices (/dev/stdin, a process substitution, /dev/zero) report no size: read with a cap.
    if (!stat.isFile()) return await readCapped(handle.createReadStream({ autoClose: false }), name);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function readStdin(io: CheckIO): Promise<Uint8Array> {
  return readCapped(io.stdin(), STDIN_NAME);
}

async function readCapped(stream: AsyncIterable<Uint8Array>, name: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > MAX_INPUT_BYTES) {
      throw new InputError(`is too large (more than ${MAX_INPUT_BYTES} bytes)`, name);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Operating-system errors as a user reads them: `deploy.yaml: cannot be read: permission denied`. */
function toInputError(err: unknown, name: string): InputError {
  if (err instanceof InputError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'cannot be read: permission denied',
    EPERM: 'cannot be read: operation not permitted',
    EISDIR: 'is a folder',
    ELOOP: 'cannot be read: too many symbolic links',
    ENAMETOOLONG: 'cannot be read: name too long',
  };
  const reason = (code && reasons[code]) ?? `cannot be read: ${messageOf(err)}`;
  return new InputError(reason, name);
}

/** An error's message; errors from Node's internals may come from another realm, so no instanceof. */
function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as Error).message === 'string') {
    return (err as Error).message;
  }
  return String(err);
}
