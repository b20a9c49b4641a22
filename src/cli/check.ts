/**
 * `oneproc check [--format text|json|sarif|html] [--strict] [PATH|-]…` (DESIGN.md, "CLI contract").
 * Reads files, folders (recursively *.yaml, *.yml, *.json) and standard input; the checking itself
 * is `checkText` (pure), this module is only IO, options and exit codes:
 * 0 no error findings; 1 at least one (with --strict, warnings too); 2 usage error, unreadable input, or
 * standard input or a named file holding no Kubernetes object (a file found in a folder is a note).
 * An unreadable file or folder is reported and the other files are still checked and reported.
 */
import { type Dirent, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { sarifFixes } from '../fix';
import {
  blankDocuments,
  checkText,
  decodeText,
  InputError,
  type ManifestDocument,
  type TemplateSpan,
  templateDocuments,
} from '../manifest';
import type { ServerRule } from '../rules/types';
import { isComposeName } from '../sources/compose';
import { isProcfileName } from '../sources/procfile';
import type { Finding, Note } from '../types';
import { checkSources, isDockerfileName } from './check-sources';
import { safeLine } from './escape';
import { planFor } from './fix-plan';
import { formatHtml } from './format-html';
import { formatJson } from './format-json';
import { artifactUri, formatSarif, STDIN_NAME } from './format-sarif';
import { formatText, noteText } from './format-text';
import { leavesMessage, linkLeavesWorkingDirectory } from './paths';

export const CHECK_USAGE = `Usage: oneproc check [--format text|json|sarif|html] [--strict] [PATH|-]...
                     [--dockerfile FILE [--build-context DIR] [--target STAGE]
                      | --image-root DIR [--image-config FILE]]

Checks Kubernetes manifests (YAML or JSON, multi-document), Dockerfiles and the scripts and config
files an image runs, for containers that start more than one worker process. PATH is a file or a
folder (searched recursively for *.yaml, *.yml, *.json, Dockerfiles, compose files and Procfiles,
skipping node_modules and .git); - reads standard input, e.g.
  helm template my-release ./chart | oneproc check -

Options:
  -f, --format FORMAT    text (default), json, sarif (SARIF 2.1.0 for code scanning), or html (one
                         self-contained page: summary, exemptions, findings by namespace, notes)
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
2 usage error, or an input that cannot be read or holds no Kubernetes object, such as an empty
standard input (the other inputs are still checked and reported).
`;

/** Larger inputs are refused: even a big chart renders to a few MiB, and reading is all in memory. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const FORMATS = ['text', 'json', 'sarif', 'html'] as const;
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
  let sourceFlags: SourceFlags;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        strict: { type: 'boolean', default: false },
        ...SOURCE_OPTIONS,
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
      throw new Error(`unknown --format '${values.format}' (expected text, json, sarif or html)`);
    }
    sourceFlags = sourceFlagsOf(values, positionals);
    format = values.format as Format;
    strict = values.strict;
    paths = positionals;
  } catch (err) {
    // parseArgs explains how to pass a path that starts with '-'; the usage below says enough.
    const message = messageOf(err).replace(/\. To specify a positional argument.*$/s, '');
    io.stderr(`${safeLine(`oneproc check: ${message}`)}\n\n${CHECK_USAGE}`);
    return 2;
  }

  const read = await gather(paths, sourceFlags, io, engine);
  const { errors, findings, notes, documents, containers, sources } = read;

  // Messages name files and quote input: printed as safely as the report itself (src/cli/escape.ts).
  for (const e of errors) io.stderr(`${safeLine(`oneproc check: ${e.message}`)}\n`);
  // Notes go to standard error too, so a machine-readable report on standard output keeps them and
  // a person running `--format json > out.json` still sees them.
  if (format !== 'text') for (const n of notes) io.stderr(`oneproc check: note: ${noteText(n)}\n`);
  const checked = {
    documents,
    containers,
    ...(sources.images > 0 ? { images: sources.images } : {}),
    ...(sources.services > 0 ? { services: sources.services } : {}),
  };
  // JSON keeps everything not checked in one channel: the inputs that could not be read are notes too
  // (already on standard error above, so not printed there twice).
  if (format === 'json') io.stdout(formatJson(findings, checked, [...errors.map(unreadableNote), ...notes]));
  else if (format === 'sarif') {
    // Each finding `oneproc fix` can fix carries its edits as SARIF `fixes`.
    const { plan, texts } = await planFor(read, io.cwd, engine.rules ? { rules: engine.rules } : {});
    const fixes = sarifFixes(plan, texts, (file) => artifactUri(file, io.cwd));
    io.stdout(formatSarif(findings, { cwd: io.cwd, inputErrors: errors, rules: engine.rules, notes, fixes }));
  } else if (format === 'html')
    io.stdout(
      formatHtml(findings, checked, notes, {
        command: 'check',
        strict,
        inputErrors: errors.map((e) => e.message),
        generated: new Date(),
      }),
    );
  else
    io.stdout(formatText(findings, checked, { color: io.color, strict, inputErrors: errors.length, notes }));

  if (errors.length > 0) return 2;
  const failing = findings.some(
    (f) => !f.exempted && (f.severity === 'error' || (strict && f.severity === 'warning')),
  );
  return failing ? 1 : 0;
}

/** The flags that name the image the manifests run. */
/** The options that name the image and the inputs, shared by `check` and `fix` (parseArgs config). */
export const SOURCE_OPTIONS = {
  dockerfile: { type: 'string' },
  'build-context': { type: 'string' },
  target: { type: 'string' },
  'image-root': { type: 'string' },
  'image-config': { type: 'string' },
} as const;

/** The image flags of a parsed command line, checked together; throws a usage error naming the flag. */
export function sourceFlagsOf(
  values: {
    dockerfile?: string;
    'build-context'?: string;
    target?: string;
    'image-root'?: string;
    'image-config'?: string;
  },
  positionals: readonly string[],
): SourceFlags {
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
  return {
    dockerfile: values.dockerfile,
    buildContext: values['build-context'],
    target: values.target,
    imageRoot: values['image-root'],
    imageConfig: values['image-config'],
  };
}

export interface SourceFlags {
  readonly dockerfile?: string;
  readonly buildContext?: string;
  readonly target?: string;
  readonly imageRoot?: string;
  readonly imageConfig?: string;
}

/** Everything `check` read and found, before it is printed: what `oneproc fix` starts from too. */
export interface Gathered {
  readonly errors: InputError[];
  readonly findings: Finding[];
  readonly notes: Note[];
  /** The manifests read, as read (templates blanked). */
  readonly manifests: Array<{ name: string; text: string; json: boolean; documents?: ManifestDocument[] }>;
  readonly documents: number;
  readonly containers: number;
  readonly sources: { readonly images: number; readonly services: number };
}

/** Reads the named paths (and standard input for `-`) and checks them: the one engine of every command. */
export async function gather(
  paths: readonly string[],
  sourceFlags: SourceFlags,
  io: CheckIO,
  engine: CheckEngine = {},
  /** `keepSyntax`: keep each YAML document's syntax tree for `oneproc fix`. */
  options: { readonly keepSyntax?: boolean } = {},
): Promise<Gathered> {
  const errors: InputError[] = [];
  const skipped: Array<{ file: string; template: TemplateSpan }> = [];
  const walkNotes: Note[] = [];
  const notManifests: string[] = [];
  const noObjects: string[] = [];
  const findings: Finding[] = [];
  const notes: Note[] = [];
  let documents = 0;
  let containers = 0;
  let stdinRead = false;

  const inputs: Input[] = [];
  const manifests: Array<{ name: string; text: string; json: boolean; documents?: ManifestDocument[] }> = [];
  const emptyFolders: string[] = [];
  for (const p of paths) {
    if (isDockerfileName(p) || isComposeName(p) || isProcfileName(p)) continue; // read by checkSources
    if (p === '-') {
      if (!stdinRead) inputs.push({ name: STDIN_NAME, found: false });
      stdinRead = true;
      continue;
    }
    try {
      const expanded = await expand(p, io.cwd);
      if (expanded.inputs.length === 0 && expanded.errors.length === 0 && expanded.sources === 0)
        emptyFolders.push(p);
      // Loops, not push(...): a folder may hold more files than a call has arguments.
      for (const input of expanded.inputs) inputs.push(input);
      for (const error of expanded.errors) errors.push(error);
      for (const note of expanded.notes) walkNotes.push(note);
    } catch (err) {
      errors.push(toInputError(err, p));
    }
  }

  for (const input of inputs) {
    try {
      const bytes = input.name === STDIN_NAME ? await readStdin(io) : await readFile(input.name, io.cwd);
      let text = decodeText(bytes, input.name);
      let json = path.extname(input.name).toLowerCase() === '.json';
      // A Helm chart's templates/ are Go templates, not YAML: found while walking, each document that
      // is a template is skipped with a note (render it, then check the output); the others are checked.
      const templates = input.found && !(json && isJson(text)) ? templateDocuments(text) : [];
      if (templates.length > 0) json = false;
      const report = checkText(text, input.name, {
        json,
        rules: engine.rules,
        skip: templates,
        keepSyntax: options.keepSyntax === true,
      });
      for (const template of templates) skipped.push({ file: input.name, template });
      // What the source readers see of this file: the template documents emptied, lines kept.
      if (templates.length > 0) text = blankDocuments(text, templates);
      if (input.found && report.errors.length > 0 && !/\bapiVersion\b/.test(text)) {
        // Found by walking a repository and not Kubernetes at all: tsconfig.json with comments, a pm2
        // process.json (JavaScript, not JSON) — read by the source readers where an image runs them.
        notManifests.push(input.name);
        continue;
      }
      if (report.errors.length === 0 && report.objects === 0 && templates.length === 0) {
        // Nothing to check is not a pass: an empty pipe (the command before it failed), a wrong file.
        // Found by walking, such a file is skipped with a note (a repository holds other YAML and JSON).
        if (input.found) noObjects.push(input.name);
        else errors.push(noObjectsError(input.name, report.documents === 0));
        continue;
      }
      manifests.push({ name: input.name, text, json, ...(report.read ? { documents: report.read } : {}) });
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
    for (const p of emptyFolders)
      notes.push({ message: 'holds no manifests, Dockerfiles, compose files or Procfiles', file: p });
  }
  for (const note of walkNotes) notes.push(note);
  for (const s of skipped) {
    notes.push({
      message: `skipped: a template (Helm, Go…: {{ … }} at line ${s.template.template}), not plain YAML; check its rendered output instead: helm template … | oneproc check -`,
      file: s.file,
      line: s.template.line,
    });
  }
  for (const s of noObjects) {
    notes.push({
      message: 'skipped: no Kubernetes objects in it (no document has a kind), so it is not a manifest',
      file: s,
    });
  }
  for (const s of notManifests) {
    notes.push({
      message: 'skipped: it does not parse and has no apiVersion, so it is not a manifest',
      file: s,
    });
  }

  return { errors, findings, notes, manifests, documents, containers, sources };
}

/** What walking a named path found: files to read, folders that could not be read, links not followed. */
interface Expanded {
  readonly inputs: Input[];
  readonly errors: InputError[];
  readonly notes: Note[];
  /** Dockerfiles, compose files and Procfiles found (read by checkSources). */
  readonly sources: number;
}

/**
 * A named path → the files to read: itself, or the manifests found under a folder (sorted). A subfolder
 * that cannot be read is an error naming it, and the walk goes on. Symbolic links met while walking are
 * followed only to files inside the named folder; every link not followed is a note.
 */
async function expand(name: string, cwd: string): Promise<Expanded> {
  const stat = await fs.stat(path.resolve(cwd, name));
  if (!stat.isDirectory()) return { inputs: [{ name, found: false }], errors: [], notes: [], sources: 0 };
  const root = await fs.realpath(path.resolve(cwd, name));
  const inside = (real: string) =>
    real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  const found: Input[] = [];
  const errors: InputError[] = [];
  const notes: Note[] = [];
  let sources = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.resolve(cwd, dir), { withFileTypes: true });
    } catch (err) {
      errors.push(toInputError(err, dir));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = path.join(dir, entry.name);
      // Compose files are read by checkSources, service by service.
      const manifest = EXTENSIONS.has(path.extname(entry.name).toLowerCase()) && !isComposeName(entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(child);
      } else if (entry.isSymbolicLink()) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        const link = await followLink(path.resolve(cwd, child), inside);
        if (link.kind === 'file' || link.kind === 'unreadable') {
          // An unreadable target is read anyway: the error says why, as for any file found.
          if (manifest) found.push({ name: child, found: true });
        } else if (link.kind === 'folder' || manifest) {
          notes.push({ message: `skipped: ${link.why}`, file: child });
        }
      } else if (
        !manifest &&
        (isDockerfileName(entry.name) || isComposeName(entry.name) || isProcfileName(entry.name))
      ) {
        sources++;
      } else if (manifest) {
        if (entry.isFile()) found.push({ name: child, found: true });
        else
          notes.push({
            message:
              'skipped: not a regular file (a pipe, socket or device is not read while walking a folder)',
            file: child,
          });
      }
    }
  };
  await walk(name);
  return { inputs: found, errors, notes, sources };
}

