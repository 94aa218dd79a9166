{{- define "shared.label" -}}child-version{{- end }}
{{- define "child.only" -}}child-define:{{ .Chart.Name }}{{- end }}
