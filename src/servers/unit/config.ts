/**
 * NGINX Unit's configuration made explicit: `unitd` starts each application of its JSON
 * configuration (`applications.NAME`) as `processes` copies, which the `unit` rule judges, each
 * pointing at the line of its `processes`. Pure except for `ctx`; never throws.
 *
 * Where the configuration is (nginx/unit 1.35):
 * - `STATEDIR/conf.json`, the configuration Unit saved and loads at start (`src/nxt_runtime.c`
 *   `nxt_runtime_conf_init`: `"%s%sconf.json"` of `--statedir`, `/var/lib/unit` in the official
 *   images, pkg/docker/template.Dockerfile);
 * - otherwise the `/docker-entrypoint.d/*.json` files that the official images' entrypoint PUTs to
 *   `/config` at the first start, when the state folder is empty (pkg/docker/docker-entrypoint.sh
 *   `curl_put $f "config"`): each replaces the whole configuration, in `find`'s order, so each is
 *   judged.
 * Neither in the image: the configuration comes at run time (a PUT to the control socket, a volume),
 * which a note says.
 *
 * `processes` (src/nxt_conf_validation.c `nxt_conf_vldt_processes`, src/nxt_router.c
 * `nxt_router_conf_create`): absent, one process; an integer N (1 ≤ N ≤ 2³¹−1) keeps N processes (max =
 * spare = N); an object `{max, spare, idle_timeout}` (defaults 1, 0, 15) starts `spare` and more under
 * load up to `max`. Anything else fails validation, and Unit refuses the whole configuration. The
 * text is Unit's JSON, which allows `//` and `/* … *\/` comments (`nxt_conf_json_skip_space`).
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { type FilePlace, fileAt } from '../../place';
import type { Decision } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import type { Expansion, SourceContext, SourceExpander, SourceFile } from '../../sources/types';
import { sourcePath } from '../../sources/types';
import { unitArgs } from './args';
import { spec } from './spec';

/** Applications read per configuration; more is not a real one. */
export const MAX_APPLICATIONS = 200;
/** Configuration snippets read from /docker-entrypoint.d. */
const MAX_SNIPPETS = 20;
const INT32_MAX = 2 ** 31 - 1;

/** Unit's JSON with its comments blanked (newlines kept, so lines stay where they are). */
export function stripUnitComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** One application's `processes`, as Unit's router reads it. */
export function unitProcesses(
  value: unknown,
):
  | { outcome: 'single' }
  | { outcome: 'multiple'; max: number; spare: number }
  | { outcome: 'refused'; why: string } {
  if (value === undefined) return { outcome: 'single' };
  const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  if (int(value)) {
    const n = value as number;
    if (n < 1)
      return { outcome: 'refused', why: 'The "processes" number must be equal to or greater than 1.' };
    if (n > INT32_MAX)
      return { outcome: 'refused', why: `The "processes" number must not exceed ${INT32_MAX}.` };
    return n === 1 ? { outcome: 'single' } : { outcome: 'multiple', max: n, spare: n };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { outcome: 'refused', why: 'The "processes" value must be an integer or an object.' };
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!['max', 'spare', 'idle_timeout'].includes(key))
      return { outcome: 'refused', why: `Unknown parameter "${key.slice(0, 40)}".` };
  for (const key of ['max', 'spare', 'idle_timeout'])
    if (o[key] !== undefined && !int(o[key]))
      return { outcome: 'refused', why: `The "${key}" parameter must be an integer number.` };
  const max = (o.max as number | undefined) ?? 1;
  const spare = (o.spare as number | undefined) ?? 0;
  if (spare < 0) return { outcome: 'refused', why: 'The "spare" number must not be negative.' };
  if (max < 1) return { outcome: 'refused', why: 'The "max" number must be equal to or greater than 1.' };
  if (max > INT32_MAX || spare > INT32_MAX)
    return { outcome: 'refused', why: `The "max" and "spare" numbers must not exceed ${INT32_MAX}.` };
  if (max < spare)
    return { outcome: 'refused', why: 'The "spare" number must be less than or equal to "max".' };
  return max === 1 ? { outcome: 'single' } : { outcome: 'multiple', max, spare };
}

