/**
 * Node.js apps that may fork themselves: `node server.js` with throng or the cluster module.
 *
 * Node has no worker option of its own. throng (hunterloftis/throng 5.0.0, `lib/throng.js`) defaults
 * `count` to `os.cpus().length`, and the idiom its README and Heroku's Node guide teach is
 * `throng({ count: process.env.WEB_CONCURRENCY, … })`; hand-written cluster code reads the same
 * variable. Whether the app does so is in its code, not in the manifest, so:
 * - WEB_CONCURRENCY > 1 (or a value unknown here) set on a `node`/`npm start` container → `unknown`
 *   (a warning): "WEB_CONCURRENCY=4 is set; if the app uses throng/cluster it forks 4 workers". An
 *   error would block the many apps that ignore the variable (it is often set platform-wide).
 * - no WEB_CONCURRENCY, or 1 → nothing: from `node app.js` alone nothing says it forks.
 * - `next start` and `nuxt start`/`nuxi start` have no worker option and ignore WEB_CONCURRENCY
 *   (vercel/next.js `packages/next/src/cli/next-start.ts`): one process.
 * pm2 running node is the pm2 rule's, registered before this one.
 */

import { readEnvCount } from '../../argv/counts';
import { PLAIN_DECIMAL } from '../../argv/ints';
import { firstPositional } from '../../argv/options';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand } from '../../shell/types';
import { spec } from './spec';

const NODE = new Set(['node', 'nodejs']);
const FRAMEWORK_SERVERS = new Set(['next', 'nuxt', 'nuxi']);
const PACKAGE_MANAGERS = new Set(['npm', 'yarn', 'pnpm']);

type Kind = 'node' | 'framework';

function kind(cmd: SimpleCommand): Kind | undefined {
  const inner = stripLaunchers(cmd);
  const name = programName(inner);
  if (NODE.has(name)) {
    // `node node_modules/.bin/next start` is Next's own server.
    const script = inner.argv[1]?.text ?? '';
    const base = script.slice(script.lastIndexOf('/') + 1).replace(/\.(c|m)?js$/, '');
    return FRAMEWORK_SERVERS.has(base) ? 'framework' : 'node';
  }
  if (FRAMEWORK_SERVERS.has(name)) return 'framework';
  if (PACKAGE_MANAGERS.has(name)) {
    // `npm start`, `npm run start`, `yarn start`, `pnpm start`: the package's start script runs node.
    const sub = firstPositional(inner.argv, 1);
    if (!sub) return undefined;
    if (sub.word.text === 'start') return 'node';
    if (
      (sub.word.text === 'run' || sub.word.text === 'run-script') &&
      inner.argv[sub.index + 1]?.text === 'start'
    ) {
      return 'node';
    }
  }
  return undefined;
}

export const node: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => kind(cmd) !== undefined,
  decide: (cmd): Decision => {
    if (kind(cmd) !== 'node') return { outcome: 'single' };
    const entry = cmd.env.get('WEB_CONCURRENCY');
    if (!entry) return { outcome: 'single' };
    const evidence = `WEB_CONCURRENCY=${entry.value ?? '…'}`;
    // How the app's code reads it (throng, cluster code) is the app's own: plain digits only.
    const count = readEnvCount(entry, PLAIN_DECIMAL);
    if (count.kind === 'number') {
      if (count.n <= 1) return { outcome: 'single', evidence, path: entry.path };
      return {
        outcome: 'unknown',
        evidence,
        path: entry.path,
        why: `WEB_CONCURRENCY=${count.n} is set; if the app uses throng/cluster it forks ${count.n} workers`,
      };
    }
    const reason = count.kind === 'unknown' ? count.why : `its value is "${entry.value ?? ''}"`;
    return {
      outcome: 'unknown',
      evidence,
      path: entry.path,
      why: `WEB_CONCURRENCY is set (${reason}); if the app uses throng/cluster it forks that many workers`,
    };
  },
  fix: (decision) => (decision.outcome === 'single' ? '' : 'set WEB_CONCURRENCY=1 (or remove it)'),
};
