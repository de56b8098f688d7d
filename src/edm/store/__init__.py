"""Persistence: tables derived from the manifest, migrations, scoped queries."""
