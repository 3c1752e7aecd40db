"""The log names a child by a keyed hash of their public id: stable, and never their name."""

from __future__ import annotations

import json

from waymark.audit import keys, service
from waymark.audit.models import AuditEntry
from waymark.audit.tests.conftest import read
from waymark.test import create_case


def test_the_pseudonym_is_stable(case):
    assert service.pseudonym(case.child.public_id) == service.pseudonym(case.child.public_id)
    assert service.pseudonym(case.child.public_id) == service.pseudonym(str(case.child.public_id))


def test_different_children_get_different_pseudonyms(people, case):
    other = create_case(people.claire, given_names="Amina", family_name="Yusuf")
    assert service.pseudonym(other.child.public_id) != service.pseudonym(case.child.public_id)


def test_the_pseudonym_is_not_the_name_nor_the_public_id(case):
    value = service.pseudonym(case.child.public_id)
    assert len(value) == 64 and int(value, 16) >= 0
    for revealing in ("Amina", "Yusuf", str(case.child.public_id), case.child.public_id.hex):
        assert revealing.lower() not in value.lower()


def test_the_pseudonym_depends_on_the_node_key(settings, tmp_path, case):
    ours = service.pseudonym(case.child.public_id)
    settings.WAYMARK_PSEUDONYM_KEY_FILE = tmp_path / "another-node.key"
    keys.forget_cached_keys()
    assert service.pseudonym(case.child.public_id) != ours


def test_no_entry_holds_the_childs_name(people, case, log):
    read(people.giulia, case)
    for entry in AuditEntry.objects.all():
        text = entry.canonical_bytes().decode() + json.dumps(entry.details)
        assert "Amina" not in text and "Yusuf" not in text
        assert entry.child_pseudonym == service.pseudonym(case.child.public_id)
