/** Kubernetes manifests → pod specs → findings. `checkObject` is the entry point every door shares. */
export { checkObject, inspectObject, type ObjectCheckOptions, type ObjectReport } from './check';
export { decodeText } from './decode';
export { InputError } from './errors';
export { type ExemptionStatus, exemptionOf, isBlankReason } from './exemption';
export {
  type ManifestDocument,
  type ParseOptions,
  type ParseResult,
  type Position,
  parseManifests,
  pathSegments,
  readManifests,
} from './parse';
export { checkText, type TextReport } from './text';
export { type ContainerRef, type MetadataRef, type PodSpecRef, podSpecs, WORKLOAD_KINDS } from './workloads';