/** The decisions of one configuration file: one per application that runs more than one process. */
export function unitDecisions(
  file: SourceFile,
  cmd: SimpleCommand,
  ctx: Pick<SourceContext, 'report'>,
  applicationsOnly = false,
): { rule: string; command: SimpleCommand; decision: Decision }[] {
  const text = stripUnitComments(file.text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    ctx.report?.({
      level: 'note',
      message: `${file.path} is not JSON Unit can read (${(err as Error).message.slice(0, 120)}), so the applications it would start were not checked`,
      file: file.path,
    });
    return [];
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const lineOf = (...path: string[]): number => {
    const keys = applicationsOnly ? path.slice(1) : path;
    const node = doc.getIn(keys, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
    const parent = doc.getIn(keys.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === keys[keys.length - 1]);
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return 1;
  };
  const apps = applicationsOnly ? json : (json as { applications?: unknown } | null)?.applications;
  if (typeof apps !== 'object' || apps === null || Array.isArray(apps)) return [];
  const out: { rule: string; command: SimpleCommand; decision: Decision }[] = [];
  for (const [name, app] of Object.entries(apps).slice(0, MAX_APPLICATIONS)) {
    if (typeof app !== 'object' || app === null) continue;
    const value = (app as Record<string, unknown>).processes;
    const judged = unitProcesses(value);
    if (judged.outcome === 'single') continue;
    const line = lineOf('applications', name, 'processes');
    const path = sourcePath(file.path, line);
    const at: FilePlace = { file: file.path, line, source: 'config', key: `applications.${name}.processes` };
    const evidence = `"processes": ${JSON.stringify(value).slice(0, 80)}`;
    const shown = JSON.stringify(name).slice(0, 80);
    out.push({
      rule: spec.id,
      command: cmd,
      decision:
        judged.outcome === 'refused'
          ? {
              outcome: 'refused',
              evidence,
              path,
              at,
              why: `Unit's configuration check rejects application ${shown} ("${judged.why}", nxt_conf_vldt_processes), and Unit then refuses the whole configuration`,
            }
          : {
              outcome: 'multiple',
              workers: judged.max,
              evidence,
              path,
              at,
              why:
                judged.max === judged.spare
                  ? `Unit keeps ${judged.max} processes of application ${shown}`
                  : `Unit starts ${judged.spare} of application ${shown} and more under load, up to ${judged.max}`,
            },
    });
  }
  return out;
}

/** curl's options that take a value (curl 7.88 `--help all`), so an option's value is not taken for the URL. */
const CURL_VALUED =
  /^(-[XdTHoAeEuUwmbcKrxyYz]|--(request|data|data-binary|data-raw|data-ascii|data-urlencode|upload-file|header|output|unix-socket|abstract-unix-socket|url|user|user-agent|referer|cookie|cookie-jar|config|max-time|connect-timeout|retry|retry-delay|retry-max-time|write-out|proxy|cacert|cert|key|resolve|connect-to|interface|form))$/;

/**
 * `curl -X PUT --data-binary @FILE --unix-socket SOCKET http://localhost/config` (and `-d @FILE`,
 * `--data @FILE`, `-T FILE`/`--upload-file FILE`, `/config/applications`): a script that gives Unit its
 * configuration through the control socket at run time, as Unit's documentation ("Configuration" →
 * "Control API") and the official entrypoint's `curl_put` do. The file sent is judged as a
 * configuration (or its `applications` object).
 */
export const unitControl: SourceExpander = {
  id: 'unit-control',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const argv = cmd.argv;
    if (!argv[0] || argv[0].unknown || argv[0].text.slice(argv[0].text.lastIndexOf('/') + 1) !== 'curl')
      return undefined;
    let method: string | undefined;
    let data: Word | undefined;
    let upload = false;
    let socket = false;
    let url: Word | undefined;
    // Options as curl reads them: `--name value`, `--name=value`, and bundled short ones (`-sX PUT`,
    // `-d@file`), a short option that takes a value taking the rest of the word or the next word.
    const options: { flag: string; value?: Word }[] = [];
    for (let i = 1; i < argv.length; i++) {
      const t = argv[i].text;
      if (t.startsWith('--')) {
        const eq = t.indexOf('=');
        if (eq > 0) options.push({ flag: t.slice(0, eq), value: { ...argv[i], text: t.slice(eq + 1) } });
        else if (CURL_VALUED.test(t)) options.push({ flag: t, value: argv[++i] });
        else options.push({ flag: t });
      } else if (t.startsWith('-') && t.length > 1) {
        for (let j = 1; j < t.length; j++) {
          const flag = `-${t[j]}`;
          if (!CURL_VALUED.test(flag)) {
            options.push({ flag });
            continue;
          }
          const rest = t.slice(j + 1);
          options.push({ flag, value: rest ? { ...argv[i], text: rest } : argv[++i] });
          break;
        }
      } else options.push({ flag: '', value: argv[i] });
    }
    for (const { flag, value } of options) {
      if (flag === '-X' || flag === '--request') method = value?.text.toUpperCase();
      else if (['-d', '--data', '--data-binary', '--data-ascii'].includes(flag)) data = value;
      else if (flag === '-T' || flag === '--upload-file') {
        data = value;
        upload = true;
      } else if (flag === '--unix-socket' || flag === '--abstract-unix-socket') socket = true;
      else if (flag === '--url' || flag === '') url = value;
    }
    if (!url || url.unknown || !data || data.unknown) return undefined;
    const target = /^(?:https?:\/\/)?[^/]*(\/config(?:\/applications)?)\/?$/.exec(url.text)?.[1];
    if (!target || !(socket || /^(?:https?:\/\/)?(localhost|127\.0\.0\.1)(:\d+)?\//.test(url.text)))
      return undefined;
    if (!upload && method !== 'PUT') return undefined;
    const name = upload ? data.text : data.text.startsWith('@') ? data.text.slice(1) : undefined;
    if (!name || name === '-') return undefined;
    const file = ctx.readFile(name);
    if (!file) {
      const at = fileAt(url);
      ctx.report?.({
        level: 'note',
        message: `${name}, the NGINX Unit configuration \`curl\` sends to ${target}, is not in the image${ctx.whence ? ` (${ctx.whence(name)})` : ''}, so the applications it sets were not checked`,
        ...(at ? { file: at.file, line: at.line } : {}),
      });
      return { commands: [], chain: [] };
    }
    const decisions = unitDecisions(file, cmd, ctx, target === '/config/applications');
    return { commands: [], decisions, chain: [file.path] };
  },
};

export const unitConfig: SourceExpander = {
  id: 'unit-config',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const args = unitArgs(cmd);
    const first = args?.argv[0];
    if (!args || !first || first.unknown || args.printsOnly) return undefined;
    const state = args.statedir;
    if (state?.unknown) return undefined;
    const dir = (state?.text ?? '/var/lib/unit').replace(/\/+$/, '');
    const stored = ctx.readFile(`${dir}/conf.json`);
    const files: SourceFile[] = [];
    if (stored) files.push(stored);
    else {
      const snippets = (ctx.listFiles?.('/docker-entrypoint.d') ?? [])
        .filter((n) => n.endsWith('.json'))
        .sort()
        .slice(0, MAX_SNIPPETS);
      for (const n of snippets) {
        const f = ctx.readFile(`/docker-entrypoint.d/${n}`);
        if (f) files.push(f);
      }
    }
    if (files.length === 0) {
      const at = /^(.*[^\]]):(\d+)$/.exec(first.path);
      ctx.report?.({
        level: 'note',
        message: `\`${first.text}\` (NGINX Unit) starts the applications of its configuration, and none is in the image${ctx.source === 'repository' ? ' as its Dockerfile builds it' : ''} (${dir}/conf.json, /docker-entrypoint.d/*.json): it is given at run time, so the applications it starts were not checked (a \`curl -X PUT --data-binary @FILE\` to its control socket in a script is read where it runs)`,
        ...(at && !at[1].includes('[') ? { file: at[1], line: Number(at[2]) } : {}),
      });
      return { commands: [], chain: [] };
    }
    const decisions = files.flatMap((f) => unitDecisions(f, cmd, ctx));
    return { commands: [], decisions, chain: files.map((f) => f.path) };
  },
};

/** Unit's readers as one: its stored or entrypoint configuration for `unitd`, a curl PUT for `curl`. */
export const unitReaders: SourceExpander = {
  id: 'unit',
  expand(cmd, ctx) {
    return unitConfig.expand(cmd, ctx) ?? unitControl.expand(cmd, ctx);
  },
};
