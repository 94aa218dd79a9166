"""kopf handlers and the reconcile decision."""
