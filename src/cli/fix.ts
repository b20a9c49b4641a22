/**
 * `oneproc fix [--write] [--format diff|json|sarif] [--strict] [PATH|-]…` (docs/fix.md). Reads and
 * checks exactly as `oneproc check` does (`gather`), plans the edits with `planFixes` (pure), and is
 * only IO: the diff, the summary on standard error, the files written with `--write`, exit codes:
 * 0 nothing to fix, or everything fixed with --write; 1 fixes pending, or some finding not fixable;
 * 2 usage error or unreadable input.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { applyEdits, type FixPlan, orderEdits, sarifFixes, type TextEdit, unifiedDiff } from '../fix';
import { lineStarts, regionOf } from '../fix/text-edit';
import { isFilePlace } from '../place';
import type { Finding } from '../types';
import {
  type CheckEngine,
  type CheckIO,
  gather,
  MAX_INPUT_BYTES,
  SOURCE_OPTIONS,
  sourceFlagsOf,
} from './check';
import { defuseLine, printable, safeJson, safeLine } from './escape';
import { planFor } from './fix-plan';
import { artifactUri, formatSarif, STDIN_NAME } from './format-sarif';
import { leavesMessage, linkLeavesWorkingDirectory } from './paths';

export const FIX_USAGE = `Usage: oneproc fix [--write] [--format diff|json|sarif] [--strict] [PATH|-]...
                   [--memory-per-process QUANTITY]
                   [--dockerfile FILE [--build-context DIR] [--target STAGE]
                    | --image-root DIR [--image-config FILE]]

Rewrites what 'oneproc check' finds into one process per container, keeping the capacity: the worker
count is set to 1 where it is decided (a manifest's args or env, a Dockerfile CMD or ENV line, a
gunicorn, uWSGI, Puma, pm2 or supervisord config file, a script), the replicas are multiplied by the
old count (or an autoscaler's minReplicas and maxReplicas, when one targets the workload), CPU requests
and limits are divided by it (rounded up to the millicore, at least 10m), and a disruption budget's
absolute minAvailable is multiplied. Memory stays per pod unless --memory-per-process is given.
DaemonSets, Jobs and CronJobs get one process and nothing is scaled. Exempted workloads are never
touched. Only the changed spans of each file change: comments, quoting and layout stay as they are.
PATH and the image flags are read as 'oneproc check' reads them; - reads standard input and writes
the fixed documents to standard output.

Options:
  -f, --format FORMAT    diff (default: a unified diff, for review or 'git apply'), json, or sarif
                         (the findings with SARIF 'fixes')
  -w, --write            apply the edits to the files in place
      --strict           warnings count as findings that cannot be fixed (exit 1), as check --strict fails
      --memory-per-process QUANTITY
                         set each fixed container's memory request and limit to QUANTITY (e.g. 512Mi)
      --dockerfile FILE, --build-context DIR, --target STAGE, --image-root DIR, --image-config FILE
                         as for 'oneproc check'
  -h, --help             show this help

The summary goes to standard error, one line per workload, e.g.
  web: 2 pods × 4 workers → 8 pods × 1 process; cpu 2 → 500m per pod; memory kept per pod

Exit status: 0 nothing to fix, or everything fixed with --write; 1 fixes pending (without --write) or
a finding that cannot be fixed (each said, with why); 2 usage error or unreadable/invalid input.
`;

const FORMATS = ['diff', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
/** A Kubernetes memory quantity: a whole number with an optional unit (`512Mi`, `1G`, `1073741824`). */
const MEMORY = /^[1-9]\d{0,17}(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/;

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

export async function run(
  argv: string[],
  io: CheckIO = processIO(),
  engine: CheckEngine = {},
): Promise<number> {
  let options: {
    format: Format;
    write: boolean;
    strict: boolean;
    memory?: string;
    paths: string[];
    flags: {
      dockerfile?: string;
      buildContext?: string;
      target?: string;
      imageRoot?: string;
      imageConfig?: string;
    };
  };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string', short: 'f', default: 'diff' },
        write: { type: 'boolean', short: 'w', default: false },
        strict: { type: 'boolean', default: false },
        'memory-per-process': { type: 'string' },
        ...SOURCE_OPTIONS,
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(FIX_USAGE);
      return 0;
    }
    if (!(FORMATS as readonly string[]).includes(values.format)) {
      throw new Error(`unknown --format '${values.format}' (expected diff, json or sarif)`);
    }
    const memory = values['memory-per-process'];
    if (memory !== undefined && !MEMORY.test(memory)) {
      throw new Error(`--memory-per-process '${memory}' is not a memory quantity such as 512Mi or 1Gi`);
    }
    const flags = sourceFlagsOf(values, positionals);
    options = {
      format: values.format as Format,
      write: values.write,
      strict: values.strict,
      ...(memory !== undefined ? { memory } : {}),
      paths: positionals,
      flags,
    };
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    io.stderr(`${safeLine(`oneproc fix: ${message}`)}\n\n${FIX_USAGE}`);
    return 2;
  }

  const read = await gather(options.paths, options.flags, io, engine, { keepSyntax: true });
  const errors = [...read.errors];
  const { plan, texts } = await planFor(read, io.cwd, {
    ...(options.memory ? { memoryPerProcess: options.memory } : {}),
    strict: options.strict,
    ...(engine.rules ? { rules: engine.rules } : {}),
  });

  for (const e of errors) io.stderr(`${safeLine(`oneproc fix: ${e.message}`)}\n`);
  for (const s of plan.summaries) io.stderr(`${safeLine(`oneproc fix: ${s}`)}\n`);
  for (const u of plan.unfixable)
    io.stderr(`${safeLine(`oneproc fix: not fixed: ${where(u.finding)}: ${u.why}`)}\n`);

  // What each file becomes; a file whose text on disk is no longer what was read is not written.
  const names = [...plan.edits.keys()].sort();
  let written = 0;
  let refused = 0;
  for (const name of names) {
    const text = texts.get(name);
    if (text === undefined) continue;
    const edits = plan.edits.get(name) as TextEdit[];
    const { dropped } = orderEdits(edits);
    for (const d of dropped) {
      io.stderr(
        `${safeLine(`oneproc fix: ${name}: two edits overlap at offset ${d.start}; the second was left out`)}\n`,
      );
    }
    const fixed = applyEdits(text, edits);
    if (name === STDIN_NAME) {
      io.stdout(fixed);
      continue;
    }
    if (options.format === 'diff' && !options.write)
      io.stdout(printDiff(unifiedDiff(name, text, edits), io.color));
    if (!options.write) continue;
    const problem = await writeFixed(name, text, fixed, io.cwd);
    if (problem) {
      refused++;
      io.stderr(`${safeLine(`oneproc fix: ${name}: not written: ${problem}`)}\n`);
    } else {
      written++;
      io.stderr(`${safeLine(`oneproc fix: wrote ${name}`)}\n`);
    }
  }
  if (options.format === 'json') io.stdout(formatFixJson(plan, texts));
  else if (options.format === 'sarif') {
    io.stdout(
      formatSarif(read.findings, {
        cwd: io.cwd,
        inputErrors: errors,
        rules: engine.rules,
        notes: read.notes,
        fixes: sarifFixes(plan, texts, (file) => artifactUri(file, io.cwd)),
      }),
    );
  }
  if (names.length === 0 && plan.unfixable.length === 0 && errors.length === 0) {
    io.stderr('oneproc fix: nothing to fix\n');
  }
  if (errors.length > 0) return 2;
  const pending =
    names.some((n) => n !== STDIN_NAME) &&
    (!options.write || written < names.filter((n) => n !== STDIN_NAME).length);
  return plan.unfixable.length > 0 || pending || refused > 0 ? 1 : 0;
}

