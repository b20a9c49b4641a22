/** cdk8s constructs: single-process web apps, and the oneproc admission webhook itself. */
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
} from './admission-webhook';
export { AdmissionWebhookError, MultipleWorkersError, SingleProcessAppError } from './errors';
export type { GuardInput, GuardResult } from './guard';
export { CONTAINER_PATH, guardContainer } from './guard';
export type {
  AllowMultipleWorkers,
  ProbeOptions,
  ReplicaOptions,
  ResourceOptions,
  SessionAffinityOptions,
  ShutdownOptions,
  SingleProcessAppProps,
  SpreadOptions,
  SpreadPolicy,
} from './props';
export type {
  ConfigMapKeyRef,
  EnvVar,
  ExternalRedisOptions,
  RedisOptions,
  RedisPersistenceOptions,
  RedisProps,
  SecretKeyRef,
} from './redis';
export { REDIS_PORT, REDIS_UID, Redis } from './redis';
export { APP_CONTAINER, SingleProcessApp } from './single-process-app';
