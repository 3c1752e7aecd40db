"""Seal the photos already stored in the clear (issue 9, finding 9).

Until now a child's photo was kept as uploaded: a plain file under ``MEDIA_ROOT/photos/``, with
its EXIF (GPS position, device), XMP and ICC metadata. For every child whose photo file is not
sealed yet (its name does not end in ``.sealed``), this migration:

- re-encodes the image without its metadata (``waymark.cases.photos.clean_photo``, Pillow's own
  size limit); a file Pillow can no longer decode is sealed as it is, so nothing stays in clear;
- stores it sealed under the child's data key as ``photos/<year>/<child id>.sealed``;
- deletes the plain file once the migration has committed (a rollback keeps it).

A row whose file is missing loses its dangling name; a child whose key was shredded (a restore
after an erasure) loses the photo. Idempotent: sealed names are skipped.

Unapplying it changes nothing in the files: the photos stay sealed (the earlier code cannot show
them), never written back in the clear. Plain copies in file-system
backups taken before this migration are not reached by it: their protection is backup retention.

The vault service is used as it is today (not a historical model), as in 0003: the node KEK
must be configured before migrating a node that holds photos. A node without photos (tests, a
new node) seals nothing and needs no key.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import migrations, models, transaction
from django.db.models import Q

log = logging.getLogger("waymark.cases")

BATCH = 100


def seal_photos(apps: Any, schema_editor: Any) -> None:
    from PIL import Image

    from waymark.cases import photos
    from waymark.errors import ActionError
    from waymark.vault import service as vault

    Child = apps.get_model("cases", "Child")
    legacy = Child.objects.exclude(Q(photo="") | Q(photo__isnull=True)).exclude(
        photo__endswith=photos.SEALED_SUFFIX
    )
    last = 0
    with vault.key_cache():
        while True:
            batch = list(legacy.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                return
            last = batch[-1].pk
            for child in batch:
                old, storage = child.photo.name, child.photo.storage
                try:
                    with storage.open(old, "rb") as handle:
                        content = handle.read()
                except FileNotFoundError:
                    log.warning("child %s: photo file %s is missing; the name is cleared", child.public_id, old)
                    child.photo = None
                    child.save(update_fields=["photo"])
                    continue
                try:
                    clean = photos.clean_photo(content, max_pixels=Image.MAX_IMAGE_PIXELS or 10**9)
                except ActionError:
                    log.warning("child %s: photo %s cannot be re-encoded; sealed as it is", child.public_id, old)
                    clean = photos.CleanPhoto(content=content, format="")
                try:
                    blob = photos.seal_photo(child.public_id, clean)
                except vault.Shredded:
                    child.photo = None
                else:
                    child.photo.save(f"{child.public_id}{photos.SEALED_SUFFIX}", ContentFile(blob), save=False)
                child.save(update_fields=["photo"])
                transaction.on_commit(lambda name=old, storage=storage: storage.delete(name))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_retain_until"),
        ("vault", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="child",
            name="photo",
            field=models.FileField(blank=True, null=True, upload_to="photos/%Y/", verbose_name="photo"),
        ),
        # Backwards: nothing (see the module docstring).
        migrations.RunPython(seal_photos, migrations.RunPython.noop),
    ]
