{{- define "tpl.helper" -}}helper:{{ .Values.name }}{{- end -}}
