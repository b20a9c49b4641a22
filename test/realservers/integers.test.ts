/**
 * The integer readers of src/argv/ints.ts against the interpreters the servers run on: Debian's
 * Python (`int()`, `int(x, 0)`, optparse's `int` type), Ruby (`Integer()`, `String#to_i`,
 * OptionParser's `Integer` type) and glibc's `atoi` (through Python's ctypes). Each spelling is read by
 * the real interpreter once, and every reader must agree with it: the number, or a refusal.
 * Then the spellings that matter for admission are given to Debian's uvicorn 0.17.6 and gunicorn 20.1.0
 * (as in realservers.test.ts): the workers they start, or their refusal to start, and the engine must
 * say the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  C_ATOI,
  type IntReader,
  OPTIONPARSER_INTEGER,
  OPTPARSE_INT,
  PYTHON_INT,
  PYTHON_INT_AUTO,
  RUBY_INTEGER,
  RUBY_TO_I,
} from '../../src/argv/ints';
import { checkContainer, findingFor } from '../../src/engine';
import { RULES } from '../../src/rules';
import { gunicornConfig } from '../../src/servers/gunicorn/config';
import type { SimpleCommand } from '../../src/shell/types';
import {
  expandKubernetes,
  kubeletEnv,
  makeAppDir,
  mapLimit,
  missingMessage,
  type Observation,
  observe,
  stopAll,
} from './harness';

const PYTHON = '/usr/bin/python3';
const RUBY = '/usr/bin/ruby';

/** Spellings of a count: digits, signs, blanks, underscores, prefixes, Unicode digits, junk. */
const SPELLINGS = [
  '4',
  '04',
  '0000000000000004',
  '1_0',
  '1__0',
  '_1',
  '1_',
  ' 4 ',
  '\t4\n',
  '\v4\f',
  '４',
  '٤',
  '１_０',
  '𝟒',
  '\u00a04\u2003',
  '\u202f4',
  '\u00854',
  '\u001c4',
  '+4',
  '-4',
  '- 4',
  '+-4',
  '0x4',
  '0X4',
  '0x_4',
  '0x__4',
  '0o10',
  '0b101',
  '0d10',
  '0_4',
  '00',
  '0_0',
  '08',
  '010',
  '4.0',
  '4e1',
  '',
  '  ',
  'abc',
  '4abc',
  'auto',
  '$(WORKERS)',
  '1 0',
  '0x',
  '9999999999',
  '2147483650',
  '99999999999999999999999',
  '-2147483649',
];

type Seen = string;

/** One reading, as text: the number (or `big` beyond 2^53), or `ERR` for a refusal. */
function show(reader: IntReader, text: string): Seen {
  const r = reader.read(text);
  if (!('n' in r)) return 'ERR';
  return Number.isSafeInteger(r.n) ? String(r.n) : 'big';
}

const PY_SCRIPT = `
import ctypes, json, optparse, sys
libc = ctypes.CDLL(None)
def show(f):
    try:
        v = f()
    except Exception:
        return 'ERR'
    return str(v) if abs(v) <= 2**53 else 'big'
out = []
for s in json.load(sys.stdin):
    out.append({
        'int': show(lambda: int(s)),
        'int0': show(lambda: int(s, 0)),
        'optparse': show(lambda: optparse._parse_num(s, int)),
        'atoi': show(lambda: libc.atoi(s.encode('utf-8'))),
    })
print(json.dumps(out))
`;

const RUBY_SCRIPT = `
require 'json'
require 'optparse'
def show
  v = yield
  v.abs <= 2**53 ? v.to_s : 'big'
rescue StandardError
  'ERR'
end
out = JSON.parse(STDIN.read).map do |s|
  {
    'Integer' => show { Integer(s) },
    'to_i' => show { s.to_i },
    'OptionParser' => show {
      got = nil
      OptionParser.new { |o| o.on('-w N', Integer) { |v| got = v } }.parse!(['-w', s])
      got
    },
  }
end
puts JSON.generate(out)
`;

