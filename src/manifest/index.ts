/** Kubernetes manifests → pod specs → findings. `checkObject` is the entry point every door shares. */
export { checkObject, inspectObject, type ObjectCheckOptions, type ObjectReport } from './check';
export { decodeText } from './decode';
export {
  blankDocuments,
  type DocumentSpan,
  splitDocuments,
  type TemplateSpan,
  templateDocuments,
} from './documents';
export { InputError } from './errors';
export { type ExemptionStatus, exemptionOf, isBlankReason } from './exemption';
export {
  MAX_DOCUMENT_NODES,
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
