{{- define "stack.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 50 | trimSuffix "-" -}}
{{- end }}
{{- define "stack.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "stack.name" .) | trunc 26 | trimSuffix "-" -}}
{{- end }}
{{- define "stack.namespace" -}}
{{- if .Values.namespaceOverride -}}{{ .Values.namespaceOverride }}{{- else -}}{{ .Release.Namespace }}{{- end -}}
{{- end }}
{{- define "stack.labels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: "{{ replace "+" "_" .Chart.Version }}"
app.kubernetes.io/part-of: {{ template "stack.name" . }}
chart: {{ template "stack.name" . }}-{{ .Chart.Version }}
release: {{ $.Release.Name | quote }}
heritage: {{ $.Release.Service | quote }}
{{- if .Values.commonLabels }}
{{ toYaml .Values.commonLabels }}
{{- end }}
{{- end }}
{{- define "stack.ingress.apiVersion" -}}
  {{- if and (.Capabilities.APIVersions.Has "networking.k8s.io/v1") (semverCompare ">= 1.19-0" .Capabilities.KubeVersion.Version) -}}
      {{- print "networking.k8s.io/v1" -}}
  {{- else if .Capabilities.APIVersions.Has "networking.k8s.io/v1beta1" -}}
    {{- print "networking.k8s.io/v1beta1" -}}
  {{- else -}}
    {{- print "extensions/v1beta1" -}}
  {{- end -}}
{{- end -}}
{{- define "stack.ingress.isStable" -}}
  {{- eq (include "stack.ingress.apiVersion" .) "networking.k8s.io/v1" -}}
{{- end -}}
