"""The access report reads as a child would want it: the same access on one day is one sentence
with its count and times, and the report's own printing is said plainly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from waymark.accounts.models import organisation_names
from waymark.audit.phrases import EN
from waymark.audit.report import (
    PHRASEBOOKS,
    ReportAction,
    ReportRow,
    access_report,
    group_rows,
    plain_language,
)
from waymark.audit.tests.conftest import read
from waymark.vocab import AuditDecision, Purpose


def at(day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def one_read(people, case) -> ReportRow:
    read(people.claire, case, purpose=Purpose.LOCATE_MISSING_CHILD, agreement="IT-FR-2026")
    (row,) = access_report(case.child.public_id, org_names=organisation_names)
    return row


def test_six_reads_on_one_day_are_one_sentence_with_their_times(one_read):
    times = [at(6, 9, 10), at(6, 9, 40), at(6, 10, 5), at(6, 10, 30), at(6, 11, 0), at(6, 11, 40)]
    rows = [dataclasses.replace(one_read, seq=i, at=t) for i, t in enumerate(times)]
    (group,) = group_rows(rows)
    assert (group.count, group.start, group.end) == (6, at(6, 9, 10), at(6, 11, 40))
    assert plain_language(group, "en") == (
        "On 6 December 2026, a caseworker at Association Refuge Calais (fictional) read your identity "
        "6 times between 09:10 and 11:40 to help find you, under the agreement IT-FR-2026."
    )
    assert "6 مرات بين الساعة 09:10 و11:40" in plain_language(group, "ar")
    assert "6 fois entre 09:10 et 11:40" in plain_language(group, "fr")


def test_another_day_another_purpose_or_a_refusal_is_another_sentence(one_read):
    rows = [
        dataclasses.replace(one_read, seq=1, at=at(6, 9, 10)),
        dataclasses.replace(one_read, seq=2, at=at(7, 9, 10)),  # another day
        dataclasses.replace(one_read, seq=3, at=at(6, 9, 20), purpose=Purpose.FAMILY_TRACING),
        dataclasses.replace(one_read, seq=4, at=at(6, 9, 30), allowed=False),
        dataclasses.replace(one_read, seq=5, at=at(6, 9, 50)),  # joins the first
    ]
    groups = group_rows(rows)
    assert [(g.first.seq, g.count) for g in groups] == [(1, 2), (2, 1), (3, 1), (4, 1)]
    assert "twice between 09:10 and 09:50" in plain_language(groups[0], "en")
    assert "at 09:10" in plain_language(groups[1], "en")
    assert plain_language(groups[3], "en").endswith("This was not allowed, so they saw nothing.")


def test_the_report_printed_by_the_guardian_is_not_a_download_of_the_childs_data(one_read):
    printed = dataclasses.replace(one_read, action=ReportAction.REPORT, role="guardian", at=at(6, 12, 0))
    sentence = plain_language(printed, "en")
    assert (
        sentence
        == "On 6 December 2026, your guardian printed this report at 12:00, to go through it with you."
    )
    assert "download" not in sentence and "your information" not in sentence


@pytest.mark.parametrize("lang", sorted(PHRASEBOOKS))
def test_every_language_says_every_action_category_role_and_purpose(one_read, lang):
    book = PHRASEBOOKS[lang]
    assert set(book.categories) == set(EN.categories)
    assert set(book.roles) == set(EN.roles)
    assert set(book.purposes) == set(EN.purposes)
    assert set(book.templates) == {a.value for a in ReportAction}
    for action in ReportAction:
        for allowed in (True, False):
            for count in (1, 2, 6, 14):
                row = dataclasses.replace(one_read, action=action, allowed=allowed)
                group = group_rows(
                    [dataclasses.replace(row, seq=i, at=at(6, 9, 10 + i)) for i in range(count)]
                )[0]
                sentence = plain_language(group, lang)
                assert "{" not in sentence and "}" not in sentence
                assert "09:10" in sentence
                if lang in {"ar", "prs", "ps", "ti"}:  # no English left in the sentence
                    names = "Association Refuge Calais fictional IT FR"
                    assert all(word in names.split() for word in _latin_words(sentence)), sentence


def _latin_words(sentence: str) -> list[str]:
    """Runs of Latin letters: in a language of another script only names and references."""
    return re.findall(r"[A-Za-z]+", sentence)


def test_dari_pashto_and_tigrinya_are_drafts_until_reviewed():
    assert {code for code, book in PHRASEBOOKS.items() if book.draft} == {"prs", "ps", "ti"}


def test_a_refused_immigration_request_is_said_without_alarm(people, case):
    read(people.ivan, case, purpose=Purpose.IMMIGRATION_ENFORCEMENT, decision=AuditDecision.DENY)
    (row,) = access_report(case.child.public_id, org_names=organisation_names)
    for lang in PHRASEBOOKS:
        sentence = plain_language(row, lang)
        assert sentence != plain_language(dataclasses.replace(row, allowed=True), lang)
    assert plain_language(row, "en").endswith("so they saw nothing.")


def test_names_are_isolated_in_a_right_to_left_sentence(one_read):
    """A Latin organisation name in a Dari sentence keeps its own direction (its parentheses do
    not jump); in English it needs no isolation, unless it is written in Arabic script."""
    fsi, pdi = "\N{FIRST STRONG ISOLATE}", "\N{POP DIRECTIONAL ISOLATE}"
    assert f"{fsi}Association Refuge Calais (fictional){pdi}" in plain_language(one_read, "prs")
    assert f"{fsi}IT-FR-2026{pdi}" in plain_language(one_read, "ar")
    assert fsi not in plain_language(one_read, "en")
    arabic_org = dataclasses.replace(one_read, org_name="جمعية الأمل (fictional)")
    assert f"{fsi}جمعية الأمل (fictional){pdi}" in plain_language(arabic_org, "en")
