"""The take-charge request's family-tracing result becomes a real link: ``relative``, the child's
relative whose family link is confirmed, replacing the bare ``tracing_result_id`` reference.

An existing reference that names a relative of the same case is kept as the link; any other
(there was no model to point to, so nothing could be found under it) is dropped. Every row stays
readable."""

import django.db.models.deletion
from django.db import migrations, models


def link_existing(apps, schema_editor):
    TakeChargeRequest = apps.get_model("continuity", "TakeChargeRequest")
    Relative = apps.get_model("continuity", "Relative")
    for request in TakeChargeRequest.objects.exclude(tracing_result_id=None).iterator():
        relative = Relative.objects.filter(case_id=request.case_id, public_id=request.tracing_result_id).first()
        if relative is not None:
            TakeChargeRequest.objects.filter(pk=request.pk).update(relative=relative)


def unlink(apps, schema_editor):
    TakeChargeRequest = apps.get_model("continuity", "TakeChargeRequest")
    for request in TakeChargeRequest.objects.exclude(relative=None).select_related("relative").iterator():
        TakeChargeRequest.objects.filter(pk=request.pk).update(tracing_result_id=request.relative.public_id)


class Migration(migrations.Migration):
    dependencies = [
        ("continuity", "0006_merge_family_tracing_take_charge_bia"),
    ]

    operations = [
        migrations.AddField(
            model_name="takechargerequest",
            name="relative",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="take_charge_requests",
                to="continuity.relative",
                verbose_name="family-tracing result (the confirmed relative)",
            ),
        ),
        migrations.RunPython(link_existing, unlink),
        migrations.RemoveField(model_name="takechargerequest", name="tracing_result_id"),
    ]
