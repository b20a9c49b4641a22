/**
 * An application whose own command defaults to several workers, found where real images start it:
 * the fixture's entrypoint script dispatches on its first argument (CMD ["webserver"]) to
 * `exec airflow webserver`, which starts gunicorn with Airflow's default of 4 workers.
 */
import { brief, check, requireBuiltCli } from './cli-helpers';

beforeAll(requireBuiltCli);

describe('oneproc check: application defaults', () => {
  it('follows the entrypoint to `airflow webserver` and reports its default of 4 workers', async () => {
    const { code, findings } = await check(['app-default']);
    expect(code).toBe(1);
    expect(findings.map(brief)).toEqual([
      {
        severity: 'error',
        rule: 'apps',
        workers: 4,
        file: 'app-default/start.sh',
        line: 6,
        chain: ['app-default/Dockerfile:3', 'app-default/start.sh:6'],
      },
    ]);
    expect(findings[0].path).toBe('app-default/start.sh:6');
  });
});
