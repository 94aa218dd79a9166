"""Sprig v3.3.0 template functions, as Helm configures them, on the gotemplate value model."""
