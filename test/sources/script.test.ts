// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts and Dockerfiles, where ${…} is parameter expansion.
import { readScript } from '../../src/sources/script';

const ENTRYPOINT = `#!/bin/sh
set -e
start_web() {
  exec gunicorn -w "\${WORKERS:-4}" app:app
}
case "$1" in
  web|serve) start_web ;;
  worker) exec celery -A app worker ;;
  *) exec "$@" ;;
esac
`;

describe('readScript', () => {
  it('follows the case branch of a known first argument into the function it calls', () => {
    expect(readScript(ENTRYPOINT, 'e.sh', ['serve']).commands).toEqual([
      { text: 'set -e', line: 2 },
      { text: 'exec gunicorn -w "${WORKERS:-4}" app:app', line: 4 },
    ]);
  });

  it('passes the arguments through "$@"', () => {
    expect(readScript(ENTRYPOINT, 'e.sh', ['uvicorn', 'main:app', '--workers', '2']).commands.at(-1)).toEqual(
      {
        text: 'exec uvicorn main:app --workers 2',
        line: 9,
      },
    );
  });

  it('keeps every branch when the first argument is unknown', () => {
    expect(readScript(ENTRYPOINT, 'e.sh').commands.map((c) => c.line)).toEqual([2, 4, 8, 9]);
  });

  it('reads if/else, && lists and subshells', () => {
    const text =
      'if [ -n "$DEBUG" ]; then\n  exec uvicorn app:app --reload\nelse\n  migrate && exec gunicorn app:app\nfi\n';
    expect(readScript(text, 's.sh').commands).toEqual([
      { text: '[ -n "$DEBUG" ]', line: 1 },
      { text: 'exec uvicorn app:app --reload', line: 2 },
      { text: 'migrate', line: 4 },
      { text: 'exec gunicorn app:app', line: 4 },
    ]);
  });

  it('reports a script it cannot parse with the line', () => {
    expect(readScript('case x in\n', 'bad.sh')).toEqual({
      commands: [],
      error: { message: expect.stringContaining('bad.sh:'), line: expect.any(Number) },
    });
  });

  it('does not loop on recursive functions', () => {
    expect(readScript('f() { f; exec gunicorn -w 2 a:b; }\nf\n', 'r.sh').commands).toEqual([
      { text: 'exec gunicorn -w 2 a:b', line: 1 },
    ]);
  });
});
