"""Sealing one child's field: opens only with the same key, child and field, untouched."""

from __future__ import annotations

import base64
import uuid

import pytest

from waymark.core import sealing
from waymark.core.sealing import MalformedSealed, SealError

AMINA = str(uuid.uuid4())
YONAS = str(uuid.uuid4())
DISCLOSURE = "Told her guardian that the man in Ventimiglia took her documents and said she owes him 3000 €."


def test_a_sealed_field_opens_with_the_same_key_child_and_field():
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "cases.event.details")
    sealed = sealing.seal_text(key, DISCLOSURE, aad)
    assert sealed.startswith(sealing.TEXT_PREFIX)
    assert DISCLOSURE not in sealed
    assert sealing.open_text(key, sealed, aad) == DISCLOSURE


def test_text_in_any_script_survives_the_round_trip():
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "cases.consent.childs_views")
    for text in ["أريد أن أبقى مع أخي", "ሓወይ ኣብ ሚላኖ እዩ", "", "emoji 🙂 and\nnew lines"]:
        assert sealing.open_text(key, sealing.seal_text(key, text, aad), aad) == text


def test_sealing_twice_gives_different_nonces_and_ciphertexts():
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "cases.event.details")
    a = sealing.decode_text(sealing.seal_text(key, DISCLOSURE, aad))
    b = sealing.decode_text(sealing.seal_text(key, DISCLOSURE, aad))
    nonce = slice(5, 5 + sealing.NONCE_BYTES)
    assert a[nonce] != b[nonce]
    assert a != b


def test_the_same_ciphertext_does_not_open_for_another_child():
    key = sealing.new_key()
    sealed = sealing.seal_text(key, DISCLOSURE, sealing.field_aad(AMINA, "cases.event.details"))
    with pytest.raises(SealError):
        sealing.open_text(key, sealed, sealing.field_aad(YONAS, "cases.event.details"))


def test_the_same_ciphertext_does_not_open_in_another_field():
    key = sealing.new_key()
    sealed = sealing.seal_text(key, DISCLOSURE, sealing.field_aad(AMINA, "cases.event.details"))
    with pytest.raises(SealError):
        sealing.open_text(key, sealed, sealing.field_aad(AMINA, "cases.case.risk_reasons"))


def test_another_key_cannot_open_it():
    aad = sealing.field_aad(AMINA, "cases.event.details")
    sealed = sealing.seal_text(sealing.new_key(), DISCLOSURE, aad)
    with pytest.raises(SealError):
        sealing.open_text(sealing.new_key(), sealed, aad)


@pytest.mark.parametrize("position", [0, 1, 4, 5, 16, 17, 40, -1])
def test_any_flipped_byte_is_detected(position):
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "cases.event.details")
    blob = bytearray(sealing.decode_text(sealing.seal_text(key, DISCLOSURE, aad)))
    blob[position] ^= 0x01
    tampered = sealing.encode_text(bytes(blob))
    with pytest.raises(SealError):  # a changed format byte is MalformedSealed, also a SealError
        sealing.open_text(key, tampered, aad)


def test_a_truncated_value_is_refused():
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "cases.event.details")
    sealed = sealing.seal_text(key, DISCLOSURE, aad)
    with pytest.raises(SealError):
        sealing.open_text(key, sealed[:-4], aad)
    with pytest.raises(MalformedSealed):
        sealing.open_text(key, sealing.TEXT_PREFIX + "AQ", aad)


def test_the_key_version_is_recorded_and_authenticated():
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "cases.event.details")
    blob = sealing.seal(key, b"x", aad, key_version=7)
    assert sealing.key_version_of(blob) == 7
    relabelled = blob[:1] + (8).to_bytes(4, "big") + blob[5:]
    with pytest.raises(SealError):
        sealing.open_sealed(key, relabelled, aad)


def test_plain_text_is_not_mistaken_for_sealed():
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "cases.event.details")
    assert sealing.is_sealed(sealing.seal_text(key, "x", aad))
    assert not sealing.is_sealed("Interview with the child, interpreter present")
    assert not sealing.is_sealed("sealed: the envelope was sealed")
    assert not sealing.is_sealed(None)
    with pytest.raises(MalformedSealed):
        sealing.open_text(key, "plain text", aad)


def test_a_key_of_the_wrong_size_is_a_seal_error():
    aad = sealing.field_aad(AMINA, "f")
    with pytest.raises(SealError):
        sealing.seal_text(b"short", "x", aad)


def test_field_names_that_would_make_the_binding_ambiguous_are_refused():
    with pytest.raises(ValueError, match="field name"):
        sealing.field_aad(AMINA, "details|" + YONAS)
    with pytest.raises(ValueError, match="field name"):
        sealing.field_aad(AMINA, "")
    with pytest.raises(ValueError, match="child id"):
        sealing.field_aad("a|b", "details")


def test_sealed_text_length_predicts_the_column_width():
    key = sealing.new_key()
    aad = sealing.field_aad(AMINA, "f")
    for text in ["", "a", "ab", "abc", "x" * 300, "محمد" * 75]:
        sealed = sealing.seal_text(key, text, aad)
        assert len(sealed) == sealing.sealed_text_length(len(text.encode("utf-8")))


def test_the_text_form_is_url_safe_base64_without_padding():
    key = sealing.new_key()
    sealed = sealing.seal_text(key, "x" * 10, sealing.field_aad(AMINA, "f"))
    body = sealed[len(sealing.TEXT_PREFIX) :]
    assert "=" not in body and "+" not in body and "/" not in body
    assert base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))[0] == sealing.FORMAT_V1


# --- wrapping data keys ---------------------------------------------------------------------


def test_a_wrapped_data_key_unwraps_with_the_same_kek_child_and_version():
    kek, dek = sealing.new_key(), sealing.new_key()
    aad = sealing.dek_aad(AMINA, 1)
    wrapped = sealing.wrap_key(kek, dek, aad)
    assert dek not in wrapped
    assert sealing.unwrap_key(kek, wrapped, aad) == dek


def test_a_wrapped_data_key_does_not_unwrap_under_another_kek():
    dek = sealing.new_key()
    wrapped = sealing.wrap_key(sealing.new_key(), dek, sealing.dek_aad(AMINA, 1))
    with pytest.raises(SealError):
        sealing.unwrap_key(sealing.new_key(), wrapped, sealing.dek_aad(AMINA, 1))


def test_a_wrapped_data_key_moved_to_another_child_does_not_unwrap():
    # The reason for AES-GCM over AES-KW: the wrap is bound to its child.
    kek = sealing.new_key()
    wrapped = sealing.wrap_key(kek, sealing.new_key(), sealing.dek_aad(AMINA, 1))
    with pytest.raises(SealError):
        sealing.unwrap_key(kek, wrapped, sealing.dek_aad(YONAS, 1))
    with pytest.raises(SealError):
        sealing.unwrap_key(kek, wrapped, sealing.dek_aad(AMINA, 2))


def test_a_tampered_wrapped_key_is_refused():
    kek = sealing.new_key()
    aad = sealing.dek_aad(AMINA, 1)
    wrapped = bytearray(sealing.wrap_key(kek, sealing.new_key(), aad))
    wrapped[20] ^= 0x80
    with pytest.raises(SealError):
        sealing.unwrap_key(kek, bytes(wrapped), aad)
    with pytest.raises(MalformedSealed):
        sealing.unwrap_key(kek, bytes(wrapped[:-1]), aad)
