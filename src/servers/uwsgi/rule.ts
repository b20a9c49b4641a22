/**
 * uWSGI: how many worker processes `uwsgi …` starts.
 *
 * Read from unbit/uwsgi 2.0.30 (6cbb217); Debian ships 2.0.21 (with `uwsgi-plugin-python3`):
 * - `core/uwsgi.c`: `{"processes", required_argument, 'p', …}` and `{"workers", required_argument,
 *   'p', …}` are one option; integers are read with `atoi` (so `--processes %k` on a command line is 0,
 *   which uWSGI runs in no-workers mode — `%k` is a config-file magic variable only). `-M` is
 *   `--master`; `-w` is the python plugin's `--wsgi` (a module name, not a count). `--threads`,
 *   `--async` and `--gevent` are not processes. `--cheaper`/`--cheaper-initial` start fewer workers
 *   and grow up to `--processes`, so the maximum is still `--processes`.
 * - The command line is read with `getopt_long` (short options cluster: `-Mp4`); each option is
 *   applied in order, after the environment: `core/utils.c parse_sys_envs` turns every `UWSGI_<OPT>`
 *   variable into an option (UWSGI_PROCESSES, UWSGI_WORKERS, UWSGI_INI, …). A config file option
 *   (`--ini`, `--yaml`, `--json`, `--xml`, …) is applied where it stands, so a later `--processes`
 *   beats an earlier `--ini` and vice versa; words left after the options are loaded as config files
 *   last (`uwsgi app.ini`). Values then go through uWSGI's `$(NAME)` (environment) and `@(FILE)`
 *   passes (observed on 2.0.21: `--processes '$(FOO)'` with FOO=3 starts 3 workers).
 *
 * Decisions: a config file applied after the last count (or with no count at all) may set
 * `processes`, which this manifest cannot show: a warning, unless the count before it is already
 * above one (reported as that count). `--emperor` starts vassals whose counts live in their own
 * files: a warning.
 */

import { type Count, decideCount, envEvidence, readCount } from '../../argv/counts';
import { atoi, C_ATOI } from '../../argv/ints';
import type { Decision, ServerRule } from '../../rules/types';
import { cpuFormulaBounds } from '../../shell/arith';
import type { EnvEntry, SimpleCommand, Word } from '../../shell/types';
import { runsUwsgi } from './args';
import { spec } from './spec';

/** Short options that take an argument (getopt's `x:`); every other letter is a flag. */
const SHORT_WITH_ARG = new Set('spwHblRztdxyjAQOS'.split(''));

/** Long options known to take a value (unknown long options are taken as flags, the safe side). */
const LONG_WITH_VALUE = new Set([
  'socket',
  'uwsgi-socket',
  'http',
  'http-socket',
  'https',
  'https-socket',
  'fastcgi-socket',
  'module',
  'wsgi',
  'wsgi-file',
  'file',
  'callable',
  'chdir',
  'chdir2',
  'home',
  'venv',
  'virtualenv',
  'pythonpath',
  'python-path',
  'pp',
  'mount',
  'uid',
  'gid',
  'buffer-size',
  'listen',
  'harakiri',
  'max-requests',
  'threads',
  'offload-threads',
  'logto',
  'logto2',
  'stats',
  'pidfile',
  'pidfile2',
  'static-map',
  'env',
  'mule',
  'attach-daemon',
  'smart-attach-daemon',
  'touch-reload',
  'cheaper',
  'cheaper-initial',
  'cheaper-step',
  'cheaper-algo',
  'plugin',
  'plugins',
  'need-plugin',
  'async',
  'gevent',
  'route',
  'http-timeout',
  'socket-timeout',
  'reload-mercy',
  'worker-reload-mercy',
  'limit-as',
  'reload-on-rss',
  'evil-reload-on-rss',
  'procname',
  'procname-prefix',
  'procname-master',
  'set',
  'set-placeholder',
  'chmod-socket',
  'log-format',
  'logformat',
]);

const CONFIG_OPTIONS = new Set([
  'ini',
  'yaml',
  'yml',
  'json',
  'js',
  'xml',
  'ini-paste',
  'ini-paste-logged',
  'include',
  'inherit',
  'sqlite3',
  'sqlite',
  'ldap',
]);
const CONFIG_SHORT: Record<string, string> = { x: 'xml', y: 'yaml', j: 'json' };
const CONFIG_FILE = /\.(ini|ya?ml|json|js|xml)$/;

