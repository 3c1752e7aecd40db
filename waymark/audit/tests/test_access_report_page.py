"""The access report page: language links that work (names, lang and dir), Dari, Pashto and
Tigrinya offered as drafts, entries grouped, and the report's own printing listed apart."""

from __future__ import annotations

import re

from django.urls import reverse

from waymark.audit.tests.conftest import read
from waymark.test import create_case, login


def page(client, case, **params):
    response = client.get(reverse("access_report", args=[case.public_id]), params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_language_links_name_each_language_and_switch_the_report(client, people):
    case = create_case(people.giulia, given_names="Saba", languages=["ti"], case={"guardian": "marco"})
    login(client, people.giulia)
    _, html = page(client, case)
    links = re.findall(r'<a href="\?lang=([a-z]+)" lang="([^"]*)" dir="(rtl|ltr)"[^>]*>([^<]+)</a>', html)
    assert [(code, lang, direction) for code, lang, direction, _ in links] == [
        ("en", "en", "ltr"),
        ("ar", "ar", "rtl"),
        ("fr", "fr", "ltr"),
        ("it", "it", "ltr"),
        ("prs", "prs", "rtl"),
        ("ps", "ps", "rtl"),
        ("ti", "ti", "ltr"),
    ]
    assert [name for *_, name in links] == [
        "English",
        "العربيّة",
        "français",
        "italiano",
        "دری",
        "پښتو",
        "ትግርኛ",
    ]
    assert "{&#x27;" not in html and "{'" not in html  # no Python dict printed (base.html's "languages")
    # The child speaks Tigrinya: the report opens in it, marked as a draft translation.
    response, html = page(client, case)
    assert response.context["lang"] == "ti"
    assert '<section class="access-report-body" lang="ti" dir="ltr"' in html
    assert "ሓበሬታኹም መን ርእዩዎ" in html
    assert 'id="draft-translation"' in html
    # A link switches it: Pashto, right to left, still a draft; English is not.
    _, html = page(client, case, lang="ps")
    assert '<section class="access-report-body" lang="ps" dir="rtl"' in html
    assert "چا ستا معلومات لیدلي دي" in html and 'id="draft-translation"' in html
    _, html = page(client, case, lang="en")
    assert "Who has seen your information" in html and 'id="draft-translation"' not in html
    # Every lang attribute on the page is a language code, never a dict.
    assert all(re.fullmatch(r"[a-z]{2,3}(-[a-z]+)?", v) for v in re.findall(r'lang="([^"]*)"', html))


def test_reads_are_grouped_and_the_printed_report_is_listed_apart(client, people):
    case = create_case(people.giulia, given_names="Saba", case={"guardian": "marco"})
    for _ in range(6):
        read(people.sara, case)
    login(client, people.marco)
    assert client.get(reverse("access_report_pdf", args=[case.public_id])).status_code == 200
    response, html = page(client, case, lang="en")
    sentences = [s for _, s in response.context["accesses"]]
    assert (
        sum(
            "a supervisor at Servizio Tutela Minori Milano (fictional) read your identity 6 times" in s
            for s in sentences
        )
        == 1
    )
    assert not any("download" in s for s in sentences)
    ((_, printed),) = response.context["printings"]
    assert "your guardian printed this report at " in printed
    assert "When this report was printed" in html
