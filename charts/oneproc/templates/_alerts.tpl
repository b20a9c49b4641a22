{{/*
The alert rules of docs/install.md, "Alerts": a `groups:` list for a PrometheusRule's spec, and (through
scripts/manifests.js) for manifests/alerts/oneproc.rules.yml. Every metric is one the webhook exports
(src/webhook/metrics.ts). test/install/alerts.test.ts runs `promtool check rules` on them and
`promtool test rules` with a case that fires and one that does not for each alert.
*/}}
{{- define "oneproc.alertGroups" -}}
{{- $a := .Values.alerts -}}
{{- $sel := $a.selector | default (printf "namespace=%q" .Release.Namespace) -}}
{{- $runbook := printf "%s/blob/main/docs/install.md" .Chart.Home -}}
groups:
  - name: oneproc-webhook
    rules:
      - alert: OneprocWebhookCertificateExpiresSoon
        expr: {{ printf "min(oneproc_webhook_certificate_expiry_timestamp_seconds{%v}) - time() < %v" ($sel) (mul (int $a.certificateExpiryDays) 86400) | quote }}
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: The oneproc webhook's serving certificate expires within {{ int $a.certificateExpiryDays }} days.
          description: 'The certificate in service expires in {{ "{{" }} $value | humanizeDuration {{ "}}" }}. Once it has, the API server cannot call the webhook: with failurePolicy Ignore workloads are admitted unchecked, with Fail they are rejected.'
          runbook_url: {{ $runbook }}#oneprocwebhookcertificateexpiressoon
      - alert: OneprocWebhookReviewErrors
        expr: {{ printf "sum(rate(oneproc_webhook_requests_total{%v,verdict=\"errored\"}[10m])) / sum(rate(oneproc_webhook_requests_total{%v}[10m])) > %v" ($sel) ($sel) ($a.reviewErrorRatio) | quote }}
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: More than {{ mulf $a.reviewErrorRatio 100 }}% of oneproc reviews end in an error.
          description: '{{ "{{" }} $value | humanizePercentage {{ "}}" }} of admission reviews were answered with an error code over the last 10 minutes.'
          runbook_url: {{ $runbook }}#oneprocwebhookreviewerrors
      - alert: OneprocWebhookFailClosed
        expr: {{ printf "sum(increase(oneproc_webhook_fail_closed_total{%v}[10m])) > %v" ($sel) ($a.failClosedIn10Minutes) | quote }}
        labels:
          severity: warning
        annotations:
          summary: The oneproc webhook refused requests it could not judge (fail closed).
          description: 'Enforce mode refused about {{ "{{" }} printf "%.0f" $value {{ "}}" }} requests in the last 10 minutes because oneproc failed on them or could not read a container.'
          runbook_url: {{ $runbook }}#oneprocwebhookfailclosed
      - alert: OneprocWebhookSlowReviews
        expr: {{ printf "histogram_quantile(0.99, sum by (le) (rate(oneproc_webhook_request_duration_seconds_bucket{%v}[10m]))) > %v" ($sel) ($a.latencyP99Seconds) | quote }}
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: The 99th percentile of oneproc review time is above {{ $a.latencyP99Seconds }} s.
          description: '99% of reviews took up to {{ "{{" }} $value | humanizeDuration {{ "}}" }} over the last 10 minutes; the API server gives up after {{ .Values.timeoutSeconds }} s.'
          runbook_url: {{ $runbook }}#oneprocwebhookslowreviews
      - alert: OneprocWebhookNoReadyReplicas
        expr: {{ printf "(sum(oneproc_webhook_ready{%v}) or vector(0)) < 1" ($sel) | quote }}
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: No oneproc webhook replica is ready (or none can be scraped).
          description: 'The API server has no webhook to call: with failurePolicy Ignore workloads are admitted unchecked, with Fail every selected create and update is rejected.'
          runbook_url: {{ $runbook }}#oneprocwebhooknoreadyreplicas
      - alert: OneprocWebhookLogLinesDropped
        expr: {{ printf "sum(increase(oneproc_webhook_log_lines_dropped_total{%v}[10m])) > 0" ($sel) | quote }}
        labels:
          severity: warning
        annotations:
          summary: The oneproc webhook dropped decision log lines.
          description: 'About {{ "{{" }} printf "%.0f" $value {{ "}}" }} log lines were not written over the last 10 minutes: the log reader fell behind or is gone, so the record of decisions has gaps.'
          runbook_url: {{ $runbook }}#oneprocwebhookloglinesdropped
{{- end -}}
