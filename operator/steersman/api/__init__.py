"""HelmRelease API models and CRD generation."""
