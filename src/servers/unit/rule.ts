/**
 * NGINX Unit (`unitd`), an application server whose router starts each application of its JSON
 * configuration as `processes` copies. Several copies of one application are several memories behind
 * one pod, exactly like a server's workers.
 *
 * From a command line alone the applications cannot be seen: `unitd [--statedir DIR]` is `unknown`
 * (a warning naming where Unit keeps its configuration). Where the configuration can be read
 * (`oneproc check` on a repository or image), ./config.ts judges each application's
 * `processes` as a decision of this rule, pointing at that line.
 *
 * Unit 1.35 (nginx/unit `src/nxt_runtime.c` `nxt_runtime_conf_read_cmd`): the options that take a
 * value are `--control`, `--control-mode`, `--control-user`, `--control-group`, `--user`, `--group`,
 * `--pid`, `--log`, `--modules`, `--modulesdir`, `--state`, `--statedir`, `--tmp`, `--tmpdir`; the
 * configuration is kept in `STATEDIR/conf.json` (`nxt_runtime_conf_init`), `/var/lib/unit` in the
 * official images and packages (pkg/docker/template.Dockerfile `--statedir=/var/lib/unit`).
 */
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { Word } from '../../shell/types';
import { spec } from './spec';

/** Unit's daemon, and the debug build the official images also ship. */
export const UNIT_PROGRAM = /^unitd(-debug)?$/;

/** The state folder a `unitd` command line names (`--statedir DIR`, or the deprecated `--state DIR`). */
export function unitStatedir(argv: readonly Word[]): Word | undefined {
  let found: Word | undefined;
  for (let i = 1; i < argv.length; i++) {
    const t = argv[i].text;
    if (t === '--statedir' || t === '--state') found = argv[i + 1];
    if (VALUED.has(t)) i++;
  }
  return found;
}

const VALUED = new Set([
  '--control',
  '--control-mode',
  '--control-user',
  '--control-group',
  '--user',
  '--group',
  '--pid',
  '--log',
  '--modules',
  '--modulesdir',
  '--state',
  '--statedir',
  '--tmp',
  '--tmpdir',
]);

export const unit: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => UNIT_PROGRAM.test(programName(stripLaunchers(cmd))),
  decide: (cmd): Decision => {
    const inner = stripLaunchers(cmd);
    if (inner.argv.some((w) => w.text === '--version' || w.text === '--help' || w.text === '-h'))
      return { outcome: 'single' };
    const state = unitStatedir(inner.argv);
    const dir = state ? `\`${state.text}\`` : 'its state folder (/var/lib/unit in the official images)';
    return {
      outcome: 'unknown',
      evidence: inner.argv[0]?.text ?? 'unitd',
      path: state?.path ?? inner.argv[0]?.path ?? '',
      why: `Unit starts the applications of its configuration (conf.json in ${dir}, or what is PUT to its control socket), each \`processes\` times, which oneproc cannot read here; run \`oneproc check\` on the repository or image to read it`,
    };
  },
  fix: (decision) =>
    decision.evidence?.startsWith('"processes"')
      ? 'set `"processes": 1` (or remove it) for the application'
      : 'give each application `"processes": 1` in the Unit configuration',
};
