/**
 * Thin (Ruby), read from Debian's thin 1.8.1 (`lib/thin/runner.rb`, `lib/thin/controllers/cluster.rb`,
 * `lib/thin/command.rb`) and run on this machine:
 *
 * - `Runner#parser` (Ruby's OptionParser): `-s/--servers NUM` (`num.to_i`), `-o/--only NUM` (`to_i`),
 *   `-d/--daemonize`, `-C/--config FILE`; `-w` is `--wait`, `-p` the port, `--threaded` runs the app in
 *   EventMachine's thread pool (threads, one process). OptionParser takes `-s3`, `--servers=3`, and
 *   long options shortened to any unique prefix (`--serv 3`); options may come after the command.
 * - `Runner#parse!`: the first word left after the options is the command (`start`, `stop`,
 *   `restart`, `config`); only `start` and `restart` start servers.
 * - `Runner#cluster?`: `@options[:only] || @options[:servers] || @options[:config]` — any `-s` or `-o`
 *   (even `-s 0` or `-s 1`: Ruby's 0 is true) makes it a cluster. (`:config` is deleted by
 *   `load_options_from_config_file!` before the test, so `-C` makes a cluster only when the YAML file
 *   sets `servers` or `only`; the file's options overwrite the command line's.)
 * - `Controllers::Cluster#initialize`: "Cluster can only contain daemonized servers" —
 *   `@options.merge!(:daemonize => true)`; `#start` runs `thin start --daemonize --port=N …` once per
 *   server (`Command#run`, through a shell), each of which forks into the background, and then returns:
 *   the `thin` process the container started exits (status 0) with the servers left running as orphans.
 * - `-d/--daemonize` alone does the same with one server (`Controller#start`: `server.daemonize`).
 *
 * In a container the command is the main process: when it exits the container stops, the kernel kills
 * the rest of its PID namespace (the servers), and the kubelet restarts it — CrashLoopBackOff for a
 * Deployment. So cluster mode and `-d` are not a worker count at all: the container does not stay up
 * (a `refused` decision, reported as a warning that says so). Observed with Debian's thin 1.8.1:
 * `thin start -s 3` prints "Starting server on 0.0.0.0:3000 … 3002", exits 0, and three
 * `thin server (0.0.0.0:300N)` daemons remain.
 */

import { RUBY_TO_I } from '../../argv/ints';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { spec } from './spec';

/** Thin 1.8.1's long options, with whether each takes a value (`Runner#parser`). */
const LONG: ReadonlyMap<string, boolean> = new Map([
  ['--address', true],
  ['--port', true],
  ['--socket', true],
  ['--swiftiply', false],
  ['--adapter', true],
  ['--rackup', true],
  ['--chdir', true],
  ['--stats', true],
  ['--ssl', false],
  ['--ssl-key-file', true],
  ['--ssl-cert-file', true],
  ['--ssl-disable-verify', false],
  ['--ssl-version', true],
  ['--ssl-cipher-list', true],
  ['--environment', true],
  ['--prefix', true],
  ['--daemonize', false],
  ['--log', true],
  ['--pid', true],
  ['--user', true],
  ['--group', true],
  ['--tag', true],
  ['--servers', true],
  ['--only', true],
  ['--config', true],
  ['--all', false],
  ['--onebyone', false],
  ['--wait', true],
  ['--backend', true],
  ['--timeout', true],
  ['--force', false],
  ['--max-conns', true],
  ['--max-persistent-conns', true],
  ['--threaded', false],
  ['--threadpool-size', true],
  ['--no-epoll', false],
  ['--require', true],
  ['--debug', false],
  ['--trace', false],
  ['--quiet', false],
  ['--help', false],
  ['--version', false],
]);

/** Short options and their long names (`-y/--swiftiply [KEY]` and `--all [DIR]` take optional values). */
const SHORT: ReadonlyMap<string, string> = new Map([
  ['a', '--address'],
  ['p', '--port'],
  ['S', '--socket'],
  ['y', '--swiftiply'],
  ['A', '--adapter'],
  ['R', '--rackup'],
  ['c', '--chdir'],
  ['e', '--environment'],
  ['d', '--daemonize'],
  ['l', '--log'],
  ['P', '--pid'],
  ['u', '--user'],
  ['g', '--group'],
  ['s', '--servers'],
  ['o', '--only'],
  ['C', '--config'],
  ['O', '--onebyone'],
  ['w', '--wait'],
  ['b', '--backend'],
  ['t', '--timeout'],
  ['f', '--force'],
  ['r', '--require'],
  ['D', '--debug'],
  ['V', '--trace'],
  ['q', '--quiet'],
  ['h', '--help'],
  ['v', '--version'],
]);

