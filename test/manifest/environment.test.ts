import { parseManifests } from '../../src/manifest';

// Reading YAML must leave the process environment as it was: the yaml library's debugging switches
// (LOG_TOKENS, LOG_STREAM) stay unset, so no token is printed on the report's standard output.
test('reading YAML leaves the environment as it was and prints nothing', () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const before = { ...process.env };
    const { documents } = parseManifests('kind: Pod\n---\nkind: Service\n', 'two.yaml');
    parseManifests('kind: Pod\n', 'one.yaml');
    expect(documents.map((d) => d.value)).toEqual([{ kind: 'Pod' }, { kind: 'Service' }]);
    expect({ ...process.env }).toEqual(before);
    expect('LOG_TOKENS' in process.env).toBe(false);
    expect(log).not.toHaveBeenCalled();
  } finally {
    log.mockRestore();
  }
});
