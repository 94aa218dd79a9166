"""Steersman: a Kubernetes operator that reconciles HelmRelease resources with its own Helm
engine."""

from steersman._version import __version__

__all__ = ["__version__"]
