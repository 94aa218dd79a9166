{{- define "ic.overridden" -}}from sub/_deep{{- end }}
{{- define "ic.deepOnly" -}}deep-only:{{ .Template.Name }}{{- end }}
