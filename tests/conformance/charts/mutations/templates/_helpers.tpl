{{- define "mut.addToDict" -}}
{{- $_ := set .dict .key .value -}}
{{- end -}}
