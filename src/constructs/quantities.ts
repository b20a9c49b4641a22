/**
 * CPU and memory quantities, in the subset of Kubernetes' quantity syntax that a one-process
 * container needs: CPU as millicores (`250m`) or cores (`0.5`, `1`), memory in binary units (`512Mi`,
 * `1Gi`). Anything else is refused with the prop named, rather than guessed.
 */

/** `250m` or `0.25`: millicores or cores, at most three decimals. */
export const CPU_PATTERN = /^(?:[1-9]\d*m|\d+(?:\.\d{1,3})?)$/;

/** `512Mi`, `1Gi`: a whole number of mebibytes or gibibytes. */
export const MEMORY_PATTERN = /^[1-9]\d*(?:Mi|Gi)$/;

/** Millicores of a CPU quantity that matches CPU_PATTERN. */
export function cpuMillis(quantity: string): number {
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Math.round(Number(quantity) * 1000);
}

/** Mebibytes of a memory quantity that matches MEMORY_PATTERN. */
export function memoryMebibytes(quantity: string): number {
  const amount = Number(quantity.slice(0, -2));
  return quantity.endsWith('Gi') ? amount * 1024 : amount;
}