/** Where a symbolic link leads: a file to read, or why it is not followed. */
type Link =
  | { readonly kind: 'file' }
  | { readonly kind: 'unreadable' }
  | { readonly kind: 'folder'; readonly why: string }
  | { readonly kind: 'skipped'; readonly why: string };

/** Where a symbolic link met while walking leads, and why it is not followed when it is not. */
async function followLink(link: string, inside: (real: string) => boolean): Promise<Link> {
  let target = '';
  try {
    target = await fs.readlink(link);
    const real = await fs.realpath(link);
    const stat = await fs.stat(real);
    if (stat.isDirectory()) {
      return {
        kind: 'folder',
        why: `a symbolic link to a folder (${target}); links to folders are not followed while walking (they can loop): name the folder to check it`,
      };
    }
    if (!inside(real)) {
      return {
        kind: 'skipped',
        why: `a symbolic link to ${target}, outside the folder being checked; not read`,
      };
    }
    if (!stat.isFile()) {
      return { kind: 'skipped', why: `a symbolic link to ${target}, not a regular file; not read` };
    }
    return { kind: 'file' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT')
      return { kind: 'skipped', why: `a symbolic link to ${target}, which does not exist` };
    if (code === 'ELOOP') return { kind: 'skipped', why: `a symbolic link that loops (${target})` };
    return { kind: 'unreadable' };
  }
}

/** Whether the text is one JSON document (then `{{ … }}` can only be inside its strings). */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function readFile(name: string, cwd: string): Promise<Uint8Array> {
  const file = path.resolve(cwd, name);
  const outside = await linkLeavesWorkingDirectory(file, cwd);
  if (outside !== undefined) throw new InputError(leavesMessage(outside), name);
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

/** An input that holds no Kubernetes object: exit 2, as for an input that cannot be read. */
function noObjectsError(name: string, empty: boolean): InputError {
  const stdin = name === STDIN_NAME;
  const why = empty
    ? stdin
      ? 'it is empty: did the command before the pipe fail?'
      : 'it is empty (or holds only comments)'
    : 'no document has a kind (YAML or JSON, but not a Kubernetes manifest)';
  const error = new InputError(`no Kubernetes objects in ${stdin ? 'standard input' : name}: ${why}`, name);
  // The detail names the input already: the message does not repeat it.
  error.message = error.detail;
  return error;
}

/** An input that could not be read, as a note of `--format json` (reason `unreadable`). */
function unreadableNote(error: InputError): Note {
  return {
    message: error.detail,
    file: error.file,
    ...(error.line !== undefined ? { line: error.line } : {}),
    reason: 'unreadable',
  };
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
