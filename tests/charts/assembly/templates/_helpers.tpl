apiVersion: v1
kind: ConfigMap
metadata:
  name: never-rendered-partial
