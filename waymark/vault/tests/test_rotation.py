"""KEK rotation re-wraps every live data key and retires the old KEK; reads carry on."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from waymark.core import sealing
from waymark.test import create_case
from waymark.vault import keys, service
from waymark.vault.keys import load_keyring
from waymark.vault.models import ChildKey
from waymark.vault.rotation import rotate_kek

FIELD = "cases.careplan.needs"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_the_command_rotates_a_key_file_and_everything_still_opens(people):
    amina = create_case(people.giulia, given_names="Amina", family_name="Yusuf").child
    yonas = create_case(people.giulia, given_names="Yonas", family_name="Tesfay").child
    a = service.seal_text(amina, FIELD, "psychosocial support weekly")
    y = service.seal_text(yonas, FIELD, "dental care")
    out = StringIO()
    call_command("vault_rotate_kek", stdout=out)
    text = out.getvalue()
    assert "New KEK version 2" in text and "Re-wrapped 2" in text and "Retired KEK version(s) 1" in text
    assert set(ChildKey.objects.values_list("kek_version", flat=True)) == {2}
    assert service.open_text(amina, FIELD, a) == "psychosocial support weekly"
    assert service.open_text(yonas, FIELD, y) == "dental care"
    # The data keys did not change, only their wrapping: no data had to be re-encrypted.
    call_command("vault_rotate_kek", stdout=StringIO())
    assert list(load_keyring().keys) == [3]
    assert service.open_text(amina, FIELD, a) == "psychosocial support weekly"


def test_shredded_keys_are_not_brought_back_by_rotation(people):
    child = create_case(people.giulia).child
    service.seal_text(child, FIELD, "x")
    service.shred(child, actor=people.sara)
    result = rotate_kek()
    assert result.rewrapped == 0
    row = ChildKey.objects.get()
    assert row.wrapped_dek is None and row.kek_version is None


def test_with_the_kek_in_the_environment_the_operator_adds_the_new_version_first(people, monkeypatch):
    old, new = sealing.new_key(), sealing.new_key()
    monkeypatch.setenv(keys.ENV_VAR, f"1:{b64(old)}")
    child = create_case(people.giulia).child
    sealed = service.seal_text(child, FIELD, "x")

    out = StringIO()
    call_command("vault_rotate_kek", stdout=out)  # nothing newer to rotate to: says how
    assert "Re-wrapped 0" in out.getvalue() and "set WAYMARK_KEK" in out.getvalue()

    monkeypatch.setenv(keys.ENV_VAR, f"2:{b64(new)},1:{b64(old)}")
    out = StringIO()
    call_command("vault_rotate_kek", stdout=out)
    assert "Re-wrapped 1" in out.getvalue()
    assert "remove them from WAYMARK_KEK" in out.getvalue()

    monkeypatch.setenv(keys.ENV_VAR, f"2:{b64(new)}")  # the old KEK destroyed
    assert service.open_text(child, FIELD, sealed) == "x"


def test_a_rotation_that_lacks_an_old_kek_stops_with_a_clear_error(people, monkeypatch):
    old = sealing.new_key()
    monkeypatch.setenv(keys.ENV_VAR, f"1:{b64(old)}")
    service.seal_text(create_case(people.giulia).child, FIELD, "x")
    monkeypatch.setenv(keys.ENV_VAR, f"2:{b64(sealing.new_key())}")  # the old one dropped too early
    with pytest.raises(CommandError, match="KEK version 1"):
        call_command("vault_rotate_kek", stdout=StringIO())
    assert ChildKey.objects.get().kek_version == 1