/** `deploy.yaml:13 (uvicorn, web/app)`. */
function where(f: Finding): string {
  const o = f.origin;
  const at = isFilePlace(f.at) ? f.path : `${o.file ?? f.path}${o.line !== undefined ? `:${o.line}` : ''}`;
  const who = [o.name, o.container].filter((s) => s !== undefined).join('/');
  return `${at} (${f.rule}${who ? `, ${who}` : ''})`;
}

/**
 * A diff prints the repository's own lines. Lines that the GitHub Actions runner would take as workflow
 * commands are defused always (CI logs); other control characters are escaped only on a terminal, so a
 * diff piped to a file or to `git apply` stays exact.
 */
function printDiff(diff: string, terminal: boolean): string {
  return diff
    .split('\n')
    .map((line) => defuseLine(terminal ? printable(line) : line))
    .join('\n');
}

/** The plan as JSON: fixed findings with their edits (offsets and regions), the unfixable with why, the summaries. */
function formatFixJson(plan: FixPlan, texts: ReadonlyMap<string, string>): string {
  const starts = new Map<string, number[]>();
  const region = (file: string, edit: TextEdit) => {
    let s = starts.get(file);
    if (!s) {
      s = lineStarts(texts.get(file) ?? '');
      starts.set(file, s);
    }
    return regionOf(s, edit);
  };
  const finding = (f: Finding) => ({
    rule: f.rule,
    severity: f.severity,
    path: f.path,
    workers: f.workers,
    file: f.origin.file ?? null,
    line: f.origin.line ?? null,
    kind: f.origin.kind ?? null,
    namespace: f.origin.namespace ?? null,
    name: f.origin.name ?? null,
    container: f.origin.container ?? null,
  });
  const out = {
    fixed: plan.fixed.map((x) => ({
      ...finding(x.finding),
      edits: x.edits.map((e) => ({ file: e.file, ...region(e.file, e.edit), text: e.edit.text })),
      ...(x.summary ? { summary: x.summary } : {}),
    })),
    unfixable: plan.unfixable.map((u) => ({ ...finding(u.finding), why: u.why })),
    summaries: plan.summaries,
    files: [...plan.edits.keys()].sort(),
  };
  return `${safeJson(JSON.stringify(out, null, 2))}\n`;
}

/**
 * Writes a fixed file in place, only if it still holds the text the edits were made for (a file that
 * changed since, or a Helm template whose documents check read blanked, is left alone), keeping its mode.
 */
async function writeFixed(
  name: string,
  before: string,
  after: string,
  cwd: string,
): Promise<string | undefined> {
  const abs = path.resolve(cwd, name);
  try {
    const outside = await linkLeavesWorkingDirectory(abs, cwd);
    if (outside !== undefined) return leavesMessage(outside);
    const handle = await fs.open(abs, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return 'not a regular file';
      if (stat.size > MAX_INPUT_BYTES) return 'too large';
      const now = await handle.readFile('utf8');
      if (now !== before)
        return 'it is not the text that was checked (it changed, or it holds templates); run fix again';
      await handle.truncate(0);
      await handle.write(after, 0, 'utf8');
    } finally {
      await handle.close();
    }
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ELOOP' ? 'a symbolic link; edit the file it points to' : (err as Error).message;
  }
}
