"""Go's runtime behaviour, each written once: the value model and reflection rules, fmt,
strconv, float formatting, encoding/json, go-yaml and sigs.k8s.io/yaml, time and durations,
TOML, semver, netip, net/url, path, and os file calls with their error texts.

Nothing here knows of templates, Helm or Kubernetes: the template language, Sprig, the chart
pipeline and storage import these modules directly (each module is one Go package's behaviour).
"""
