/**
 * pm2's ecosystem and process files made explicit (Unitech/pm2 7.0.3; npm pm2 7.0.4 run on this
 * machine): `pm2-runtime start ecosystem.config.js`, `pm2-runtime process.yml`, `pm2 start
 * ecosystem.config.{js,cjs,mjs}`, `pm2 start process.json --only api`, and a bare `pm2 start`, which
 * loads `ecosystem.config.js` (`lib/binaries/CLI.js` with `constants.js APP_CONF_DEFAULT_FILE`).
 *
 * What pm2 does with the file, and what is read here:
 * - `lib/Common.js parseConfig`: `.json` is evaluated as one JavaScript expression, `.yml`/`.yaml` are
 *   loaded with js-yaml, `.config.js`/`.cjs`/`.mjs` are `require`d. Here JS and JSON are parsed with
 *   acorn and only literal values are evaluated (see `../javascript.ts`); YAML with `yaml`.
 * - `lib/API.js _startJson`: the apps are `apps`, else `pm2`, else the file's value itself, one object
 *   or an array; `--only a,b` keeps the apps with those names (split at commas and spaces); `-i` on
 *   the command line is ignored (the CLI passes it as text, and only a number is applied).
 * - `lib/Common.js verifyConfs`: `cmd`/`command` alias `script`; a `script` with a space runs as
 *   `bash -c SCRIPT`; `instances: 'max'` becomes 0 and other text `parseInt(…) || 0`;
 *   `lib/tools/Config.js` rejects an `instances` that is neither a number nor text.
 * - `lib/God.js prepare`: `instances` 0 → one per CPU, negative → CPUs + n, ≤ 0 → 1, absent → one
 *   process; then N processes are started in either exec mode. `exec_mode: 'fork'` does not limit the
 *   count: `timesLimit(env.instances, …)` forks N times (checked: pm2-runtime on an ecosystem file
 *   with `exec_mode: 'fork', instances: 3` runs 3 node processes). `exec_mode` only chooses between
 *   node's cluster module and plain child processes, so it is not read.
 * - `lib/Common.js resolveAppAttributes`: the app's environment is pm2's own (the container's) plus
 *   the app's `env` (plus `env_NAME` with `--env NAME`, `mergeEnvironmentVariables`); the interpreter
 *   is `interpreter`/`exec_interpreter`, else by extension (`lib/API/interpreter.json`: `.py` python,
 *   `.rb` ruby, `.sh` bash, `.js` node, …), else the script runs as a program (`none`).
 *
 * Each app's `instances` becomes a pm2 decision at the line of the value; each app whose script is not
 * a node script becomes the command pm2 runs (`gunicorn -w 4 app:app` from `script: 'gunicorn', args:
 * '-w 4 app:app'`), judged by the same rules, so N instances of a server with its own workers report
 * both. A value that cannot be read is a warning naming the file and line, never a throw.
 */
import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { type FilePlace, fileLine, isFilePlace, placeOf } from '../../place';
import type { Decision } from '../../rules/types';
import { containerCommands } from '../../shell';
import type { Env, EnvEntry, SimpleCommand } from '../../shell/types';
import {
  type JsEnvironment,
  type JsModule,
  type JsValue,
  readJsExpression,
  readJsModule,
} from '../../sources/javascript';
import type { Expansion, SourceContext, SourceExpander, SourceFile } from '../../sources/types';
import { contextIn, sourcePath } from '../../sources/types';
import { decideInstances } from '../pm2/rule';
import { type Pm2FileStart, pm2FileStart } from './args';
import { spec } from './spec';

/** `lib/API/interpreter.json`: the interpreter pm2 picks for a script by its extension. */
const INTERPRETERS: Record<string, string> = {
  '.sh': 'bash',
  '.py': 'python',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.js': 'node',
  '.coffee': 'coffee',
  '.ls': 'lsc',
  '.ts': 'bun',
  '.tsx': 'bun',
};
/** Scripts run by node (or bun): their worker processes are pm2's instances, judged above. */
const NODE_INTERPRETER = /(^|\/)(node|nodejs|bun|ts-node|tsx|coffee|lsc)(@[\w.]*)?$/;
const NODE_SCRIPT = /\.(c|m)?(js|ts)x?$/;

