{{/* Names, labels and the checks that make the chart fail on values that cannot work. */}}

{{- define "oneproc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "oneproc.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "oneproc.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "oneproc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "oneproc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "oneproc.labels" -}}
{{ include "oneproc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "oneproc.chart" . }}
{{- end -}}

{{- define "oneproc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "oneproc.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "oneproc.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding tls.crt and tls.key (and ca.crt in the helm and cert-manager modes). */}}
{{- define "oneproc.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "secret" -}}
{{- .Values.certificates.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "oneproc.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The serving Certificate (cert-manager mode), named in the cert-manager.io/inject-ca-from annotation. */}}
{{- define "oneproc.certificateName" -}}
{{- printf "%s-serving" (include "oneproc.fullname" .) -}}
{{- end -}}

{{/* DNS names the API server uses to reach the Service: <service>.<namespace>.svc. */}}
{{- define "oneproc.dnsNames" -}}
{{- $svc := include "oneproc.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson -}}
{{- end -}}

{{/* Namespaces no entry ever selects: kube-system, the release namespace, and the configured ones. */}}
{{- define "oneproc.excludedNamespaces" -}}
{{- concat (list "kube-system" .Release.Namespace) .Values.excludedNamespaces | uniq | toJson -}}
{{- end -}}

{{/* Whether the webhook entries carry matchConditions (GA in 1.30, beta and on by default in 1.28). */}}
{{- define "oneproc.matchConditionsEnabled" -}}
{{- if eq (toString .Values.matchConditions) "auto" -}}
{{- if semverCompare ">=1.28-0" .Capabilities.KubeVersion.Version -}}true{{- end -}}
{{- else if eq (toString .Values.matchConditions) "true" -}}true
{{- end -}}
{{- end -}}

{{/*
Fails on combinations of values that install something broken. Called from every template that
depends on them, so `helm template`, `helm install` and `helm lint` all stop with the same message.
*/}}
{{- define "oneproc.validate" -}}
{{- $c := .Values.certificates -}}
{{- if and (eq .Values.failurePolicy "Fail") (lt (int .Values.replicaCount) 2) -}}
{{- fail (printf "replicaCount (%d) must be at least 2 with failurePolicy Fail: with one pod, every restart of it rejects all pod and workload changes in the selected namespaces" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and .Values.podDisruptionBudget.enabled (ge (int .Values.podDisruptionBudget.minAvailable) (int .Values.replicaCount)) -}}
{{- fail (printf "podDisruptionBudget.minAvailable (%d) must be lower than replicaCount (%d), or no node running a webhook pod could ever be drained" (int .Values.podDisruptionBudget.minAvailable) (int .Values.replicaCount)) -}}
{{- end -}}
{{- with .Values.enforceAfter -}}
{{- if ne (toDate "2006-01-02" . | date "2006-01-02") . -}}
{{- fail (printf "enforceAfter (%s) must be a calendar date written YYYY-MM-DD, a day in UTC" .) -}}
{{- end -}}
{{- if ne $.Values.mode "enforce" -}}
{{- fail (printf "enforceAfter escalates the default mode from warn to enforce on its day, but mode is %s: leave mode at enforce" $.Values.mode) -}}
{{- end -}}
{{- end -}}
{{- if eq (int .Values.metrics.port) 8443 -}}
{{- fail "metrics.port must not be 8443: the webhook serves admission reviews on 8443" -}}
{{- end -}}
{{- if eq $c.mode "secret" -}}
{{- if not $c.secret.name -}}
{{- fail "certificates.mode is secret: set certificates.secret.name to an existing kubernetes.io/tls Secret in the release namespace" -}}
{{- end -}}
{{- if not $c.secret.caBundle -}}
{{- fail "certificates.mode is secret: set certificates.secret.caBundle to the base64 PEM of the CA that signed the Secret's certificate (the API server needs it to trust the webhook)" -}}
{{- end -}}
{{- if not (hasPrefix "-----BEGIN CERTIFICATE-----" (trim (b64dec $c.secret.caBundle))) -}}
{{- fail "certificates.secret.caBundle must be the base64 encoding of a PEM certificate (it should decode to text starting with -----BEGIN CERTIFICATE-----)" -}}
{{- end -}}
{{- else -}}
{{- if or $c.secret.name $c.secret.caBundle -}}
{{- fail (printf "certificates.secret.name and certificates.secret.caBundle are used only with certificates.mode secret, but certificates.mode is %s: remove them or set the mode to secret" $c.mode) -}}
{{- end -}}
{{- end -}}
{{- if and $c.certManager.issuerRef (ne $c.mode "cert-manager") -}}
{{- fail (printf "certificates.certManager.issuerRef is used only with certificates.mode cert-manager, but certificates.mode is %s" $c.mode) -}}
{{- end -}}
{{- if and $c.certManager.issuerRef (not $c.certManager.issuerRef.name) -}}
{{- fail "certificates.certManager.issuerRef needs a name" -}}
{{- end -}}
{{- end -}}

{{/*
The API server evaluates these before calling the webhook; a request goes to the webhook only when
all are true. Each skips requests the webhook would admit anyway, so they save a network round trip
and keep those requests working while the webhook is unreachable. test/install/ evaluates them over
every rule fixture: a request that yields a finding must never be skipped.
*/}}
{{- define "oneproc.matchConditions" -}}
# Removing finalizers and other updates while an object is deleted must never be blocked.
- name: not-being-deleted
  expression: "!has(object.metadata.deletionTimestamp)"
# Kubelets create mirror pods for static pods; the static pod runs whatever the API answers.
- name: not-a-mirror-pod
  expression: "!(request.kind.kind == 'Pod' && request.userInfo.username.startsWith('system:node:'))"
# Pods, ReplicaSets and Jobs created by a built-in controller copy a template that was checked (with its
# exemptions) when the owning Deployment, StatefulSet, DaemonSet, ReplicationController, Job or CronJob was.
# Who sends the request decides (the kube-controller-manager or its controllers' service accounts, as
# named in kubernetes/cmd/kube-controller-manager/app): anyone who may create a Pod can write an
# ownerReference, so an owner alone skips nothing.
- name: not-created-from-a-checked-template
  expression: >-
    !(request.userInfo.username in ['system:kube-controller-manager',
    'system:serviceaccount:kube-system:replicaset-controller',
    'system:serviceaccount:kube-system:replication-controller',
    'system:serviceaccount:kube-system:deployment-controller',
    'system:serviceaccount:kube-system:statefulset-controller',
    'system:serviceaccount:kube-system:daemon-set-controller',
    'system:serviceaccount:kube-system:job-controller',
    'system:serviceaccount:kube-system:cronjob-controller'] &&
    has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(r,
    has(r.controller) && r.controller == true &&
    ((r.apiVersion == 'apps/v1' && r.kind in ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']) ||
    (r.apiVersion == 'batch/v1' && r.kind in ['Job', 'CronJob']) ||
    (r.apiVersion == 'v1' && r.kind == 'ReplicationController'))))
# oneproc reads command and args; a pod whose containers set neither runs the image's own entrypoint,
# which the webhook cannot see (`oneproc check` on the Dockerfile can).
- name: sets-command-or-args
  expression: >-
    [request.kind.kind == 'Pod' ? object.spec :
    (request.kind.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)
    ].exists(s,
    (has(s.containers) && s.containers.exists(c, has(c.command) || has(c.args))) ||
    (has(s.initContainers) && s.initContainers.exists(c, has(c.command) || has(c.args))))
{{- end -}}
