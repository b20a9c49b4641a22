/**
 * The registry (src/servers/registry.ts) is the one list of servers: every server in it has its folder,
 * its fixtures, its row in docs/rules.md and its SARIF text, and the lists built from it (rules, config
 * readers, the policy's table, the words that show a script starts a server) agree with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toSarif } from '../../src/cli/format-sarif';
import { checkContainer } from '../../src/engine';
import { buildPolicy, POLICY_SERVERS } from '../../src/policy';
import { RULES } from '../../src/rules';
import { APPS } from '../../src/servers/apps/rule';
import { mentionWords, SERVER_MENTION, SERVERS, serverMentionPattern } from '../../src/servers/registry';
import { containerCommands } from '../../src/shell';
import { EXPANDERS } from '../../src/sources/expanders';
import type { Finding } from '../../src/types';
import { evaluatePolicy, wrap } from '../install/cel';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'servers');
const ids = SERVERS.map((s) => s.spec.id);

describe('every registered server', () => {
  it.each(ids)('%s has its folder with spec.ts and rule.ts, named by its id', (id) => {
    for (const file of ['spec.ts', 'rule.ts']) {
      expect(fs.existsSync(path.join(ROOT, 'src', 'servers', id, file))).toBe(true);
    }
  });

  it.each(ids)('%s has a fixture folder with cases', (id) => {
    const dir = path.join(FIXTURES, id);
    expect(fs.existsSync(dir)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).length).toBeGreaterThan(0);
  });

  it.each(ids)('%s has a row in docs/rules.md', (id) => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8');
    expect(doc).toMatch(new RegExp(`^\\| \`${id}\` \\|`, 'm'));
  });

  it.each(SERVERS.map((s) => [s.spec.id, s.spec.title]))('%s has SARIF text naming %s', (id, title) => {
    const finding: Finding = {
      rule: id,
      category: 'web',
      severity: 'error',
      message: 'm',
      path: 'spec.containers[0].command[0]',
      workers: 2,
      origin: { file: 'k8s/pod.yaml', line: 3 },
    };
    const [rule] = toSarif([finding], { cwd: ROOT, inputErrors: [] }).runs[0].tool.driver.rules ?? [];
    expect(rule.shortDescription?.text).toContain(title);
    expect(rule.help?.text).toContain('oneproc.dev/allow-multiple-workers');
  });

  it.each(SERVERS.map((s) => [s.spec.id, s]))(
    "%s's rule carries its spec's id, title and category",
    (_, s) => {
      expect([s.rule.id, s.rule.title, s.rule.category]).toEqual([s.spec.id, s.spec.title, s.spec.category]);
    },
  );
});

describe('the registry', () => {
  it('has no fixture folder without a server, and no id twice', () => {
    const folders = fs.readdirSync(FIXTURES).filter((f) => fs.statSync(path.join(FIXTURES, f)).isDirectory());
    expect(folders.sort()).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has no server folder outside the registry', () => {
    const dir = path.join(ROOT, 'src', 'servers');
    const folders = fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isDirectory());
    expect(folders.sort()).toEqual([...ids].sort());
  });

  it('is the rule list, in its order', () => {
    expect(RULES.map((r) => r.id)).toEqual(ids);
  });

  it('gives every config reader to the image reader, in registry order', () => {
    const readers = SERVERS.flatMap((s) => (s.config ? [s.config(() => EXPANDERS, SERVER_MENTION).id] : []));
    expect(EXPANDERS.map((e) => e.id).slice(0, readers.length)).toEqual(readers);
  });

  it("builds the policy's table from the specs that have policy facts", () => {
    expect(POLICY_SERVERS.map((p) => p.id)).toEqual(
      SERVERS.filter((s) => s.spec.policy).map((s) => s.spec.id),
    );
    for (const p of POLICY_SERVERS) {
      const spec = SERVERS.find((s) => s.spec.id === p.id)?.spec;
      for (const program of p.programs) expect(spec?.programs).toContain(program);
    }
  });

  it('names in the apps spec the programs of the apps table, and no others', () => {
    const spec = SERVERS.find((s) => s.spec.id === 'apps')?.spec;
    expect([...new Set(APPS.flatMap((a) => a.programs))].sort()).toEqual([...(spec?.programs ?? [])].sort());
  });
});

describe("a server's program names and aliases", () => {
  /** Programs that start the server with a worker count by themselves, and the argv that sets it. */
  const cases: Array<[string, string[]]> = [
    ['gunicorn3', ['gunicorn3', '-w', '4', 'app:app']],
    ['openerp-server', ['openerp-server', '--workers', '4']],
    ['odoo.py', ['odoo.py', '--workers', '4']],
    ['uwsgi_python3', ['uwsgi_python3', '--processes', '4']],
    ['pm2-docker', ['pm2-docker', 'app.js', '-i', '4']],
    ['unicorn_rails', ['unicorn_rails', '-c', 'x']],
  ];
  it.each(cases)('recognises %s as its server', (program, command) => {
    const spec = SERVERS.find(
      (s) => s.spec.programs.includes(program) || new RegExp(s.spec.programPattern ?? '^$').test(program),
    );
    expect(spec).toBeDefined();
    const findings = checkContainer({ name: 'c', command });
    expect(findings.map((f) => f.rule)).toEqual([spec?.spec.id]);
  });
});

