"""Seal the exchange threads' free text and offers at rest (waymark/exchange/sealed.py).

Columns are renamed ``<name>_sealed`` and become text. Rows written before this hold plain text
(or JSON text), which reads through unchanged; their ``seal_key`` is their own public id, so what
is written to them from now on is sealed too.
"""

from django.db import migrations, models


def own_keys(apps, schema_editor):
    for name in ("Referral", "InfoRequest", "Notice", "Transfer"):
        model = apps.get_model("exchange", name)
        for row in model.objects.filter(seal_key__isnull=True).only("pk", "public_id"):
            model.objects.filter(pk=row.pk).update(seal_key=row.public_id)


RENAMES = [
    ("referral", "reason", models.TextField(blank=True, verbose_name="why this referral")),
    ("referral", "offer", models.TextField(blank=True)),
    ("referral", "response_reason", models.TextField(blank=True)),
    ("referralstep", "reason", models.TextField(blank=True)),
    ("inforequest", "questions", models.TextField(blank=True)),
    ("inforequest", "answers", models.TextField(blank=True)),
    ("notice", "subject", models.TextField()),
    ("notice", "text", models.TextField(blank=True)),
    ("transfer", "reason", models.TextField(blank=True, verbose_name="why this transfer")),
    ("transfer", "offer", models.TextField(blank=True)),
    ("transfer", "response_reason", models.TextField(blank=True)),
]


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0002_transfer"),
        ("vault", "0001_initial"),
    ]

    operations = [
        *(
            op
            for model, name, field in RENAMES
            for op in (
                migrations.RenameField(model_name=model, old_name=name, new_name=f"{name}_sealed"),
                migrations.AlterField(model_name=model, name=f"{name}_sealed", field=field),
            )
        ),
        *(
            migrations.AddField(
                model_name=model,
                name="seal_key",
                field=models.UUIDField(blank=True, editable=False, null=True),
            )
            for model in ("referral", "inforequest", "notice", "transfer")
        ),
        migrations.RunPython(own_keys, migrations.RunPython.noop),
    ]