/** One option as thin's parser sees it: its long name, the value, the words as written, the field. */
interface Setting {
  readonly long: string;
  readonly value?: Word;
  readonly written: string;
  readonly path: string;
}

/**
 * OptionParser's long-option lookup: an exact name, else the one option the text is a prefix of (an
 * ambiguous or unknown prefix makes OptionParser raise, and thin exits: undefined here).
 */
function longName(text: string): string | undefined {
  if (LONG.has(text)) return text;
  const matches = [...LONG.keys()].filter((name) => name.startsWith(text));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Reads a thin argv the way `Runner#parse!` does: the settings in order and the command. */
function parse(argv: readonly Word[]): { settings: Setting[]; command?: Word } {
  const settings: Setting[] = [];
  let command: Word | undefined;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i];
    const text = word.text;
    if (text === '--') {
      command ??= argv[i + 1];
      break;
    }
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const long = longName(eq >= 0 ? text.slice(0, eq) : text);
      if (!long) continue;
      if (eq >= 0) {
        settings.push({
          long,
          value: { ...word, text: text.slice(eq + 1) },
          written: text,
          path: word.path,
        });
      } else if (LONG.get(long) && argv[i + 1]) {
        const value = argv[++i];
        settings.push({ long, value, written: `${text} ${value.text}`, path: value.path });
      } else settings.push({ long, written: text, path: word.path });
      continue;
    }
    if (text.startsWith('-') && text.length > 1) {
      // Short options may be bundled (`-dO`); the first one that takes a value takes the rest of the
      // word, or the next word.
      for (let j = 1; j < text.length; j++) {
        const long = SHORT.get(text[j]);
        if (!long) break;
        if (!LONG.get(long)) {
          settings.push({ long, written: text, path: word.path });
          continue;
        }
        const rest = text.slice(j + 1);
        if (rest !== '') {
          settings.push({ long, value: { ...word, text: rest }, written: text, path: word.path });
        } else if (argv[i + 1]) {
          const value = argv[++i];
          settings.push({ long, value, written: `${text} ${value.text}`, path: value.path });
        }
        break;
      }
      continue;
    }
    command ??= word;
  }
  return { settings, command };
}

function last(settings: readonly Setting[], long: string): Setting | undefined {
  for (let i = settings.length - 1; i >= 0; i--) if (settings[i].long === long) return settings[i];
  return undefined;
}

const RESTARTS =
  "so the container's main process ends: Kubernetes stops the container (and the servers with it) and restarts it, over and over (CrashLoopBackOff)";

export const thin: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => spec.programs.includes(programName(stripLaunchers(cmd))),
  decide: (original: SimpleCommand): Decision => {
    const cmd = stripLaunchers(original);
    const { settings, command } = parse(cmd.argv);
    // `stop` and `config` start nothing; no command makes thin print its usage and exit.
    if (!command || command.unknown || (command.text !== 'start' && command.text !== 'restart')) {
      return { outcome: 'single' };
    }
    const cluster = last(settings, '--servers') ?? last(settings, '--only');
    if (cluster) {
      let servers = 'its servers';
      if (cluster.long === '--only') servers = 'one server';
      else if (cluster.value && !cluster.value.unknown) {
        const read = RUBY_TO_I.read(cluster.value.text);
        const n = 'n' in read ? read.n : Number.NaN;
        servers = n > 1 ? `${n} servers` : n === 1 ? 'one server' : 'no server';
      }
      return {
        outcome: 'refused',
        evidence: cluster.written,
        path: cluster.path,
        why:
          `\`${cluster.written}\` is cluster mode, which always daemonizes (thin 1.8.1 ` +
          '`Controllers::Cluster#initialize`)',
        consequence: `Thin starts ${servers} in the background and exits, ${RESTARTS}.`,
      };
    }
    const daemon = last(settings, '--daemonize');
    if (daemon) {
      return {
        outcome: 'refused',
        evidence: daemon.written,
        path: daemon.path,
        why: '`--daemonize` forks the server into the background (thin 1.8.1 `Controller#start`)',
        consequence: `Thin starts its server in the background and exits, ${RESTARTS}.`,
      };
    }
    const config = last(settings, '--config');
    if (config) {
      return {
        outcome: 'unknown',
        evidence: config.written,
        path: config.path,
        why:
          'the YAML config file may set `servers` (cluster mode, which daemonizes) or `daemonize`, ' +
          'and its options win over the command line (thin 1.8.1 `Runner#load_options_from_config_file!`)',
      };
    }
    return { outcome: 'single' };
  },
  fix: (decision) => {
    if (decision.outcome === 'single') return '';
    if (decision.outcome === 'unknown')
      return 'make sure the config file sets neither `servers` nor `daemonize: true`';
    return `drop \`${decision.evidence}\` (thin then runs one server in the foreground)`;
  },
};