type Event =
  | { kind: 'count'; evidence: string; path: string; value: Word | EnvEntry; fromEnv: boolean }
  | { kind: 'config'; evidence: string; path: string }
  | { kind: 'emperor'; evidence: string; path: string }
  | { kind: 'cheaper'; evidence: string };

function envEvents(cmd: SimpleCommand): Event[] {
  const events: Event[] = [];
  for (const entry of cmd.env.values()) {
    if (!entry.name.startsWith('UWSGI_')) continue;
    const option = entry.name.slice(6).toLowerCase().replace(/_/g, '-');
    const evidence = envEvidence(entry);
    if (option === 'processes' || option === 'workers') {
      events.push({ kind: 'count', evidence, path: entry.path, value: entry, fromEnv: true });
    } else if (CONFIG_OPTIONS.has(option)) {
      events.push({ kind: 'config', evidence, path: entry.path });
    } else if (option === 'emperor') {
      events.push({ kind: 'emperor', evidence, path: entry.path });
    } else if (option === 'cheaper' || option === 'cheaper-initial') {
      events.push({ kind: 'cheaper', evidence });
    }
  }
  return events;
}

function optionEvent(option: string, written: string, value: Word | undefined, at: Word): Event | undefined {
  const path = value?.path ?? at.path;
  if (option === 'processes' || option === 'workers' || option === 'p') {
    if (!value) return undefined;
    return { kind: 'count', evidence: written, path, value, fromEnv: false };
  }
  if (CONFIG_OPTIONS.has(option)) return { kind: 'config', evidence: written, path };
  if (option === 'emperor') return { kind: 'emperor', evidence: written, path };
  if (option === 'cheaper' || option === 'cheaper-initial') return { kind: 'cheaper', evidence: written };
  return undefined;
}

/** The command line's events in the order uWSGI applies them: options first, then config files. */
function cliEvents(argv: readonly Word[]): Event[] {
  const events: Event[] = [];
  const positional: Event[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i];
    const text = word.text;
    if (text === '--') {
      for (const rest of argv.slice(i + 1)) pushPositional(positional, rest);
      break;
    }
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const name = eq >= 0 ? text.slice(2, eq) : text.slice(2);
      const wantsValue =
        name === 'processes' ||
        name === 'workers' ||
        name === 'emperor' ||
        CONFIG_OPTIONS.has(name) ||
        LONG_WITH_VALUE.has(name);
      let value: Word | undefined;
      let written = text;
      if (eq >= 0) value = { text: text.slice(eq + 1), unknown: word.unknown, path: word.path };
      else if (wantsValue && i + 1 < argv.length) {
        value = argv[++i];
        written = `${text} ${value.text}`;
      }
      const event = optionEvent(name, written, value, word);
      if (event) events.push(event);
      continue;
    }
    if (text.startsWith('-') && text.length > 1) {
      for (let j = 1; j < text.length; j++) {
        const letter = text[j];
        if (!SHORT_WITH_ARG.has(letter)) continue;
        let value: Word | undefined;
        let written: string;
        if (j + 1 < text.length) {
          value = { text: text.slice(j + 1), unknown: word.unknown, path: word.path };
          written = text;
        } else if (i + 1 < argv.length) {
          value = argv[++i];
          written = `${text} ${value.text}`;
        } else {
          written = text;
        }
        const event = optionEvent(CONFIG_SHORT[letter] ?? letter, written, value, word);
        if (event) events.push(event);
        break;
      }
      continue;
    }
    pushPositional(positional, word);
  }
  return [...events, ...positional];
}

function pushPositional(into: Event[], word: Word): void {
  if (!word.text.startsWith('[') && CONFIG_FILE.test(word.text)) {
    into.push({ kind: 'config', evidence: word.text, path: word.path });
  }
}

/**
 * uWSGI's own passes over option values (`core/uwsgi.c`, after parsing): `$(NAME)` is replaced by the
 * environment variable NAME and `@(FILE)` by the file's content. Kubernetes has already replaced the
 * `$(NAME)` it knows, so what is left names a variable the pod does not set literally (the image may) or
 * a file: unknown here, unless the pod env knows it after all (a reference to a later entry).
 */
