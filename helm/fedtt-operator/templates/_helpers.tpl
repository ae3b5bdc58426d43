{{/* Names ------------------------------------------------------------------------------------ */}}

{{- define "fedtt-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fedtt-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fedtt-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fedtt-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fedtt-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fedtt-operator.workerServiceAccountName" -}}
{{- default (printf "%s-worker" (include "fedtt-operator.fullname" .) | trunc 63 | trimSuffix "-") .Values.workerServiceAccount.name }}
{{- end }}

{{- define "fedtt-operator.leaseName" -}}
{{- default (printf "%s-lock" (include "fedtt-operator.fullname" .) | trunc 63 | trimSuffix "-") .Values.leaderElection.leaseName }}
{{- end }}

{{- define "fedtt-operator.claimName" -}}
{{- default (printf "%s-store" (include "fedtt-operator.fullname" .) | trunc 63 | trimSuffix "-") .Values.persistence.existingClaim }}
{{- end }}

{{- define "fedtt-operator.endpointUrl" -}}
{{- default (printf "http://%s.%s.svc:%d" (include "fedtt-operator.fullname" .) .Release.Namespace (int .Values.federation.port)) .Values.federation.endpointUrl }}
{{- end }}

{{- define "fedtt-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "fedtt-operator.workerImage" -}}
{{- printf "%s:%s" .Values.workerImage.repository (default .Chart.AppVersion .Values.workerImage.tag) }}
{{- end }}

{{/* The namespaces the worker ServiceAccount is created in: the release's, the watched ones, extras. */}}
{{- define "fedtt-operator.workerNamespaces" -}}
{{- $all := concat (list .Release.Namespace) .Values.watchNamespaces .Values.workerServiceAccount.extraNamespaces }}
{{- toYaml (uniq $all) }}
{{- end }}

{{/* Labels ----------------------------------------------------------------------------------- */}}

{{- define "fedtt-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fedtt-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The labels of every object the chart renders, except app.kubernetes.io/component. */}}
{{- define "fedtt-operator.commonLabels" -}}
helm.sh/chart: {{ include "fedtt-operator.chart" . }}
app.kubernetes.io/name: {{ include "fedtt-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: fedtt
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "fedtt-operator.labels" -}}
{{ include "fedtt-operator.commonLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/*
The labels every worker pod carries (set by the operator: io.fedtt.operator.build.Labels); the
NetworkPolicy admits only these pods to the federation port.
*/}}
{{- define "fedtt-operator.workerPodLabels" -}}
app.kubernetes.io/component: worker
app.kubernetes.io/managed-by: fedtt-operator
{{- end }}

{{/* RBAC ------------------------------------------------------------------------------------- */}}

{{/*
What the operator does to the API, written once: the ClusterRole (all namespaces) and every
per-namespace Role render these rules. No wildcards. The platform module's LiveOperatorTest runs
the operator against a recording API server and fails if these rules are not exactly what it used.
*/}}
{{- define "fedtt-operator.rules" -}}
# FederatedFineTunes: informer (list/watch), finalizer add/remove (patch), deletion after
# runPolicy.ttlSecondsAfterFinished (delete).
- apiGroups: ["fedtt.io"]
  resources: ["federatedfinetunes"]
  verbs: ["delete", "get", "list", "patch", "watch"]
# Status: server-side apply (patch), or a whole-status write with serverSideApply=false (update).
- apiGroups: ["fedtt.io"]
  resources: ["federatedfinetunes/status"]
  verbs: ["patch", "update"]
# Owner references with blockOwnerDeletion need this where OwnerReferencesPermissionEnforcement is on.
- apiGroups: ["fedtt.io"]
  resources: ["federatedfinetunes/finalizers"]
  verbs: ["update"]
# Worker pods and model probe pods: informer, creation, deletion one by one (failed, suspended,
# finished, probe done; on cleanup only the pods the job controls, never a collection by label).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["create", "delete", "list", "watch"]
# A pvc: model's probe pod prints the model's config.json; the operator reads that log.
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
# The per-job token Secret: informer, creation, update when silos change, deletion on cleanup (only
# the Secret the job controls).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create", "delete", "get", "list", "update", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/* Leader election: the Lease in the release namespace only. */}}
{{- define "fedtt-operator.leaseRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create", "get", "update"]
{{- end }}
