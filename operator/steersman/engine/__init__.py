"""Helm actions (install, upgrade, rollback, uninstall, test) in async Python."""
