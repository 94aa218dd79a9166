{{- define "ic.overridden" -}}from a_defines{{- end }}
{{- define "ic.list" -}}
{{- range $i, $e := . }}
- index: {{ $i }}
  value: {{ $e }}
{{- end }}
{{- end }}