/** The value of a pm2 file: JS and JSON with acorn, YAML with `yaml`. */
export function readPm2File(file: SourceFile, env: JsEnvironment): JsModule {
  const name = file.path;
  if (/\.ya?ml/.test(name)) return readYaml(file.text);
  if (name.includes('.json')) return readJsExpression(file.text, env);
  return readJsModule(file.text, env, name.includes('.config.mjs'));
}

/**
 * The pm2 reader. `inner` gives the readers tried on each app's command, so an app's own files
 * (`gunicorn -c gunicorn.conf.py`, `python main.py` with `uvicorn.run`) are read as anywhere else; it is
 * a function because the registry (expanders.ts) holds this reader too.
 */
export function pm2Reader(inner: () => readonly SourceExpander[] = () => []): SourceExpander {
  return {
    id: 'pm2-config',
    async expand(cmd: SimpleCommand, ctx: SourceContext): Promise<Expansion | undefined> {
      const start = pm2FileStart(cmd);
      if (!start) return undefined;
      const file = ctx.readFile(start.file.text);
      if (!file) return undefined;
      const module = readPm2File(file, { env: cmd.env, envFrom: cmd.envFrom });
      const decisions: { rule: string; command: SimpleCommand; decision: Decision }[] = [];
      const commands: SimpleCommand[] = [];
      // Programs an app starts by itself (an app that is supervisord), followed like any command.
      const programs: NonNullable<Expansion['programs']>[number][] = [];
      const chain: string[] = [file.path];
      const decide = (decision: Decision) => decisions.push({ rule: spec.id, command: cmd, decision });
      if (!module.ok) {
        decide({
          outcome: 'unknown',
          evidence: start.written,
          path: sourcePath(file.path, module.line),
          at: lineIn(file.path, module.line),
          why: `${file.path} ${module.why}`,
        });
        return { commands, decisions, chain };
      }
      const apps = appList(module.value);
      if (apps.kind === 'unknown') {
        decide({
          outcome: 'unknown',
          evidence: start.written,
          path: sourcePath(file.path, apps.line),
          at: lineIn(file.path, apps.line),
          why: `the apps of ${file.path} cannot be read: ${apps.why}`,
        });
        return { commands, decisions, chain };
      }
      const only = onlyNames(start);
      for (const app of apps.items) {
        if (app.kind === 'unknown') {
          decide({
            outcome: 'unknown',
            evidence: `${start.written}: ${app.text}`,
            path: sourcePath(file.path, app.line),
            at: lineIn(file.path, app.line),
            why: app.why,
          });
          continue;
        }
        if (app.kind !== 'object') continue;
        if (only && !only.has(appName(app))) continue;
        const instances = app.props.get('instances');
        if (instances) decide(instancesDecision(instances, file.path));
        const notFollowed = (what: JsValue, why: string) =>
          ctx.report?.({
            level: 'note',
            message: `the ${why} of the app \`${appName(app) || 'app'}\` in ${file.path} cannot be known here (${what.kind === 'unknown' ? what.why : `\`${what.text}\``}), so what the app starts was not followed`,
            file: file.path,
            line: what.line,
          });
        for (const command of appCommand(app, file.path, cmd, start, notFollowed) ?? []) {
          // The app's own files (gunicorn.conf.py, main.py with uvicorn.run) are read as anywhere else.
          const nested = await followApp(command, appContext(app, ctx), inner());
          commands.push(...(nested?.commands ?? [command]));
          decisions.push(...(nested?.decisions ?? []));
          programs.push(...(nested?.programs ?? []));
        }
      }
      return { commands, decisions, chain, ...(programs.length > 0 ? { programs } : {}) };
    },
  };
}

/** The pm2 reader on its own (an app's command is judged as it stands). */
export const pm2Config: SourceExpander = pm2Reader();

/** The other readers on the command an app runs (not pm2's own: an app is not a pm2 file). */
async function followApp(
  command: SimpleCommand,
  ctx: SourceContext,
  readers: readonly SourceExpander[],
): Promise<Expansion | undefined> {
  for (const expander of readers) {
    if (expander.id === 'pm2-config') continue;
    try {
      const expansion = await expander.expand(command, ctx);
      if (expansion) return expansion;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The app's files are relative to its `cwd` (`lib/Common.js resolveAppAttributes`), else pm2's. */
function appContext(app: Extract<JsValue, { kind: 'object' }>, ctx: SourceContext): SourceContext {
  const cwd = text(app.props.get('cwd'));
  return cwd ? contextIn(ctx, path.posix.resolve(ctx.workdir, cwd)) : ctx;
}

/** `apps`, else `pm2`, else the value itself; one object or a list (`lib/API.js _startJson`). */
function appList(
  value: JsValue,
): { kind: 'list'; items: readonly JsValue[] } | Extract<JsValue, { kind: 'unknown' }> {
  if (value.kind === 'unknown') return value;
  let apps: JsValue = value;
  if (value.kind === 'object') {
    const listed = value.props.get('apps') ?? value.props.get('pm2');
    if (listed && !(listed.kind === 'primitive' && !listed.value)) apps = listed;
  }
  if (apps.kind === 'unknown') return apps;
  return { kind: 'list', items: apps.kind === 'array' ? apps.items : [apps] };
}

/** `--only a,b c` → the names pm2 keeps; undefined when every app starts (or the value is unknown). */
function onlyNames(start: Pm2FileStart): Set<string> | undefined {
  if (!start.only || start.only.unknown) return undefined;
  return new Set(start.only.text.split(/,| /));
}

/** The app's name, or the one pm2 renders from the script (`Common.renderApplicationName`). */
function appName(app: Extract<JsValue, { kind: 'object' }>): string {
  const name = text(app.props.get('name'));
  if (name) return name;
  const script = text(app.props.get('script') ?? app.props.get('exec') ?? app.props.get('cmd'));
  if (!script) return '';
  const base = script.slice(script.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function text(v: JsValue | undefined): string | undefined {
  return v?.kind === 'primitive' && typeof v.value === 'string' ? v.value : undefined;
}

/** A line of the process file, as the place of what is decided there. */
function lineIn(file: string, line: number): FilePlace {
  return { file, line, source: 'config' };
}

/** An app's `instances` value, judged with the meaning pm2 gives it (the same as `-i`), at its line. */
function instancesDecision(v: JsValue, file: string): Decision {
  const decision = instancesValue(v, file);
  return decision.outcome === 'single' ? decision : { ...decision, at: lineIn(file, v.line) };
}

function instancesValue(v: JsValue, file: string): Decision {
  const path = sourcePath(file, v.line);
  const at = lineIn(file, v.line);
  const written = `instances: ${v.text}`;
  switch (v.kind) {
    case 'unknown':
      return { outcome: 'unknown', evidence: written, path, why: v.why };
    case 'cpus':
      return decideInstances({ text: `$((${v.formula}))`, path, at }, written, path);
    case 'primitive': {
      const value = v.value;
      if (value === undefined || value === null) return { outcome: 'single', evidence: written, path };
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) {
          return { outcome: 'unknown', evidence: written, path, why: `pm2 cannot start ${value} instances` };
        }
        return decideInstances({ text: String(Math.trunc(value)), path, at }, written, path);
      }
      if (typeof value === 'string') return decideInstances({ text: value, path, at }, written, path);
      break;
    }
    default:
      break;
  }
  return {
    outcome: 'unknown',
    evidence: written,
    path,
    why: 'pm2 expects a number (or "max") for `instances` and refuses this file',
  };
}

/**
 * The command pm2 runs for an app whose script is not node's, as the shell layer reads it (so `bash -c
 * SCRIPT`, `python -m`, `env A=B` are handled as anywhere else), with the app's environment. Node
 * scripts give none: their process count is `instances`, judged above.
 */
function appCommand(
  app: Extract<JsValue, { kind: 'object' }>,
  file: string,
  cmd: SimpleCommand,
  start: Pm2FileStart,
  notFollowed: (value: JsValue, what: string) => void,
): SimpleCommand[] | undefined {
  const script =
    app.props.get('script') ?? app.props.get('exec') ?? app.props.get('cmd') ?? app.props.get('command');
  if (script?.kind === 'unknown' || script?.kind === 'cpus') {
    notFollowed(script, 'script');
    return undefined;
  }
  if (script?.kind !== 'primitive' || typeof script.value !== 'string' || script.value === '')
    return undefined;
  const at = (v: JsValue): FilePlace => configLine(file, v.line);
  const words: { text: string; at: FilePlace }[] = [];
  const interpreterValue = app.props.get('interpreter') ?? app.props.get('exec_interpreter');
  const interpreter = interpreterValue?.kind === 'primitive' ? interpreterValue.value : undefined;
  if (/\s/.test(script.value.trim())) {
    // `lib/Common.js verifyConfs`: a script with a space runs as `bash -c SCRIPT` (args replaced).
    words.push(
      { text: 'bash', at: at(script) },
      { text: '-c', at: at(script) },
      { text: script.value, at: at(script) },
    );
  } else {
    const ext = /\.[^./]+$/.exec(script.value)?.[0] ?? '';
    const chosen = typeof interpreter === 'string' && interpreter !== '' ? interpreter : INTERPRETERS[ext];
    if (chosen === undefined ? NODE_SCRIPT.test(script.value) : NODE_INTERPRETER.test(chosen))
      return undefined;
    if (chosen !== undefined && chosen !== 'none') {
      words.push({ text: chosen, at: at(interpreterValue ?? script) });
      const interpreterArgs =
        app.props.get('interpreter_args') ?? app.props.get('interpreterArgs') ?? app.props.get('node_args');
      if (interpreterArgs) words.push(...(argWords(interpreterArgs, file) ?? []));
    }
    words.push({ text: script.value, at: at(script) });
    const args = app.props.get('args');
    if (args) {
      const list = argWords(args, file);
      if (!list) {
        notFollowed(args, 'args');
        return undefined;
      }
      words.push(...list);
    }
  }
  const env = appEnv(app, file, cmd.env, start);
  const entries = [...env.values()];
  // Each word and variable keeps the place it was written at: a line of this file, or the field of
  // the container pm2 runs in.
  const envPlaces = entries.map((e) => placeOf(e));
  const parsed = containerCommands(
    {
      // Words from the file reach the program as written: no `$(VAR)` expansion by a kubelet.
      command: words.map((w) => w.text.replaceAll('$', () => '$$')),
      env: entries.map((e) =>
        e.value !== undefined && !e.unknown
          ? { name: e.name, value: e.value.replaceAll('$', () => '$$') }
          : { name: e.name, valueFrom: {} },
      ),
    },
    sourcePath(file, script.line),
    undefined,
    { places: { command: words.map((w) => w.at), env: envPlaces } },
  );
  const byName = new Map(entries.map((e, i) => [e.name, i]));
  // A variable the command still has as pm2 set it is pm2's entry (with its own reason when unknown);
  // one the command line sets anew (`env A=B`, `A=B cmd`) is the command's.
  const asSet = (e: EnvEntry): EnvEntry => {
    const i = byName.get(e.name);
    if (i === undefined) return e;
    const original = entries[i];
    const place = envPlaces[i];
    const same = isFilePlace(place)
      ? e.at === place
      : e.at === undefined && (e.path === original.path || e.path === `${original.path}.value`);
    return same ? original : e;
  };
  return parsed.commands.map((c) => ({
    ...c,
    env: new Map([...c.env].map(([name, e]): [string, EnvEntry] => [name, asSet(e)])),
    wrappers: [...cmd.wrappers, ...c.wrappers, `${start.written} (${appName(app) || 'app'})`],
    envFrom: cmd.envFrom,
  }));
}

/**
 * `args` / `interpreter_args` as words: a list, or text split the way `lib/tools/Config.js` splits it
 * (at blanks; a word wholly in quotes loses them; `k="a b"` stays one word). Undefined when unknown.
 */
function argWords(v: JsValue, file: string): { text: string; at: FilePlace }[] | undefined {
  const at = configLine(file, v.line);
  if (v.kind === 'array') {
    const out: { text: string; at: FilePlace }[] = [];
    for (const item of v.items) {
      if (item.kind !== 'primitive' || item.value === undefined || item.value === null) return undefined;
      out.push({ text: String(item.value), at: configLine(file, item.line) });
    }
    return out;
  }
  if (v.kind !== 'primitive' || typeof v.value !== 'string') return undefined;
  const tokens = v.value.match(/[^\s"'=]+="[^"]*"|[^\s"'=]+='[^']*'|"[^"]*"|'[^']*'|\S+/g) ?? [];
  return tokens
    .map((t) => (/^(["']).*\1$/.test(t) && t.length >= 2 ? t.slice(1, -1) : t))
    .filter((t) => t.trim() !== '')
    .map((t) => ({ text: t, at }));
}

/** pm2's environment (the container's) plus the app's `env` and, with `--env NAME`, its `env_NAME`. */
function appEnv(
  app: Extract<JsValue, { kind: 'object' }>,
  file: string,
  base: Env,
  start: Pm2FileStart,
): Env {
  const env = new Map(base);
  const merge = (v: JsValue | undefined) => {
    if (v?.kind !== 'object') return;
    for (const [name, value] of v.props) {
      const at = configLine(file, value.line);
      const path = fileLine(at);
      if (value.kind === 'primitive' && value.value !== undefined && value.value !== null) {
        env.set(name, { name, value: String(value.value), path, at });
      } else if (value.kind === 'unknown' || value.kind === 'cpus') {
        const why = value.kind === 'unknown' ? value.why : `${name} is the number of CPUs`;
        env.set(name, { name, unknown: why, path, at });
      }
    }
  };
  merge(app.props.get('env'));
  if (start.envName && !start.envName.unknown) merge(app.props.get(`env_${start.envName.text}`));
  return env;
}

/** A line of the process file, where a word or variable of an app was written. */
function configLine(file: string, line: number): FilePlace {
  return { file, line, source: 'config' };
}

/** A YAML process file as values with their lines (pm2 loads it with js-yaml: plain data, no code). */
function readYaml(text: string): JsModule {
  const lines = new LineCounter();
  // js-yaml (pm2's loader) applies `<<` merge keys.
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: false,
    prettyErrors: false,
    merge: true,
  });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    return {
      ok: false,
      why: `it cannot be parsed (${err.message.split('\n')[0]})`,
      line: err.linePos?.[0].line ?? 1,
    };
  }
  const seen = new Map<YamlNode, JsValue>();
  const convert = (node: unknown, depth: number): JsValue => {
    const n = node as YamlNode | null | undefined;
    const line = n?.range ? lines.linePos(n.range[0]).line : 1;
    const shown = n?.range ? text.slice(n.range[0], n.range[1]).trim().replace(/\s+/g, ' ').slice(0, 80) : '';
    if (!n) return { kind: 'primitive', value: null, line, text: shown };
    if (depth > 64)
      return {
        kind: 'unknown',
        why: 'the YAML nests more than 64 levels deep, past what oneproc follows',
        line,
        text: shown,
      };
    const cached = seen.get(n);
    if (cached) return cached;
    let out: JsValue;
    if (isAlias(n)) {
      const target = n.resolve(doc);
      out = target
        ? convert(target, depth + 1)
        : { kind: 'unknown', why: `alias ${n.source} is not defined`, line, text: shown };
    } else if (isScalar(n)) {
      const v = n.value;
      out =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
          ? { kind: 'primitive', value: v, line, text: shown }
          : { kind: 'primitive', value: String(v), line, text: shown };
    } else if (isSeq(n)) {
      out = { kind: 'array', items: n.items.map((i) => convert(i, depth + 1)), line, text: shown };
    } else if (isMap(n)) {
      // `<<: *base` (or a list of aliases) merges maps in; the map's own keys win, wherever written.
      const merged = new Map<string, JsValue>();
      const own = new Map<string, JsValue>();
      for (const pair of n.items) {
        const key = convert(pair.key, depth + 1);
        if (key.kind !== 'primitive') continue;
        const value = convert(pair.value, depth + 1);
        if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
          const sources = value.kind === 'array' ? value.items : [value];
          for (const source of sources) {
            if (source.kind === 'object')
              for (const [k, v] of source.props) if (!merged.has(k)) merged.set(k, v);
          }
        } else {
          own.set(String(key.value), value);
        }
      }
      const props = new Map([...merged, ...own]);
      out = { kind: 'object', props, line, text: shown };
    } else {
      out = { kind: 'unknown', why: 'this YAML node is not plain data', line, text: shown };
    }
    seen.set(n, out);
    return out;
  };
  return { ok: true, value: convert(doc.contents, 0) };
}
