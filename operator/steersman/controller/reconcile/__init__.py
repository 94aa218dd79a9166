"""One reconcile of one HelmRelease, shaped like Flux's helm-controller `internal/reconcile`:
`state` decides (pure), `loop` runs observe -> decide -> act until nothing is left to do.

Nothing is imported here, so that importing `state` alone (pure) loads no I/O code."""
