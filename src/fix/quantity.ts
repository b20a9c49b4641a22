/**
 * CPU quantities divided among processes. Kubernetes' CPU quantities are cores (`2`, `0.5`) or
 * millicores (`500m`); the API server rounds finer values up to the millicore
 * (k8s.io/apimachinery pkg/api/resource/quantity.go, `MilliValue` rounds up), so the division does too.
 */

/**
 * The least CPU a divided request or limit is given: 10m. Below it a process is throttled to a crawl
 * by the CFS quota of a 100 ms period (1 ms of CPU per period), and a request rounds to nothing in the
 * scheduler's sums. docs/fix.md states it.
 */
export const CPU_FLOOR_MILLIS = 10;

/** Millicores of `2`, `0.5`, `1.25`, `500m`, `1e3m`-free forms; undefined for what is not read. */
export function cpuMillicores(quantity: unknown): number | undefined {
  const text = typeof quantity === 'number' ? String(quantity) : quantity;
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?|\.\d+)(m?)$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return undefined;
  return Math.ceil(m[2] === 'm' ? value : value * 1000);
}

/** A CPU quantity written the way people write it: whole cores as `2`, the rest as `500m`. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** `millis` ÷ `n`, rounded up to the millicore, never below the floor (nor above `millis`). */
export function divideCpu(millis: number, n: number): number {
  return Math.min(millis, Math.max(CPU_FLOOR_MILLIS, Math.ceil(millis / n)));
}
