/**
 * Unicorn's config file made explicit: `unicorn -c FILE` (also `--config-file FILE`, `-cFILE`,
 * `--config-file=FILE`, OptionParser's unambiguous prefix `--config`), `unicorn_rails …`, and
 * `bundle exec unicorn …`. Unicorn has no worker-count option on its command line (`bin/unicorn`:
 * "I'm avoiding Unicorn-specific config options on the command-line"), so the count cannot become a
 * word: the file's `worker_processes` line is reported as a decision of the `unicorn` rule instead,
 * pointing at that line.
 *
 * Semantics, from Unicorn 6.0 (`lib/unicorn/configurator.rb`): `DEFAULTS[:worker_processes]` is 1;
 * `reload` evaluates the file with `instance_eval`, so the last `worker_processes` call wins;
 * `set_int(:worker_processes, nr, 1)` accepts only an Integer of at least 1 and otherwise stops the
 * boot with "not an integer" or "too low". A file without the line keeps the default: one worker.
 * Unicorn reads no config file by itself and never reads WEB_CONCURRENCY (configs often do).
 *
 * The line is read by the narrow Ruby reader shared with puma.rb (`./ruby.ts`).
 */
import { decideCount, readCount } from '../../argv/counts';
import { RUBY_INTEGER } from '../../argv/ints';
import type { Decision } from '../../rules/types';
import type { SimpleCommand } from '../../shell/types';
import { rubySetting } from '../../sources/config/ruby';
import type { Expansion, SourceContext, SourceExpander } from '../../sources/types';
import { unicornArgs } from './args';
import { spec } from './spec';

export const unicornConfig: SourceExpander = {
  id: 'unicorn-config',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const args = unicornArgs(cmd);
    const hit = args?.config;
    if (!args || !hit?.value || hit.value.unknown) return undefined;
    const file = ctx.readFile(hit.value.text);
    if (!file) return undefined;
    // The command without its `-c FILE` words: what the unicorn rule judges (the default, one worker).
    const at = args.offset + hit.index;
    const words = hit.written === `${hit.name} ${hit.value.text}` ? 2 : 1;
    const rest: SimpleCommand = { ...cmd, argv: [...cmd.argv.slice(0, at), ...cmd.argv.slice(at + words)] };
    const setting = rubySetting(file.text, file.path, cmd.env, 'worker_processes', 'Unicorn');
    if (!setting) return { commands: [rest], chain: [file.path] };
    const { word, expr, integer, refused } = setting;
    const evidence = `worker_processes ${expr}`;
    let decision: Decision;
    const placed = word.at ? { at: word.at } : {};
    if (word.unknown)
      decision = { outcome: 'unknown', evidence, path: word.path, ...placed, why: word.unknown };
    else if (refused !== undefined)
      decision = { outcome: 'refused', evidence, path: word.path, ...placed, why: refused };
    else if (!integer && !/^\d+$/.test(expr))
      // lib/unicorn/configurator.rb `set_int`: `Integer === var or raise ArgumentError, "not an integer"`.
      decision = {
        outcome: 'refused',
        evidence,
        path: word.path,
        ...placed,
        why: `the value is the String "${word.text}" (ENV holds strings), which Unicorn refuses with "not an integer"; convert it with Integer(…) or .to_i`,
      };
    else {
      const counted = decideCount(readCount(word, RUBY_INTEGER), evidence, word.path);
      decision = counted.outcome === 'single' ? counted : { ...counted, ...placed };
    }
    return {
      commands: [rest],
      decisions: decision.outcome === 'single' ? [] : [{ rule: spec.id, command: cmd, decision }],
      chain: [word.path],
    };
  },
};
