"""Need to know (issue 9, finding 1): the conversations already under way share their child.

Every referral, transfer and information request in which this node sent something about one of
its cases opens the context the exchange now opens when it sends (exchange/contexts.py), unless
the thread has ended (a referral rejected or revoked, a transfer rejected, a request declined).
The table is frozen here as it stood when the migration was written. Going back removes nothing
the earlier schema knew of (the contexts table belongs to the policy app).
"""

from __future__ import annotations

from django.db import migrations

SHARING = {
    "referral": {"rejected", "revoked"},
    "transfer": {"rejected"},
    "info_request": {"declined"},
}


def share_threads(apps, schema_editor):
    Thread = apps.get_model("exchange", "Thread")
    ThreadMessage = apps.get_model("exchange", "ThreadMessage")
    SharedContext = apps.get_model("policy", "SharedContext")
    sent = ThreadMessage.objects.filter(direction="out").values("thread_id")
    rows = []
    for thread in Thread.objects.filter(case__isnull=False, kind__in=SHARING, pk__in=sent).iterator():
        if thread.status in SHARING[thread.kind]:
            continue
        rows.append(
            SharedContext(
                case_id=thread.case_id,
                partner=thread.peer_org,
                purpose=thread.purpose,
                source=thread.kind,
                source_id=thread.public_id,
                opened_at=thread.created_at,
            )
        )
    SharedContext.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0004_threads_ledger"),
        ("policy", "0003_shared_context"),
    ]

    operations = [migrations.RunPython(share_threads, migrations.RunPython.noop)]
