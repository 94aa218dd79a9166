"""The version, as a literal: pyproject.toml reads it from here (setuptools' `attr:`), so the
command line never looks up package metadata at start-up."""

__version__ = "0.1.0"
