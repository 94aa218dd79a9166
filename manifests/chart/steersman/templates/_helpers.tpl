{{/* The release's full name, at most 63 characters (a DNS label). */}}
{{- define "steersman.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "steersman.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "steersman.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "steersman.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "steersman.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "steersman.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The operator's service account as RoleBinding subjects. */}}
{{- define "steersman.subjects" -}}
- kind: ServiceAccount
  name: {{ include "steersman.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}

{{/* The Secret holding the PostgreSQL DSN, or "" when none is configured. */}}
{{- define "steersman.sqlSecretName" -}}
{{- if .Values.storage.sql.existingSecret -}}
{{- .Values.storage.sql.existingSecret -}}
{{- else if .Values.storage.sql.connectionString -}}
{{- printf "%s-sql" (include "steersman.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Values that cannot work together fail the render with a message saying what to change. */}}
{{- define "steersman.validate" -}}
{{- if not (has .Values.rbac.mode (list "cluster-admin" "locked-down")) -}}
{{- fail (printf "rbac.mode must be cluster-admin or locked-down, not %q" .Values.rbac.mode) -}}
{{- end -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "replicas > 1 needs leaderElection.enabled=true: without it every replica reconciles" -}}
{{- end -}}
{{- if and (eq .Values.storage.driver "sql") (not (include "steersman.sqlSecretName" .)) -}}
{{- fail "storage.driver=sql needs storage.sql.existingSecret or storage.sql.connectionString" -}}
{{- end -}}
{{- if and .Values.storage.encryption.enabled (not .Values.storage.encryption.keysSecret) -}}
{{- fail "storage.encryption.enabled needs storage.encryption.keysSecret (a Secret with a `keys` entry)" -}}
{{- end -}}
{{- end -}}
