/**
 * Objects that a built-in controller creates from a pod template that was already checked: the Pods of
 * a ReplicaSet, ReplicationController, StatefulSet, DaemonSet or Job, the ReplicaSets of a Deployment and
 * the Jobs of a CronJob. Their template was judged, with its exemptions, when the owner was created or
 * updated; judging the copy again would deny the Pods of an exempted Deployment, or of one admitted by
 * the UPDATE ratchet.
 *
 * Who sent the request decides, not the object: an ownerReference is a field anyone who may create a
 * Pod can write, so a hand-made Pod with a fake owner must still be judged. Only the kube-controller-
 * manager can authenticate as itself or as its controllers' service accounts. Pure: no IO.
 */
import { isObject } from './workloads';

/**
 * The identities of the controllers that copy a checked template into a new object. With
 * `--use-service-account-credentials` (the default of kubeadm and most distributions) each controller of
 * the kube-controller-manager uses its own service account in kube-system, named as in
 * kubernetes/cmd/kube-controller-manager/app/apps.go (`ClientOrDie(logger, "replicaset-controller")`,
 * "deployment-controller", "statefulset-controller", "daemon-set-controller"), batch.go ("job-controller",
 * "cronjob-controller") and core.go ("replication-controller"), with the roles of
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go; without that flag every controller
 * uses the controller manager's own credentials, user `system:kube-controller-manager`.
 */
export const TEMPLATE_CONTROLLER_USERNAMES: readonly string[] = [
  'system:kube-controller-manager',
  'system:serviceaccount:kube-system:replicaset-controller',
  'system:serviceaccount:kube-system:replication-controller',
  'system:serviceaccount:kube-system:deployment-controller',
  'system:serviceaccount:kube-system:statefulset-controller',
  'system:serviceaccount:kube-system:daemon-set-controller',
  'system:serviceaccount:kube-system:job-controller',
  'system:serviceaccount:kube-system:cronjob-controller',
];

/** The owners whose template those controllers copy: the controller ownerReference they set. */
export const TEMPLATE_OWNERS: readonly { readonly apiVersion: string; readonly kinds: readonly string[] }[] =
  [
    { apiVersion: 'apps/v1', kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'] },
    { apiVersion: 'batch/v1', kinds: ['Job', 'CronJob'] },
    { apiVersion: 'v1', kinds: ['ReplicationController'] },
  ];

const USERNAMES = new Set(TEMPLATE_CONTROLLER_USERNAMES);

/**
 * True when `userInfo` (an AdmissionReview's `request.userInfo`) is one of those controllers and
 * `object` carries the controller ownerReference of a built-in workload: the object is a copy of a
 * template that was checked. Never throws.
 */
export function createdFromCheckedTemplate(userInfo: unknown, object: unknown): boolean {
  if (!isObject(userInfo) || typeof userInfo.username !== 'string' || !USERNAMES.has(userInfo.username)) {
    return false;
  }
  if (!isObject(object) || !isObject(object.metadata)) return false;
  const refs = object.metadata.ownerReferences;
  if (!Array.isArray(refs)) return false;
  return refs.some(
    (ref) =>
      isObject(ref) &&
      ref.controller === true &&
      typeof ref.kind === 'string' &&
      TEMPLATE_OWNERS.some(
        (owner) => owner.apiVersion === ref.apiVersion && owner.kinds.includes(ref.kind as string),
      ),
  );
}