function uwsgiExpand(text: string, env: SimpleCommand['env']): { text: string } | { why: string } {
  if (/@\(/.test(text)) return { why: `uWSGI reads \`${text}\` from a file at start-up` };
  let why: string | undefined;
  const expanded = text.replace(/\$\(([^)]*)\)/g, (whole, name: string) => {
    const entry = env.get(name);
    if (entry && entry.value !== undefined && !entry.unknown) return entry.value;
    why ??= entry?.unknown ?? `uWSGI expands ${whole} from its environment, which the image may set`;
    return whole;
  });
  return why ? { why } : { text: expanded };
}

/** uWSGI reads integers with atoi; a value the shell could not resolve stays unknown. */
function countOf(value: Word | EnvEntry, env: SimpleCommand['env']): Count {
  const known = 'name' in value ? value.value : value.text;
  const unknown =
    value.unknown ?? (known === undefined ? `${(value as EnvEntry).name} is not known here` : undefined);
  if (unknown !== undefined || known === undefined) {
    if (known !== undefined && cpuFormulaBounds(known)) return readCount({ text: known }, C_ATOI);
    return { kind: 'unknown', why: unknown ?? 'not known here' };
  }
  const expanded = uwsgiExpand(known, env);
  if ('why' in expanded) return { kind: 'unknown', why: expanded.why };
  // atoi never reads a formula: `$(nproc)` written literally is 0.
  return { kind: 'number', n: atoi(expanded.text) };
}

export const uwsgi: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: runsUwsgi,
  decide(cmd) {
    const events = [...envEvents(cmd), ...cliEvents(cmd.argv)];
    const emperor = events.find((e) => e.kind === 'emperor');
    if (emperor && emperor.kind === 'emperor') {
      return {
        outcome: 'unknown',
        evidence: emperor.evidence,
        path: emperor.path,
        why: 'in emperor mode each vassal is a uWSGI instance whose process count is in its own config file',
      };
    }
    let lastCount = -1;
    events.forEach((e, i) => {
      if (e.kind === 'count') lastCount = i;
    });
    const configAfter = events.slice(lastCount + 1).find((e) => e.kind === 'config');
    const cheaper = events.find((e) => e.kind === 'cheaper');
    const count = lastCount >= 0 ? events[lastCount] : undefined;
    let decision: Decision = { outcome: 'single' };
    if (count && count.kind === 'count') {
      decision = decideCount(countOf(count.value, cmd.env), count.evidence, count.path);
    }
    if (configAfter && configAfter.kind === 'config') {
      if (decision.outcome === 'multiple') {
        return { ...decision, why: `unless \`${configAfter.evidence}\`, applied after it, sets processes` };
      }
      if (decision.outcome === 'unknown') return decision;
      return {
        outcome: 'unknown',
        evidence: configAfter.evidence,
        path: configAfter.path,
        why:
          'the config file may set `processes`, which this manifest cannot show ' +
          '(a `--processes` after it on the command line would win)',
      };
    }
    if (decision.outcome === 'multiple' && cheaper && cheaper.kind === 'cheaper') {
      return { ...decision, why: `\`${cheaper.evidence}\` starts fewer and grows up to this many` };
    }
    return decision;
  },
  fix(decision) {
    if (decision.outcome === 'single') return '';
    const evidence = decision.evidence;
    const env = /^(UWSGI_[A-Z_]+)(=|$)/.exec(evidence);
    if (env && /PROCESSES|WORKERS/.test(env[1])) {
      return `set ${env[1]}=1 (or remove it), or pass \`--processes 1\` on the command line`;
    }
    if (decision.outcome === 'unknown') {
      if (/^(-p|--processes|--workers)/.test(evidence))
        return `replace \`${evidence}\` with \`--processes 1\``;
      if (evidence.includes('emperor')) return 'set `processes = 1` in every vassal config';
      return 'pass `--processes 1` on the command line after the config file (it wins)';
    }
    return `drop \`${evidence}\` (or set \`--processes 1\`)`;
  },
};
