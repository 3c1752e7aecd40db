"""Database triggers refusing UPDATE, DELETE (and TRUNCATE on PostgreSQL) on the audit tables.

The SQL lives in ``waymark.audit.triggers`` (per vendor), shared with the ``flush`` override and
the tamper-test helper. If it changes, add a migration that calls ``install`` again.
"""

from django.db import migrations

from waymark.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
