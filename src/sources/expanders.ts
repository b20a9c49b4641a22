/**
 * The readers of server config files and Python entry points, tried in order on every command the
 * image runs (see `SourceExpander`). The first that returns an expansion decides.
 */
import { configReaders } from '../servers/registry';
import { packageScripts, processPrefixes, railsServer, runit, s6Overlay } from './launchers';
import { procfileRunner } from './procfile';
import { pythonEntry } from './python/entry';
import type { SourceExpander } from './types';

export const EXPANDERS: SourceExpander[] = [
  // The servers' own config readers (src/servers/registry.ts); pm2 apps' own commands are read by the
  // others (a function: this list is not built yet).
  ...configReaders(() => EXPANDERS),
  pythonEntry,
];

/**
 * Launchers, tried before a command is read as a script: what they start is declared by files of the
 * image (service folders, config files), not by a script of their own.
 */
export const LAUNCHERS: SourceExpander[] = [
  processPrefixes,
  s6Overlay,
  runit,
  railsServer,
  packageScripts,
  procfileRunner,
];
