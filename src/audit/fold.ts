/**
 * Folds objects that a controller made from an audited workload into that workload: a Pod of a
 * ReplicaSet of a Deployment, a Pod or Job of a CronJob, a Pod of a StatefulSet, DaemonSet, Job or
 * ReplicationController. Their containers come from the owner's template, so checking them again would
 * only repeat the owner's findings. Pure.
 */
import { isObject } from '../manifest/workloads';

export interface Listed {
  readonly kind: string;
  readonly object: Record<string, unknown>;
}

/** The objects to check, and how many were folded into an owner that is checked. */
export function foldOwned(objects: readonly Listed[]): { keep: Listed[]; folded: number } {
  const uids = new Set<string>();
  for (const o of objects) {
    const uid = metadata(o.object).uid;
    if (typeof uid === 'string') uids.add(uid);
  }
  const keep: Listed[] = [];
  let folded = 0;
  for (const o of objects) {
    const owner = controllerOf(o.object);
    if (owner && uids.has(owner)) folded++;
    else keep.push(o);
  }
  return { keep, folded };
}

function controllerOf(object: Record<string, unknown>): string | undefined {
  const refs = metadata(object).ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.find(
    (r) => typeof r === 'object' && r !== null && (r as { controller?: unknown }).controller === true,
  );
  const uid = (ref as { uid?: unknown } | undefined)?.uid;
  return typeof uid === 'string' ? uid : undefined;
}

function metadata(object: Record<string, unknown>): Record<string, unknown> {
  const m = object.metadata;
  return isObject(m) ? m : {};
}
