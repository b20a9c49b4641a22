/**
 * Options read through click's auto-envvar prefix (uvicorn, granian): when the environment decides,
 * and click's reading of a boolean. Pure functions: no IO, never throw.
 */
import type { EnvEntry, SimpleCommand } from '../shell/types';

/**
 * Click's reading of a boolean from an environment variable (BoolParamType): `1/true/t/yes/y/on`
 * and `0/false/f/no/n/off`, case-insensitive; an empty value is ignored by click's auto-envvar lookup.
 * Returns undefined when the variable does not decide (absent or empty), 'unknown' when its value
 * cannot be known here.
 */
export function clickEnvBool(entry: EnvEntry | undefined): boolean | 'unknown' | undefined {
  if (!entry) return undefined;
  if (entry.value === undefined || entry.unknown) return 'unknown';
  const v = entry.value.trim().toLowerCase();
  if (v === '') return undefined;
  if (['1', 'true', 't', 'yes', 'y', 'on'].includes(v)) return true;
  if (['0', 'false', 'f', 'no', 'n', 'off'].includes(v)) return false;
  // click rejects the value and the server does not start.
  return false;
}

/**
 * A click option read the way click's auto-envvar prefix does: the environment variable is used only
 * when the option is absent from the command line, and an empty value counts as absent.
 */
export function clickEnv(cmd: SimpleCommand, name: string): EnvEntry | undefined {
  const entry = cmd.env.get(name);
  if (!entry) return undefined;
  if (entry.value !== undefined && !entry.unknown && entry.value === '') return undefined;
  return entry;
}
