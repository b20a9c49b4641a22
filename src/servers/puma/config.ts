/**
 * Puma's config file made explicit: `puma -C FILE` (also `--config FILE`, `-CFILE`, `--config=FILE`,
 * `bundle exec puma …`), or the `config/puma.rb` Puma loads by itself when `-C` is not given
 * (`lib/puma/configuration.rb config_files`; `-C -` loads none). Its `workers` line becomes a `-w N`
 * word placed right after the program name, so a `-w` on the command line still wins, as it does in
 * Puma (command line > config file > defaults). A file without a `workers` line leaves Puma's default,
 * `Integer(ENV['WEB_CONCURRENCY'] || 0)`: the `-C FILE` words are then dropped, so the puma rule
 * judges the environment alone instead of guessing at the file.
 *
 * The `workers` line is read by the narrow Ruby reader shared with Unicorn's config (`./ruby.ts`, which
 * says why it is not a Ruby parser and which forms it understands).
 */
import type { OptionHit } from '../../argv/options';
import type { Decision } from '../../rules/types';
import type { SimpleCommand, Word } from '../../shell/types';
import { rubySetting } from '../../sources/config/ruby';
import type { Expansion, SourceContext, SourceExpander } from '../../sources/types';
import { pumaArgs } from './args';
import { spec } from './spec';

/** The value of the last `workers …` line of a puma.rb text, as a word pointing at that line. */
export function pumaWorkers(text: string, file: string, env: SimpleCommand['env']): Word | undefined {
  return rubySetting(text, file, env, 'workers', 'Puma')?.word;
}

/**
 * The config Puma loads when `-C` is not given (puma 6 `lib/puma/configuration.rb`
 * `Configuration#config_files`): the first of `config/puma/ENV.rb` and `config/puma.rb` that exists,
 * ENV being `-e/--environment` (`option`), else `APP_ENV`, `RACK_ENV`, `RAILS_ENV` (the `environment` default of
 * `Configuration.puma_default_options`), else `development`. An environment not known here tries
 * only `config/puma.rb`.
 */
function defaultConfig(option: OptionHit | undefined, env: SimpleCommand['env'], ctx: SourceContext) {
  const name = option?.value ?? undefined;
  const fromEnv = ['APP_ENV', 'RACK_ENV', 'RAILS_ENV'].map((n) => env.get(n)).find((e) => e !== undefined);
  const environment = name ? (name.unknown ? undefined : name.text) : fromEnv ? fromEnv.value : 'development';
  if (environment && /^[A-Za-z0-9_.-]+$/.test(environment) && !environment.startsWith('.')) {
    const specific = ctx.readFile(`config/puma/${environment}.rb`);
    if (specific) return specific;
  }
  return ctx.readFile('config/puma.rb');
}

export const pumaConfig: SourceExpander = {
  id: 'puma-config',
  expand(cmd: SimpleCommand, ctx: SourceContext): Expansion | undefined {
    const args = pumaArgs(cmd);
    if (args?.mode !== 'puma') return undefined;
    const argv = cmd.argv;
    const at = args.offset;
    const hit = args.config;
    const named = hit?.value ?? undefined;
    if (named?.unknown || named?.text === '-') return undefined;
    const file = named ? ctx.readFile(named.text) : defaultConfig(args.environment, cmd.env, ctx);
    if (!file) return undefined;
    const setting = rubySetting(file.text, file.path, cmd.env, 'workers', 'Puma');
    if (setting?.refused !== undefined) {
      // `Integer(ENV[…])` raises while Puma loads its config: it does not boot.
      const decision: Decision = {
        outcome: 'refused',
        evidence: `workers ${setting.expr}`,
        path: setting.word.path,
        ...(setting.word.at ? { at: setting.word.at } : {}),
        why: setting.refused,
      };
      return {
        commands: [],
        decisions: [{ rule: spec.id, command: cmd, decision }],
        chain: [setting.word.path],
      };
    }
    const value = setting?.word;
    if (!value) {
      if (!named || !hit) return { commands: [cmd], chain: [file.path] };
      const from = at + hit.index;
      const count = hit.written === `${hit.name} ${named.text}` ? 2 : 1;
      const rest = [...argv.slice(0, from), ...argv.slice(from + count)];
      return { commands: [{ ...cmd, argv: rest }], chain: [file.path] };
    }
    const flag: Word = { text: '-w', path: value.path };
    const expanded = [...argv.slice(0, at + 1), flag, value, ...argv.slice(at + 1)];
    return { commands: [{ ...cmd, argv: expanded }], chain: [value.path] };
  },
};
