"""Helm-compatible release records and their storage drivers."""
