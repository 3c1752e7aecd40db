"""The relative's own consent to their contact details being shared, and its date (existing
relatives: not recorded, so their contact is not shared until it is)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("continuity", "0007_take_charge_tracing_result_link"),
    ]

    operations = [
        migrations.AddField(
            model_name="relative",
            name="contact_consent",
            field=models.BooleanField(
                default=False, verbose_name="the relative agreed to their contact details being shared"
            ),
        ),
        migrations.AddField(
            model_name="relative",
            name="contact_consent_on",
            field=models.DateField(blank=True, null=True, verbose_name="the relative agreed on"),
        ),
    ]
