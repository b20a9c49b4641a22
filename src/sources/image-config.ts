/**
 * An image's config JSON → `ImageSpec`: what `docker build` recorded (Entrypoint, Cmd, Env,
 * WorkingDir). Accepts an OCI image config (`{"config": {…}}`), Docker's (`{"Config": {…}}`) and
 * `docker inspect` output (`[{"Config": {…}}]`). Pure; throws `InputError` for JSON of another shape.
 */
import { InputError } from '../manifest';
import type { ImageSpec } from './dockerfile';

export function readImageConfig(text: string, file: string): ImageSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`is not JSON (${(err as Error).message})`, file);
  }
  const root = Array.isArray(json) ? json[0] : json;
  const config =
    (root as { config?: unknown; Config?: unknown } | undefined)?.config ??
    (root as { Config?: unknown })?.Config;
  if (typeof config !== 'object' || config === null) {
    throw new InputError(
      'has no "config" object: expected an OCI or Docker image config, or `docker inspect` output',
      file,
    );
  }
  const c = config as { Entrypoint?: unknown; Cmd?: unknown; Env?: unknown; WorkingDir?: unknown };
  const words = (v: unknown) =>
    Array.isArray(v) && v.every((w) => typeof w === 'string') ? (v as string[]) : undefined;
  const entrypoint = words(c.Entrypoint);
  const cmd = words(c.Cmd);
  const env = (words(c.Env) ?? []).map((pair) => {
    const i = pair.indexOf('=');
    return { name: i < 0 ? pair : pair.slice(0, i), value: i < 0 ? '' : pair.slice(i + 1), line: 1 };
  });
  return {
    file,
    ...(entrypoint && entrypoint.length > 0
      ? { entrypoint: { words: entrypoint, shell: false, line: 1 } }
      : {}),
    ...(cmd && cmd.length > 0 ? { cmd: { words: cmd, shell: false, line: 1 } } : {}),
    env,
    workdir: typeof c.WorkingDir === 'string' && c.WorkingDir ? c.WorkingDir : '/',
    copies: [],
    base: '',
  };
}