function run(program: string, args: string[], packages: string): Record<string, Seen>[] {
  if (!existsSync(program)) throw new Error(`${program} is missing: apt-get install -y ${packages}`);
  const result = spawnSync(program, args, { input: JSON.stringify(SPELLINGS), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${program} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, Seen>[];
}

describe('integer readers against Debian Python 3, Ruby and glibc', () => {
  const python = run(PYTHON, ['-c', PY_SCRIPT], 'python3');
  const ruby = run(RUBY, ['-e', RUBY_SCRIPT], 'ruby');

  it.each(SPELLINGS.map((s, i) => [JSON.stringify(s), i] as const))('%s', (_name, i) => {
    const text = SPELLINGS[i];
    const ours = {
      int: show(PYTHON_INT, text),
      int0: show(PYTHON_INT_AUTO, text),
      optparse: show(OPTPARSE_INT, text),
      atoi: show(C_ATOI, text),
      Integer: show(RUBY_INTEGER, text),
      to_i: show(RUBY_TO_I, text),
      OptionParser: show(OPTIONPARSER_INTEGER, text),
    };
    expect(ours).toEqual({ ...python[i], ...ruby[i] });
  });

  it('notes that Python 3.11 refuses an integer of more than 4,300 digits, leading zeros and all', () => {
    const text = `${'0'.repeat(4300)}4`;
    const [real] = spawnSync(PYTHON, ['-c', PY_SCRIPT], { input: JSON.stringify([text]), encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, Seen>[]);
    expect(real[0].int).toBe('ERR');
    expect(PYTHON_INT.read(text)).toEqual({
      n: 4,
      caveat: expect.stringContaining('4,301 digits (Python 3.11+'),
    });
  });
});

/** A command given to a real server: the workers it starts, or `refused` when it exits on the count. */
interface ServerRow {
  readonly family: 'uvicorn' | 'gunicorn';
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Files in the app directory; a gunicorn `-c` file is also read by oneproc's config reader. */
  readonly files?: Readonly<Record<string, string>>;
  readonly real: number | 'refused';
}

const UVICORN = ['uvicorn', 'asgi:app', '--workers'];
const CONF = 'gunicorn-counts.py';

const SERVER_ROWS: readonly ServerRow[] = [
  // click's INT: Python's int() (uvicorn/main.py `--workers`, type=int).
  { family: 'uvicorn', argv: [...UVICORN, '0000000000000002'], real: 2 },
  { family: 'uvicorn', argv: [...UVICORN, '0_2'], real: 2 },
  { family: 'uvicorn', argv: [...UVICORN, '２'], real: 2 },
  { family: 'uvicorn', argv: [...UVICORN, ' 2 '], real: 2 },
  { family: 'uvicorn', argv: [...UVICORN, '0x2'], real: 'refused' },
  // Config: `int(os.environ["WEB_CONCURRENCY"])`.
  { family: 'uvicorn', argv: ['uvicorn', 'asgi:app'], env: { WEB_CONCURRENCY: '0_2' }, real: 2 },
  // argparse `type=int` on the command line and in GUNICORN_CMD_ARGS.
  { family: 'gunicorn', argv: ['gunicorn', '-w', '0_2', 'wsgi:app'], real: 2 },
  { family: 'gunicorn', argv: ['gunicorn', '-w', '２', 'wsgi:app'], real: 2 },
  { family: 'gunicorn', argv: ['gunicorn', '-w', '0x2', 'wsgi:app'], real: 'refused' },
  { family: 'gunicorn', argv: ['gunicorn', 'wsgi:app'], env: { GUNICORN_CMD_ARGS: '-w 0_2' }, real: 2 },
  // `int(os.environ.get("WEB_CONCURRENCY", 1))` when gunicorn.config is imported, whatever -w says.
  { family: 'gunicorn', argv: ['gunicorn', 'wsgi:app'], env: { WEB_CONCURRENCY: ' 2 ' }, real: 2 },
  {
    family: 'gunicorn',
    argv: ['gunicorn', '-w', '1', 'wsgi:app'],
    env: { WEB_CONCURRENCY: 'auto' },
    real: 'refused',
  },
  // A config file's string goes through validate_pos_int: `int(value, 0)`.
  {
    family: 'gunicorn',
    argv: ['gunicorn', '-c', CONF, 'wsgi:app'],
    files: { [CONF]: 'workers = "0x2"\n' },
    real: 2,
  },
  {
    family: 'gunicorn',
    argv: ['gunicorn', '-c', CONF, 'wsgi:app'],
    files: { [CONF]: 'workers = "02"\n' },
    real: 'refused',
  },
];

const rowName = (row: ServerRow) =>
  `${Object.entries(row.env ?? {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)} `)
    .join('')}${row.argv.map((w) => (/^[\w:.-]+$/.test(w) ? w : JSON.stringify(w))).join(' ')}` +
  `${row.files ? ` with ${Object.values(row.files).join('').trim()}` : ''}`;

/** The engine's findings: on the container, or on the expansion of its gunicorn `-c` file. */
async function engine(
  row: ServerRow,
): Promise<{ severity: string; workers: number | null; message: string }[]> {
  const env = Object.entries(row.env ?? {}).map(([name, value]) => ({ name, value }));
  if (!row.files) {
    return checkContainer({ name: 'app', command: [...row.argv], env }, { path: 'container' }).map((f) => ({
      severity: f.severity,
      workers: f.workers,
      message: f.message,
    }));
  }
  const files = row.files;
  const cmd: SimpleCommand = {
    argv: row.argv.map((text, i) => ({ text, path: `container.command[${i}]` })),
    env: new Map(env.map((e, i) => [e.name, { ...e, path: `container.env[${i}].value` }])),
    wrappers: [],
  };
  const expansion = await gunicornConfig.expand(cmd, {
    workdir: '/app',
    readFile: (name) => {
      const base = name.replace(/^\/app\//, '');
      return files[base] === undefined ? undefined : { path: `app/${base}`, text: files[base] };
    },
  });
  const out: { severity: string; workers: number | null; message: string }[] = [];
  const rule = RULES.find((r) => r.id === 'gunicorn');
  for (const c of expansion?.commands ?? []) {
    const f = rule && findingFor(rule, c, rule.decide(c));
    if (f) out.push({ severity: f.severity, workers: f.workers, message: f.message });
  }
  for (const d of expansion?.decisions ?? []) {
    const f = rule && findingFor(rule, d.command, d.decision);
    if (f) out.push({ severity: f.severity, workers: f.workers, message: f.message });
  }
  return out;
}

describe('spellings of a count given to Debian uvicorn and gunicorn', () => {
  const results = new Map<ServerRow, Observation | Error>();

  beforeAll(async () => {
    const runnable = SERVER_ROWS.filter((row) => missingMessage(row.family) === undefined);
    await mapLimit(runnable, 2, async (row) => {
      const dir = await makeAppDir(row.files ?? {});
      try {
        const env = kubeletEnv(Object.entries(row.env ?? {}).map(([name, value]) => ({ name, value })));
        const argv = row.argv.map((w) => expandKubernetes(w, env));
        const expected = row.real === 'refused' ? undefined : row.real;
        results.set(row, await observe({ family: row.family, argv, env, dir, expected }));
      } catch (err) {
        results.set(row, err instanceof Error ? err : new Error(String(err)));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }, 180_000);

  afterAll(stopAll);

  it.each(SERVER_ROWS.map((row) => [rowName(row), row] as const))('%s', async (_name, row) => {
    const missing = missingMessage(row.family);
    if (missing) throw new Error(missing);
    const obs = results.get(row);
    if (!obs || obs instanceof Error) throw obs ?? new Error('the server was not started');
    const tail = obs.log.split('\n').slice(-8).join('\n');
    // The server has the last word: it started that many workers, or it exited on the count.
    if (row.real === 'refused') {
      expect({ exited: obs.exited, workers: obs.workers }).toEqual({ exited: true, workers: 0 });
      expect(tail).toMatch(/invalid|Invalid|ValueError|Error/);
    } else {
      expect({ exited: obs.exited, workers: obs.workers, strays: obs.survivors }).toEqual({
        exited: false,
        workers: row.real,
        strays: [],
      });
    }
    const findings = await engine(row);
    if (row.real === 'refused') {
      expect(findings).toEqual([
        { severity: 'warning', workers: null, message: expect.stringContaining('will not start') },
      ]);
    } else {
      expect(findings).toEqual([{ severity: 'error', workers: row.real, message: expect.any(String) }]);
    }
  });
});
