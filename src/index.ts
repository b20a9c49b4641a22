/** Public API of oneproc. Everything a user may import is listed here explicitly. */

export type {
  AllowMultipleWorkers,
  ConfigMapKeyRef,
  EnvVar,
  ExternalRedisOptions,
  GuardInput,
  GuardResult,
  ProbeOptions,
  RedisOptions,
  RedisPersistenceOptions,
  RedisProps,
  ReplicaOptions,
  ResourceOptions,
  SecretKeyRef,
  SessionAffinityOptions,
  ShutdownOptions,
  SingleProcessAppProps,
  SpreadOptions,
  SpreadPolicy,
} from './constructs';
export {
  AdmissionWebhookError,
  APP_CONTAINER,
  CONTAINER_PATH,
  guardContainer,
  MultipleWorkersError,
  REDIS_PORT,
  REDIS_UID,
  Redis,
  SingleProcessApp,
  SingleProcessAppError,
} from './constructs';
export {
  AdmissionWebhook,
  type AdmissionWebhookProps,
  type CertManagerIssuerRef,
  type CertManagerOptions,
  WEBHOOK_MATCH_CONDITIONS,
  WebhookCertificate,
  type WebhookExemptionAuthority,
  type WebhookFailurePolicy,
  type WebhookMode,
} from './constructs/admission-webhook';
export type { CheckOptions } from './engine';
export {
  checkCommands,
  checkContainer,
  DEFAULT_SEVERITY,
  EXEMPT_ANNOTATION,
  EXEMPT_UNTIL_ANNOTATION,
  findingFor,
} from './engine';
export type {
  ManifestDocument,
  ObjectCheckOptions,
  ObjectReport,
  ParseOptions,
  ParseResult,
  Position,
  TextReport,
} from './manifest';
export {
  checkObject,
  checkText,
  decodeText,
  InputError,
  inspectObject,
  parseManifests,
  readManifests,
  WORKLOAD_KINDS,
} from './manifest';
export { createdFromCheckedTemplate, TEMPLATE_CONTROLLER_USERNAMES } from './manifest/controllers';
export { buildPolicy, type PolicyAction, PolicyOptionError, type PolicyOptions } from './policy';
export { RULES } from './rules';
export type { Decision, ServerRule } from './rules/types';
export { containerCommands, envFromFor } from './shell';
export type {
  Env,
  EnvEntry,
  EnvFromSource,
  ShellProblem,
  ShellResult,
  SimpleCommand,
  Word,
} from './shell/types';
export type { Category, Exemption, Finding, Origin, Severity } from './types';
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
