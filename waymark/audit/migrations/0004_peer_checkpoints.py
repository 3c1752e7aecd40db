"""Partners' checkpoints as this node witnessed them (``waymark.audit.witness``), append-only like
the log: the triggers are installed again so they cover the new table too."""

from django.db import migrations, models

from waymark.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    """Before the table is dropped: its triggers go first (the others are put back as they were)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_peercheckpoint_append_only ON audit_peercheckpoint")
            cursor.execute("DROP TRIGGER IF EXISTS audit_peercheckpoint_no_truncate ON audit_peercheckpoint")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_peercheckpoint_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_peercheckpoint_no_delete")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_discovery_kind'),
    ]

    operations = [
        migrations.CreateModel(
            name='PeerCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('peer_node', models.CharField(max_length=64)),
                ('origin', models.CharField(blank=True, max_length=200)),
                ('tree_size', models.PositiveBigIntegerField(default=0)),
                ('root_hash', models.CharField(blank=True, max_length=64)),
                ('key_id', models.CharField(blank=True, max_length=8)),
                ('signature', models.CharField(blank=True, max_length=88)),
                ('verifier_key', models.CharField(blank=True, max_length=300)),
                ('proven_from', models.PositiveBigIntegerField(blank=True, null=True)),
                ('verdict', models.CharField(choices=[('first', 'First seen (pinned)'), ('consistent', 'Consistent (proven to extend the last one)'), ('unchanged', 'Unchanged'), ('backwards', 'Went backwards'), ('forked', 'Forked'), ('unproven', 'Not proven to extend the last one'), ('key_changed', 'Signed by another key'), ('reset', 'Reset by an administrator')], max_length=16)),
                ('detail', models.CharField(blank=True, max_length=300)),
                ('message_id', models.CharField(blank=True, max_length=64)),
                ('received_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['peer_node', 'id'],
                'indexes': [models.Index(fields=['peer_node', 'id'], name='audit_peerc_peer_no_beb1ea_idx')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
