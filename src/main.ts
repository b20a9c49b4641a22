/**
 * The cdk8s app that `cdk8s synth` runs (see cdk8s.yaml). With no settings it synthesizes the example
 * of the original write-up: a FastAPI app served by one uvicorn process on port 8596, 2–10 replicas
 * under a HorizontalPodAutoscaler, and an in-cluster Redis for shared state.
 *
 * To synthesize your own app, write its SingleProcessApp props as YAML or JSON and point
 * ONEPROC_APP_SETTINGS at the file: `ONEPROC_APP_SETTINGS=app.yaml npx cdk8s synth --no-check-upgrade`.
 * Every problem with the file is reported as `ONEPROC_APP_SETTINGS: FILE:LINE: what is wrong`.
 */
import { readFileSync } from 'node:fs';
import { App, Chart } from 'cdk8s';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { MultipleWorkersError, SingleProcessApp, type SingleProcessAppProps } from './constructs';
import { SingleProcessAppError } from './constructs/errors';
import { ENV } from './names';

/** The example app's props. */
export const EXAMPLE_APP: SingleProcessAppProps = {
  name: 'fastapi-app',
  image: 'ghcr.io/example/fastapi-app:1.0.0',
  command: ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8596'],
  port: 8596,
  replicas: { min: 2, max: 10 },
  redis: true,
};

/** A problem with the settings file, named by file and line. */
export class AppSettingsError extends Error {
  override readonly name = 'AppSettingsError';
}

/** The settings file as read: its props, and where each prop is written. */
export interface AppSettings {
  readonly props: SingleProcessAppProps;
  /** The file, or undefined for the built-in example. */
  readonly file?: string;
  /** The line of a prop (a SingleProcessAppError's `prop`, e.g. `replicas.min` or `command[3]`). */
  lineOf(prop: string): number | undefined;
}

/** The props to synthesize: the file named by ONEPROC_APP_SETTINGS, or the example. */
export function appSettings(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const file = env[ENV.appSettings];
  if (!file) return { props: EXAMPLE_APP, lineOf: () => undefined };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new AppSettingsError(`${ENV.appSettings}: cannot read ${file}: ${reason}`);
  }
  // JSON is YAML. The props are validated by SingleProcessApp, which names any bad one.
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0];
    const where = line ? `${file}:${line.line}:${line.col}` : file;
    const message = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new AppSettingsError(`${ENV.appSettings}: ${where}: ${message}`);
  }
  const props = doc.toJS() as SingleProcessAppProps;
  return { props, file, lineOf: (prop) => lineOf(doc, lines, prop) };
}

/**
 * The line of a dotted prop path in the document. Keys may hold dots themselves (an annotation
 * `example.com/owner`), so each step takes the longest run of segments that is a key there; a prop that
 * is missing is placed at the deepest part of its path that exists.
 */
function lineOf(doc: Document, lines: LineCounter, prop: string): number | undefined {
  const segments = prop.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node: unknown = doc.contents;
  let at: number | undefined = lineAt(node, lines);
  let i = 0;
  while (i < segments.length && node && typeof node === 'object' && 'items' in node) {
    const index = /^\[(\d+)\]$/.exec(segments[i]!);
    let next: unknown;
    let used = 1;
    if (index) {
      next = (node as { items: unknown[] }).items[Number(index[1])];
    } else {
      for (let end = segments.length; end > i && next === undefined; end--) {
        if (segments.slice(i + 1, end).some((s) => s.startsWith('['))) continue;
        const key = segments.slice(i, end).join('.');
        const pair = (node as { items: Array<{ key?: { value?: unknown }; value?: unknown }> }).items.find(
          (item) => item?.key?.value === key,
        );
        if (pair) {
          next = pair.value ?? pair.key;
          used = end - i;
        }
      }
    }
    if (next === undefined) break;
    node = next;
    at = lineAt(node, lines) ?? at;
    i += used;
  }
  return at;
}

function lineAt(node: unknown, lines: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}

/** The settings prop that a field of the app's Deployment comes from (`…containers[0].command[3]`). */
function propOfField(path: string): string | undefined {
  const match = /^spec\.template\.spec\.containers\[0\]\.(command|args)(\[\d+\])?/.exec(path);
  if (match) return `${match[1]}${match[2] ?? ''}`;
  if (/^spec\.template\.spec\.containers\[0\]\.env\b/.test(path)) return 'env';
  return undefined;
}

/** Synthesizes the app into `outdir`; errors caused by the settings file name its file and line. */
export function synthesize(env: NodeJS.ProcessEnv = process.env): void {
  const settings = appSettings(env);
  const { props } = settings;
  // `cdk8s synth` passes its output folder (cdk8s.yaml's `output`, or --output) in CDK8S_OUTDIR.
  const app = new App({ outdir: env.CDK8S_OUTDIR ?? 'cdk8s.out' });
  const name = typeof props?.name === 'string' ? props.name : 'app';
  const chart = new Chart(app, name);
  try {
    new SingleProcessApp(chart, name, props);
  } catch (err) {
    if (settings.file === undefined) throw err;
    let prop: string | undefined;
    if (err instanceof SingleProcessAppError) prop = err.prop;
    else if (err instanceof MultipleWorkersError) prop = propOfField(err.findings[0]?.path ?? '');
    else throw err;
    const line = prop === undefined || prop === 'props' ? undefined : settings.lineOf(prop);
    const where = line === undefined ? settings.file : `${settings.file}:${line}`;
    throw new AppSettingsError(`${ENV.appSettings}: ${where}: ${(err as Error).message}`);
  }
  app.synth();
}

if (require.main === module) {
  try {
    synthesize();
  } catch (err) {
    // A mistake in the settings file is the user's to fix: its message, without a stack trace.
    if (!(err instanceof AppSettingsError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
}
