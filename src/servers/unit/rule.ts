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
import type { Decision, ServerRule } from '../../rules/types';
import { unitArgs } from './args';
import { spec } from './spec';

export const unit: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => unitArgs(cmd) !== undefined,
  decide: (cmd): Decision => {
    const args = unitArgs(cmd);
    if (!args || args.printsOnly) return { outcome: 'single' };
    const state = args.statedir;
    const argv0 = args.argv[0];
    const dir = state ? `\`${state.text}\`` : 'its state folder (/var/lib/unit in the official images)';
    return {
      outcome: 'unknown',
      evidence: argv0?.text ?? 'unitd',
      path: state?.path ?? argv0?.path ?? '',
      why: `Unit starts the applications of its configuration (conf.json in ${dir}, or what is PUT to its control socket), each \`processes\` times, which oneproc cannot read here; run \`oneproc check\` on the repository or image to read it`,
    };
  },
  fix: (decision) =>
    decision.evidence?.startsWith('"processes"')
      ? 'set `"processes": 1` (or remove it) for the application'
      : 'give each application `"processes": 1` in the Unit configuration',
};
