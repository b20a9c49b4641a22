/**
 * Every config reader recognises its server by the names in the server's spec.ts, through the same
 * launchers as the rule: a name added there (an alias) reaches the rule and the config reader at once.
 */
import { pumaConfig } from '../../src/servers/puma/config';
import { unicornConfig } from '../../src/servers/unicorn/config';
import { unitConfig } from '../../src/servers/unit/config';
import { uwsgiConfig } from '../../src/servers/uwsgi/config';
import type { SourceContext } from '../../src/sources/types';
import { command } from '../rules/hand';

function files(texts: Record<string, string>): SourceContext {
  return {
    workdir: '/app',
    readFile: (name) => (texts[name] === undefined ? undefined : { path: name, text: texts[name] }),
  };
}

const texts = (argv: readonly { text: string }[]) => argv.map((w) => w.text);

describe('config readers recognise every program name of the spec', () => {
  it.each([
    [['puma', '-C', 'config/puma.rb']],
    [['bundle', 'exec', 'puma', '-C', 'config/puma.rb']],
    [['bundler', 'exec', 'puma', '-C', 'config/puma.rb']],
    [['bin/bundle', 'exec', 'puma', '-C', 'config/puma.rb']],
  ])('puma.rb of %j', async (argv) => {
    const expansion = await pumaConfig.expand(command(argv), files({ 'config/puma.rb': 'workers 3\n' }));
    expect(expansion?.commands.map((c) => texts(c.argv))).toEqual([expect.arrayContaining(['-w', '3'])]);
  });

  it.each([[['unicorn', '-c', 'unicorn.rb']], [['unicorn_rails', '-c', 'unicorn.rb']]])(
    'Unicorn config of %j',
    async (argv) => {
      const expansion = await unicornConfig.expand(
        command(argv),
        files({ 'unicorn.rb': 'worker_processes 3\n' }),
      );
      expect(expansion?.decisions?.map((d) => d.decision.outcome)).toEqual(['multiple']);
    },
  );

  it.each([[['uwsgi', '--ini', 'app.ini']], [['uwsgi_python3', '--ini', 'app.ini']]])(
    'uwsgi.ini of %j',
    async (argv) => {
      const expansion = await uwsgiConfig.expand(
        command(argv),
        files({ 'app.ini': '[uwsgi]\nprocesses = 4\n' }),
      );
      expect(expansion?.commands.flatMap((c) => texts(c.argv))).toEqual(
        expect.arrayContaining(['--processes=4']),
      );
    },
  );

  it.each([[['unitd', '--no-daemon']], [['unitd-debug', '--no-daemon']]])(
    'Unit conf.json of %j',
    async (argv) => {
      const conf = JSON.stringify({
        applications: { app: { type: 'python', module: 'wsgi', processes: 3 } },
      });
      const expansion = await unitConfig.expand(command(argv), files({ '/var/lib/unit/conf.json': conf }));
      expect(expansion?.decisions?.map((d) => d.decision.outcome)).toEqual(['multiple']);
    },
  );
});
