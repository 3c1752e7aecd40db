"""The interface in Arabic: right to left, translated, end to end."""

from __future__ import annotations

from django.urls import reverse

from waymark.test import create_case, login


def test_switching_to_arabic_renders_right_to_left_in_arabic(client, people):
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfaye")
    login(client, people.giulia)
    english = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en" dir="ltr">' in english

    response = client.post(reverse("set_language"), {"language": "ar", "next": reverse("case_list")})
    assert response.status_code == 302

    for url in (reverse("dashboard"), reverse("case_list"), reverse("case_detail", args=[case.public_id])):
        html = client.get(url).content.decode()
        assert '<html lang="ar" dir="rtl">' in html, url
        assert "الحالات" in html, url  # "Cases" in the navigation
        assert "لوحة المتابعة" in html, url  # "Dashboard"
    assert "بيانات تجريبية خيالية" in html  # the demo banner
    assert "مفتوحة" in html  # the status "Open"


def test_the_header_offers_every_language_and_a_post_logout(client, people):
    login(client, people.giulia)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'action="/i18n/setlang/"' in html
    for code in ("en", "ar", "fr", "it"):
        assert f'<option value="{code}" lang="{code}"' in html
    assert 'action="/accounts/logout/" method="post"' in html
    assert '<label for="language-select">' in html
