/** Helpers the Python server rules share (src/argv): asScript, atoi, clickEnvBool, splitEnvArgs, countFix. */

import { clickEnvBool } from '../../src/argv/click';
import { countFix } from '../../src/argv/counts';
import { atoi } from '../../src/argv/ints';
import { asScript } from '../../src/argv/program';
import { splitEnvArgs } from '../../src/argv/shlex';
import { command } from '../rules/build';

describe('atoi (uWSGI integer options)', () => {
  it.each([
    ['4', 4],
    ['  7', 7],
    ['+3', 3],
    ['-2', -2],
    ['4workers', 4],
    ['%k', 0],
    ['', 0],
    ['0x10', 0],
  ])('%j → %d', (text, n) => expect(atoi(text)).toBe(n));
});

describe('splitEnvArgs (shlex.split)', () => {
  const split = (value: string) => splitEnvArgs({ name: 'X', value, path: 'p' })?.map((w) => w.text);
  it('splits on blanks and honours quotes and backslashes', () => {
    expect(split('  -w 4   --bind=0.0.0.0:80 ')).toEqual(['-w', '4', '--bind=0.0.0.0:80']);
    expect(split(`--access-logformat '%(h)s -w 4' "a \\"b\\"" c\\ d`)).toEqual([
      '--access-logformat',
      '%(h)s -w 4',
      'a "b"',
      'c d',
    ]);
    expect(split("''")).toEqual(['']);
  });
  it('gives nothing for a value that is not known here', () => {
    expect(splitEnvArgs({ name: 'X', unknown: 'valueFrom', path: 'p' })).toBeUndefined();
  });
});

describe('clickEnvBool', () => {
  const entry = (value: string) => ({ name: 'R', value, path: 'p' });
  it('reads click booleans, ignores empty values and keeps unknown ones', () => {
    expect(clickEnvBool(entry('TRUE'))).toBe(true);
    expect(clickEnvBool(entry('on'))).toBe(true);
    expect(clickEnvBool(entry('0'))).toBe(false);
    expect(clickEnvBool(entry(''))).toBeUndefined();
    expect(clickEnvBool(undefined)).toBeUndefined();
    expect(clickEnvBool({ name: 'R', unknown: 'from a Secret', path: 'p' })).toBe('unknown');
  });
});

describe('asScript', () => {
  const names = new Set(['odoo-bin']);
  it('reads `python3 [options] path/odoo-bin …` as the script', () => {
    const cmd = asScript(
      command(['python3', '-u', '-W', 'ignore', '/opt/odoo-bin', '--workers', '2']),
      names,
    );
    expect(cmd.argv.map((w) => w.text)).toEqual(['/opt/odoo-bin', '--workers', '2']);
  });
  it('leaves other scripts, -m and -c alone', () => {
    for (const argv of [
      ['python3', 'app.py'],
      ['python3', '-m', 'odoo-bin'],
      ['python3', '-c', 'odoo-bin'],
      ['node', 'odoo-bin'],
    ]) {
      expect(asScript(command(argv), names).argv).toHaveLength(argv.length);
    }
  });
});

describe('countFix', () => {
  it('names the option or variable to change', () => {
    expect(countFix({ outcome: 'multiple', workers: 4, evidence: '-w 4', path: 'p' }, '--workers 1')).toBe(
      'drop `-w 4` (or set `--workers 1`)',
    );
    expect(
      countFix(
        { outcome: 'unknown', evidence: 'WEB_CONCURRENCY', path: 'p', why: 'valueFrom' },
        '--workers 1',
      ),
    ).toBe('make sure WEB_CONCURRENCY resolves to 1, or pass `--workers 1` on the command line');
    expect(countFix({ outcome: 'single' }, '--workers 1')).toBe('');
  });
});