describe('the words that show a script starts a server', () => {
  it('hold every program and Python module of every server in scope', () => {
    const words = new Set(mentionWords());
    for (const { spec } of SERVERS) {
      if (spec.mentions === false) continue;
      for (const w of [...spec.programs, ...(spec.pythonModules ?? [])]) expect(words.has(w)).toBe(true);
    }
    expect(words.has('gunicorn3')).toBe(true);
    expect(words.has('openerp-server')).toBe(true);
    expect(words.has('nginx')).toBe(false);
  });

  it('find every server the shell reader once listed by itself', () => {
    const words =
      'uvicorn gunicorn hypercorn granian fastapi uwsgi sanic daphne waitress-serve odoo odoo-bin puma unicorn passenger pm2 pm2-runtime celery dramatiq rq rqworker sidekiq supervisord octane:start'.split(
        ' ',
      );
    for (const w of words) expect(SERVER_MENTION.exec(`exec ${w} --bad \${`)?.[1]).toBe(w);
  });

  it('reach the shell reader as the pattern its callers pass, so a server added to the registry is seen there', () => {
    // A line the shell cannot read (an unclosed quote) is worth a warning only when it starts a server.
    const unreadable = (program: string, mentions: RegExp) =>
      containerCommands({ command: ['sh', '-c', `exec "${program} -w 4 app`] }, 'c', undefined, {
        mentions,
      }).problems.map((p) => p.message);
    // Aliases the shell's own list lacked: the registry's specs hold them.
    expect(unreadable('/usr/bin/gunicorn3', SERVER_MENTION)).toEqual([
      'A shell script mentioning gunicorn3 leaves a double quote unclosed, so the shell would not run it as written',
    ]);
    expect(unreadable('openerp-server', SERVER_MENTION)).toEqual([
      'A shell script mentioning openerp-server leaves a double quote unclosed, so the shell would not run it as written',
    ]);
    // A new server in the registry: its programs reach the shell with no change to src/shell.
    expect(unreadable('newserver', SERVER_MENTION)).toEqual([]);
    const [one] = SERVERS;
    const added = serverMentionPattern([
      ...SERVERS,
      { ...one, spec: { ...one.spec, id: 'newserver', programs: ['newserver'], mentions: [] } },
    ]);
    expect(unreadable('newserver', added)).toEqual([
      'A shell script mentioning newserver leaves a double quote unclosed, so the shell would not run it as written',
    ]);
    // And the checks oneproc runs pass the registry's pattern.
    const messages = checkContainer({ name: 'app', command: ['sh', '-c', 'exec "gunicorn3 -w 4 app'] }).map(
      (f) => f.message,
    );
    expect(messages.some((m) => m.includes('mentioning gunicorn3'))).toBe(true);
  });

  it('match a whole word only, and escape what they hold', () => {
    expect(SERVER_MENTION.exec('exec /usr/bin/gunicorn3 -w 4')?.[1]).toBe('gunicorn3');
    expect(SERVER_MENTION.exec('python -m supervisor.supervisord')?.[1]).toBe('supervisor.supervisord');
    expect(SERVER_MENTION.exec('run my-uvicorn')).toBeNull();
    expect(SERVER_MENTION.exec('rqueue start')).toBeNull();
    expect(SERVER_MENTION.exec('supervisorXsupervisord')).toBeNull();
    const [one] = SERVERS;
    expect(
      serverMentionPattern([{ ...one, spec: { ...one.spec, mentions: ['a+b'] } }]).exec('run a+b')?.[1],
    ).toBe('a+b');
  });
});

describe("the policy, built from the specs' names", () => {
  const [policy] = buildPolicy();
  it.each([
    [['gunicorn3', '-w', '4', 'app:app'], 'deny'],
    [['python3', '-m', 'gunicorn', '-w', '4', 'app:app'], 'deny'],
    [['odoo.py', '--workers', '4'], 'deny'],
    [['openerp-server', '--workers', '4'], 'deny'],
    [['pm2-docker', 'app.js', '-i', '4'], 'deny'],
    [['pm2', 'start', 'app.js', '-i', '4'], 'allow'],
    [['python3', '-m', 'fastapi', 'run', '--workers', '4'], 'allow'],
  ])('decides %j: %s, and the engine reports what it denies', (command, decision) => {
    const container = { name: 'web', command };
    const verdict = evaluatePolicy(policy, wrap('Deployment', { containers: [container] }));
    expect(verdict.allowed ? 'allow' : 'deny').toBe(decision);
    if (decision === 'deny') expect(checkContainer(container)[0]?.severity).toBe('error');
  });
});
