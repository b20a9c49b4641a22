/**
 * The integer readers of src/rules/common.ts against the interpreters the servers run on: Debian's
 * Python (`int()`, `int(x, 0)`, optparse's `int` type), Ruby (`Integer()`, `String#to_i`,
 * OptionParser's `Integer` type) and glibc's `atoi` (through Python's ctypes). Each spelling is read by
 * the real interpreter once, and every reader must agree with it: the number, or a refusal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  C_ATOI,
  type IntReader,
  OPTIONPARSER_INTEGER,
  OPTPARSE_INT,
  PYTHON_INT,
  PYTHON_INT_AUTO,
  RUBY_INTEGER,
  RUBY_TO_I,
} from '../../src/rules/common';

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
