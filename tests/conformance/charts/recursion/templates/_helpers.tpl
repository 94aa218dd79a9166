{{- define "rec.count" -}}
{{- if gt (int .n) 0 -}}{{ .n }},{{ include "rec.count" (dict "n" (sub (int .n) 1)) }}{{- end -}}
{{- end -}}
{{- define "rec.forever" -}}{{ include "rec.forever" . }}{{- end -}}
