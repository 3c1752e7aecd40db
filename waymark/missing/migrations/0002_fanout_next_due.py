"""The board's order as a column: ``Disappearance.next_due_at`` (the earliest due open step),
filled for the disappearances already there, and a partial index over the open ones."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_next_due(apps, schema_editor):
    Disappearance = apps.get_model("missing", "Disappearance")
    StepStatus = apps.get_model("missing", "StepStatus")
    open_due = (
        StepStatus.objects.filter(disappearance=OuterRef("pk"), done_at__isnull=True, stopped_at__isnull=True)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    Disappearance.objects.filter(closed_at__isnull=True).update(next_due_at=Subquery(open_due))


class Migration(migrations.Migration):
    dependencies = [
        ("missing", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="disappearance",
            name="next_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_next_due, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="disappearance",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True)),
                fields=["next_due_at", "-reported_at", "id"],
                name="missing_open_board_order",
            ),
        ),
    ]
