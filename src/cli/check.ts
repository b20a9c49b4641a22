/** `oneproc check` — PLACEHOLDER until the manifest reader lands. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('oneproc check: not implemented yet\n');
  return 2;
}
