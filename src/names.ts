/**
 * The names and numbers shared by several parts of oneproc, each spelled once: the annotations and the
 * label a manifest carries, the ports the webhook and the node agent listen on, and the environment
 * variables the commands read. The chart (charts/oneproc) writes the same values in YAML;
 * test/install/ holds the chart to them. The shells' names are the shell reader's (src/shell/shells.ts).
 */

/** Exempts a workload: its value is the reason (src/manifest/exemption.ts). */
export const EXEMPT_ANNOTATION = 'oneproc.dev/allow-multiple-workers';
/** The last day (`YYYY-MM-DD`, UTC, inclusive) an exemption holds. */
export const EXEMPT_UNTIL_ANNOTATION = 'oneproc.dev/allow-until';
/** The namespace label that chooses the webhook's mode there: `enforce`, `warn` or `off`. */
export const MODE_LABEL = 'oneproc.dev/mode';

/** `oneproc serve`: the TLS port for admission reviews and health checks. */
export const WEBHOOK_PORT = 8443;
/** `oneproc serve`: the plain-HTTP port of GET /metrics. */
export const METRICS_PORT = 9090;
/**
 * `oneproc observe --serve`: the plain-HTTP port of the node agent's GET /metrics. A port of its own,
 * not the webhook's 9090, so that the agent and the webhook can run in one network namespace (one
 * machine, a pod with both) and a scrape configuration tells them apart by port. Both commands read
 * the port from `ONEPROC_METRICS_PORT` (`ENV.metricsPort`) when the option is not given, each with its
 * own default.
 */
export const OBSERVE_METRICS_PORT = 9091;

/** The environment variables the commands read, for the option of the same name. */
export const ENV = {
  port: 'ONEPROC_PORT',
  metricsPort: 'ONEPROC_METRICS_PORT',
  tlsCert: 'ONEPROC_TLS_CERT',
  tlsKey: 'ONEPROC_TLS_KEY',
  mode: 'ONEPROC_MODE',
  host: 'ONEPROC_HOST',
  shutdownDelay: 'ONEPROC_SHUTDOWN_DELAY',
  maxConnections: 'ONEPROC_MAX_CONNECTIONS',
  enforceAfter: 'ONEPROC_ENFORCE_AFTER',
  exemptUsers: 'ONEPROC_EXEMPT_USERS',
  exemptGroups: 'ONEPROC_EXEMPT_GROUPS',
  /** The example cdk8s app (src/main.ts): the YAML or JSON file of SingleProcessApp props to synthesize. */
  appSettings: 'ONEPROC_APP_SETTINGS',
} as const;
