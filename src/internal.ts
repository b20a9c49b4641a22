/**
 * oneproc's internals (`import … from 'oneproc/internal'`): what its own doors — the CLI, the webhook
 * server, the policy generator — are built from. Exported for tools that embed those doors; names here
 * may change in any release. The documented API is src/index.ts.
 */

export { checkCommands, findingFor } from './engine';
export type { ManifestDocument, ParseOptions, ParseResult, Position, TextReport } from './manifest';
export { checkText, decodeText, parseManifests, readManifests } from './manifest';
export { createdFromCheckedTemplate, TEMPLATE_CONTROLLER_USERNAMES } from './manifest/controllers';
export { buildPolicy, type PolicyAction, PolicyOptionError, type PolicyOptions } from './policy';
export { mentionWords, SERVER_MENTION, SERVERS } from './servers/registry';
export type { Server, ServerSpec } from './servers/types';
export { containerCommands, envFromFor } from './shell';
export type { ShellProblem, ShellResult } from './shell/types';
export { CertificateError, CertificateReloader, type KeyPair, loadKeyPair } from './webhook/certs';
export { JsonLog, type JsonLogOptions, type LogEntry, MAX_LOG_QUEUE_BYTES } from './webhook/log';
export { createMetricsServer, WebhookMetrics } from './webhook/metrics';
export {
  type AdmissionResponse,
  type AdmissionReviewOut,
  allowed,
  type CheckObject,
  type DecisionRecord,
  denied,
  errored,
  type Mode as ReviewMode,
  type ReviewOptions,
  type ReviewResult,
  review,
  reviewBody,
  UNJUDGED_RULES,
  type Verdict,
  withWarnings,
} from './webhook/review';
export {
  jsonLogger,
  type Logger,
  runUntilSignal,
  WebhookServer,
  type WebhookServerOptions,
} from './webhook/server';
export {
  type ConnectionRejection,
  MAX_BODY_BYTES,
  MAX_BUFFERED_BYTES,
  MAX_CONNECTIONS,
  MAX_IDLE_CONNECTIONS,
  REVIEW_PATHS,
  Transport,
  type TransportOptions,
} from './webhook/transport';
