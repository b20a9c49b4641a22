/** Kubernetes manifests → pod specs → findings. `checkObject` is the entry point every door shares. */
export { checkObject, inspectObject, type ObjectCheckOptions, type ObjectReport } from './check';
export { type ExemptionStatus, exemptionOf } from './exemption';
export { type ContainerRef, type MetadataRef, type PodSpecRef, podSpecs, WORKLOAD_KINDS } from './workloads';
