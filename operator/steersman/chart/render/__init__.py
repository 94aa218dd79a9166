"""Rendering: the template context (.Values, .Chart, .Files, .Capabilities), Helm's own template
functions, and the manifest assembly (splitting, sorting, hooks) of `helm install/template`."""
