/**
 * Environments that share instead of copy. A command's environment is its parent's plus a few
 * changes (an `A=B cmd` prefix, `env A=B`, the variables a script exported so far), so it is kept as
 * an overlay over a parent pointer, the way mvdan/sh does (expand/environ.go `Environ`;
 * interp/vars.go `overlayEnviron{parent, values}`): looking a name up walks the overlays down to the
 * container's own env, and nothing is copied per command. A Pod with 60,000 env vars and a script of
 * 1,000 `Q=1 cmd` lines once held 60,000,000 entries; now it holds 60,000 plus one per prefix.
 *
 * A script that exports and runs commands in turn adds one overlay per command that follows an
 * export. To keep lookups short the overlays are merged as they are frozen, like the levels of a
 * log-structured merge: an overlay is merged into the one below it while that one is at most twice as
 * large, so the sizes at least double going down and a chain holds at most log2(n) + 1 overlays, while
 * each exported variable is copied at most log2(n) times in all. Pure; no IO.
 */
import type { Env, EnvEntry } from './types';

/** A name the overlay removes (`unset X`, `env -u X`). */
const REMOVED = null;
type Change = EnvEntry | typeof REMOVED;

/** An environment made of changes over a parent environment. Immutable once handed out. */
export class OverlayEnv implements ReadonlyMap<string, EnvEntry> {
  /** Overlays between this one and the first environment that is not an overlay, this one included. */
  readonly depth: number;

  private constructor(
    readonly parent: Env,
    /** @internal The changes, by name; REMOVED hides the parent's entry. */
    readonly own: Map<string, Change>,
  ) {
    this.depth = parent instanceof OverlayEnv ? parent.depth + 1 : 1;
  }

  /** `parent` with `entries` set (later entries win), or `parent` itself when there are none. */
  static with(parent: Env, entries: readonly EnvEntry[], removed: readonly string[] = []): Env {
    if (entries.length === 0 && removed.length === 0) return parent;
    const own = new Map<string, Change>();
    for (const name of removed) own.set(name, REMOVED);
    for (const entry of entries) own.set(entry.name, entry);
    return new OverlayEnv(parent, own);
  }

  /** @internal For EnvBuilder: an overlay whose change map the builder still fills. */
  static open(parent: Env, own: Map<string, Change>): OverlayEnv {
    return new OverlayEnv(parent, own);
  }

  get(name: string): EnvEntry | undefined {
    let env: Env = this;
    while (env instanceof OverlayEnv) {
      const change = env.own.get(name);
      if (change !== undefined) return change ?? undefined;
      env = env.parent;
    }
    return env.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  /**
   * The entries in the order a copied Map would have them: the base environment's names in their
   * order (with the values that override them), then names the overlays added, oldest first.
   */
  *entries(): MapIterator<[string, EnvEntry]> {
    const layers: OverlayEnv[] = [];
    let env: Env = this;
    while (env instanceof OverlayEnv) {
      layers.push(env);
      env = env.parent;
    }
    const base = env;
    for (const [name, entry] of base) {
      const change = changeIn(layers, name);
      if (change === undefined) yield [name, entry];
      else if (change !== REMOVED) yield [name, change];
    }
    const seen = new Set<string>();
    for (let i = layers.length - 1; i >= 0; i--) {
      for (const name of layers[i].own.keys()) {
        if (seen.has(name) || base.has(name)) continue;
        seen.add(name);
        const change = changeIn(layers, name);
        if (change) yield [name, change];
      }
    }
  }

  *keys(): MapIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): MapIterator<EnvEntry> {
    for (const [, entry] of this.entries()) yield entry;
  }

  [Symbol.iterator](): MapIterator<[string, EnvEntry]> {
    return this.entries();
  }

  forEach(
    fn: (value: EnvEntry, key: string, map: ReadonlyMap<string, EnvEntry>) => void,
    thisArg?: unknown,
  ): void {
    for (const [name, entry] of this.entries()) fn.call(thisArg, entry, name, this);
  }
}

/** The topmost change to `name` among `layers` (top first), or undefined when none changes it. */
function changeIn(layers: readonly OverlayEnv[], name: string): Change | undefined {
  for (const layer of layers) {
    const change = layer.own.get(name);
    if (change !== undefined) return change;
  }
  return undefined;
}

/**
 * The environment a running script hands to the commands it starts: the environment it was started
 * with plus what it exported since. `set`/`remove` change it; `snapshot` returns the environment as
 * it is now, which later changes never alter (they go into a new overlay).
 */
export class EnvBuilder {
  private current: Env;
  /** The change map of `current` while no snapshot of it was handed out. */
  private open: Map<string, Change> | undefined;

  constructor(base: Env) {
    this.current = base;
  }

  set(entry: EnvEntry): void {
    this.change(entry.name, entry);
  }

  remove(name: string): void {
    this.change(name, REMOVED);
  }

  snapshot(): Env {
    if (this.open) {
      this.open = undefined;
      this.current = compact(this.current);
    }
    return this.current;
  }

  private change(name: string, change: Change): void {
    if (!this.open) {
      this.open = new Map();
      this.current = OverlayEnv.open(this.current, this.open);
    }
    this.open.set(name, change);
  }
}

/** Merges `env` into the overlays below it while they are at most twice its size (see above). */
function compact(env: Env): Env {
  let top = env;
  while (
    top instanceof OverlayEnv &&
    top.parent instanceof OverlayEnv &&
    top.parent.own.size <= 2 * top.own.size
  ) {
    const below = top.parent;
    const merged = new Map(below.own);
    for (const [name, change] of top.own) merged.set(name, change);
    top = OverlayEnv.open(below.parent, merged);
  }
  return top;
}
