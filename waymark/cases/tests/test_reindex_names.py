"""reindex_names recomputes the search keys of names, all of them or only the stale ones."""

from __future__ import annotations

import io

from django.core.management import call_command

from waymark.cases.models import MatchKey
from waymark.core import names as name_prep
from waymark.test import create_case


def test_stale_names_get_their_keys_back_and_current_ones_are_left(people):
    old = create_case(people.giulia, given_names="Mohamed", family_name="Hossein")
    current = create_case(people.giulia, given_names="Yonas", family_name="Tesfay")
    wanted = set(MatchKey.objects.filter(child=old.child).values_list("key", flat=True))
    assert "s:mhmd" in wanted
    MatchKey.objects.filter(child=old.child).delete()
    untouched = list(MatchKey.objects.filter(child=current.child).values_list("pk", flat=True))
    call_command("reindex_names", "--stale", stdout=io.StringIO())
    assert set(MatchKey.objects.filter(child=old.child).values_list("key", flat=True)) == wanted
    assert list(MatchKey.objects.filter(child=current.child).values_list("pk", flat=True)) == untouched
    assert set(MatchKey.objects.values_list("version", flat=True)) == {name_prep.NAMES_VERSION}
