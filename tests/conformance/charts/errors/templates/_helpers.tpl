{{- define "errors.inner" -}}
{{ .Values.missing.deep }}
{{- end -}}
{{- define "errors.required" -}}
{{ required "inner value is required" .Values.absent }}
{{- end -}}
{{- define "errors.outer" -}}
{{ include "errors.inner" . }}
{{- end -}}
