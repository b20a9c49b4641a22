/** Unicorn's config reader without the CLI: which words it drops and which decision it makes. */

import { unicornConfig } from '../../src/servers/unicorn/config';
import type { SimpleCommand } from '../../src/shell/types';
import type { Expansion, SourceContext } from '../../src/sources/types';

const files: Record<string, string> = {
  '/app/config/unicorn.rb': 'worker_processes ENV.fetch("WEB_CONCURRENCY", 2)\n',
  '/app/zero.rb': 'worker_processes 1\n',
  '/etc/unicorn.rb': '# none here\n',
};
const ctx: SourceContext = {
  workdir: '/app',
  readFile: (name) => {
    const abs = name.startsWith('/') ? name : `/app/${name}`;
    return files[abs] === undefined ? undefined : { path: abs.slice(1), text: files[abs] };
  },
};
const run = (argv: string[], env: Record<string, string> = {}) =>
  unicornConfig.expand(
    {
      argv: argv.map((text, i) => ({ text, path: `Dockerfile:${i + 1}` })),
      env: new Map(Object.entries(env).map(([name, value]) => [name, { name, value, path: 'Dockerfile:2' }])),
      wrappers: [],
    },
    ctx,
  ) as Expansion | undefined;
const words = (c: SimpleCommand) => c.argv.map((w) => w.text).join(' ');

/** Where `worker_processes` is set in app/config/unicorn.rb, as a decision's place. */
const SETTING_AT = { file: 'app/config/unicorn.rb', line: 1, source: 'config', key: 'worker_processes' };

describe('unicornConfig', () => {
  it('uses the fallback, an Integer, when the variable is unset', () => {
    const expansion = run(['bundle', 'exec', 'unicorn_rails', '-E', 'production', '-cconfig/unicorn.rb']);
    expect(expansion?.commands.map(words)).toEqual(['bundle exec unicorn_rails -E production']);
    expect(expansion?.decisions?.map((d) => [d.rule, d.decision])).toEqual([
      [
        'unicorn',
        {
          outcome: 'multiple',
          workers: 2,
          evidence: 'worker_processes ENV.fetch("WEB_CONCURRENCY", 2)',
          path: 'app/config/unicorn.rb:1',
          at: SETTING_AT,
        },
      ],
    ]);
  });

  it('warns that Unicorn refuses the String ENV gives without Integer() or .to_i', () => {
    const expansion = run(['unicorn', '--config-file', 'config/unicorn.rb'], { WEB_CONCURRENCY: '4' });
    expect(expansion?.decisions?.[0].decision).toEqual({
      outcome: 'refused',
      evidence: 'worker_processes ENV.fetch("WEB_CONCURRENCY", 2)',
      path: 'app/config/unicorn.rb:1',
      at: SETTING_AT,
      why: 'the value is the String "4" (ENV holds strings), which Unicorn refuses with "not an integer"; convert it with Integer(…) or .to_i',
    });
  });

  it('makes no decision for one worker or a file without worker_processes', () => {
    expect(run(['unicorn', '-c', 'zero.rb'])).toEqual({
      commands: [expect.objectContaining({ argv: [{ text: 'unicorn', path: 'Dockerfile:1' }] })],
      decisions: [],
      chain: ['app/zero.rb:1'],
    });
    expect(run(['unicorn', '--config-file=/etc/unicorn.rb', 'config.ru'])?.commands.map(words)).toEqual([
      'unicorn config.ru',
    ]);
  });

  it('leaves commands it cannot read to the unicorn rule', () => {
    expect(run(['unicorn', '-p', '8080'])).toBeUndefined();
    expect(run(['unicorn', '-c', 'missing.rb'])).toBeUndefined();
    expect(run(['puma', '-c', 'config/unicorn.rb'])).toBeUndefined();
  });
});
