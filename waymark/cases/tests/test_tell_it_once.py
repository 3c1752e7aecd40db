"""Tell it once, on one node: the child's account is recorded once (category disclosure), with
the child's consent and a purpose, sealed at rest, never edited (a correction is a new version
that keeps the earlier), shown on the case page and in the API only to those the policy lets
read disclosures for their purpose — every read audited — and recorded from a phone-sized form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.accounts import do_record_account
from waymark.cases.actions import do_record_consent, do_withdraw_consent
from waymark.cases.models import Case, ChildAccount, Event
from waymark.cases.schemas import AccountIn, ConsentIn
from waymark.cases.tests.api_client import api_as, case_url
from waymark.errors import ActionError
from waymark.test import create_case, create_user, days_ago, login
from waymark.vocab import DataCategory, Purpose, Role

WORDS = "قال لي رجل إنني مدين له بالمال. (fictional) A man told me I owe him money."
SUMMARY = "Says a man claims she owes him money for the crossing (fictional)."


def consent(user, case, to="it-cps-milano", *, purpose=Purpose.CHILD_PROTECTION, categories=("disclosure",)):
    return do_record_consent(
        user,
        case,
        ConsentIn(recipient_org=to, purpose=purpose, categories=list(categories), valid_from=days_ago(1)),
    )


def account_in(given, **overrides) -> AccountIn:
    fields = {
        "interviewed_at": timezone.now() - dt.timedelta(hours=3),
        "language": "ar",
        "interpreter": True,
        "interpreter_language": "it",
        "words": WORDS,
        "summary": SUMMARY,
        "consent": given.pk,
    }
    fields.update(overrides)
    return AccountIn(**fields)


@pytest.fixture
def amina(people) -> Case:
    return create_case(people.giulia, given_names="Amina", family_name="Tesfay", case={"guardian": "marco"})


@pytest.fixture
def told(people, amina) -> ChildAccount:
    return do_record_account(
        people.giulia, amina, Purpose.CHILD_PROTECTION, account_in(consent(people.giulia, amina))
    )


# --- actions -------------------------------------------------------------------------------------


def test_recording_keeps_who_when_which_language_and_the_consent(people, amina, told):
    assert (told.origin, told.version, told.lineage, told.original_id) == (
        "recorded",
        1,
        told.public_id,
        told.public_id,
    )
    assert (told.told_to_org, told.told_to_country, told.interviewer_name) == (
        "it-cps-milano",
        "IT",
        "Giulia",
    )
    assert (told.language, told.interpreter, told.interpreter_language) == ("ar", True, "it")
    assert told.purpose == Purpose.CHILD_PROTECTION and told.consent is not None
    assert told.words_text == WORDS and told.summary_text == SUMMARY
    raw = ChildAccount.objects.filter(pk=told.pk).values_list("words", "summary").get()
    assert all(v.startswith("sealed:") for v in raw) and "money" not in " ".join(raw)
    event = Event.objects.select_related("case__child").get(case=amina, type="interview")
    assert event.category == DataCategory.DISCLOSURE
    assert event.summary_text.startswith(
        f"Child's account told to Servizio Tutela Minori Milano (fictional), IT, {told.interviewed_at:%Y-%m-%d}"
    )
    assert Event.objects.filter(pk=event.pk).values_list("summary", flat=True).get().startswith("sealed:")


def test_without_a_matching_consent_nothing_is_recorded(people, amina):
    for given in (
        consent(people.giulia, amina, categories=("identity", "family")),  # not disclosure
        consent(people.giulia, amina, purpose=Purpose.FAMILY_TRACING),  # another purpose
        consent(people.giulia, amina, to="fr-ngo-calais"),  # to another organisation
    ):
        with pytest.raises(ActionError) as refused:
            do_record_account(people.giulia, amina, Purpose.CHILD_PROTECTION, account_in(given))
        assert "consent" in refused.value.errors
    withdrawn = consent(people.giulia, amina)
    do_withdraw_consent(people.giulia, amina, withdrawn.pk)
    with pytest.raises(ActionError, match="does not cover it"):
        do_record_account(people.giulia, amina, Purpose.CHILD_PROTECTION, account_in(withdrawn))
    other = create_case(people.giulia, given_names="Yonas")
    with pytest.raises(ActionError, match="no such consent"):
        do_record_account(
            people.giulia, amina, Purpose.CHILD_PROTECTION, account_in(consent(people.giulia, other))
        )
    assert not ChildAccount.objects.exists()


def test_a_correction_is_a_new_version_and_the_earlier_is_kept(people, amina, told):
    fixed = do_record_account(
        people.giulia,
        amina,
        Purpose.CHILD_PROTECTION,
        account_in(
            told.consent, words=WORDS + " 3000", corrects=told.public_id, correction_note="Amount misheard."
        ),
    )
    assert (fixed.version, fixed.lineage, fixed.supersedes) == (2, told.lineage, told)
    told.refresh_from_db()
    assert told.words_text == WORDS and not told.is_current and fixed.is_current
    with pytest.raises(ActionError, match="already corrected"):
        do_record_account(
            people.giulia,
            amina,
            Purpose.CHILD_PROTECTION,
            account_in(told.consent, corrects=told.public_id, correction_note="Again."),
        )
    assert ChildAccount.objects.filter(case=amina).count() == 2


def test_bad_input_names_the_field():
    with pytest.raises(ValueError, match="interpreter_language"):
        AccountIn(
            interviewed_at=timezone.now(), language="ti", interpreter=True, words="w", summary="s", consent=1
        )
    with pytest.raises(ValueError, match="ISO 639"):
        AccountIn(interviewed_at=timezone.now(), language="klingon", words="w", summary="s", consent=1)
    with pytest.raises(ValueError, match="correction_note"):
        AccountIn(
            interviewed_at=timezone.now(),
            language="ti",
            words="w",
            summary="s",
            consent=1,
            corrects="00000000-0000-4000-8000-000000000000",
        )
    with pytest.raises(ValueError, match="future"):
        AccountIn(
            interviewed_at=timezone.now() + dt.timedelta(days=1),
            language="ti",
            words="w",
            summary="s",
            consent=1,
        )


# --- policy: who may read disclosures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "purpose", "reads"),
    [
        ("giulia", Purpose.CHILD_PROTECTION, True),  # the case's own caseworker
        ("marco", Purpose.CHILD_PROTECTION, True),  # the child's guardian
        ("hana", Purpose.LOCATE_MISSING_CHILD, False),  # a hotline operator: no disclosures
        ("dora", Purpose.AUDIT, False),  # the DPO never reads special categories' content
    ],
)
def test_the_case_page_lists_the_accounts_only_to_who_may_read_disclosures(
    client, people, amina, told, who, purpose, reads
):
    extra = {"hana": Role.HOTLINE_OPERATOR, "dora": Role.DPO}
    user = getattr(people, who, None) or create_user(who, people.it_cps, extra[who])
    if who == "hana":
        amina.status = "missing"
        amina.missing_category = "runaway"
        amina.save(update_fields=["status", "missing_category"])
    login(client, user, purpose)
    before = AuditEntry.objects.count()
    page = client.get(reverse("case_detail", args=[amina.public_id])).content.decode()
    assert "The child&#x27;s accounts" in page or "The child's accounts" in page
    assert (SUMMARY in page) is reads and (WORDS in page) is reads
    if not reads:
        assert 'class="withheld"' in page
    # The page's reading is audited, the disclosure decision with it (allowed or refused).
    entries = AuditEntry.objects.filter(pk__gt=before)
    assert any(DataCategory.DISCLOSURE in e.categories and (e.decision == "allow") is reads for e in entries)


def test_nobody_else_finds_the_accounts(client, people, amina, told):
    for user in (people.claire, people.luc, people.ivan):  # no context, no agreement; immigration
        login(client, user)
        assert client.get(reverse("case_detail", args=[amina.public_id])).status_code == 404
        assert client.get(reverse("account_add", args=[amina.public_id])).status_code == 404
        assert api_as(user).get(case_url(amina, "/accounts")).status_code == 404
    ivan = api_as(people.ivan, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
    assert ivan.get(case_url(amina, "/accounts")).status_code in (400, 403)


# --- the page ------------------------------------------------------------------------------------


def test_the_timeline_says_whom_the_child_told(client, people, amina, told):
    login(client, people.giulia)
    page = client.get(reverse("case_detail", args=[amina.public_id])).content.decode()
    assert "Child&#x27;s account told to Servizio Tutela Minori Milano (fictional), IT" in page
    assert f'id="account-{told.public_id}"' in page and 'dir="auto"' in page


def test_the_form_records_an_account_and_a_correction(client, people, amina):
    given = consent(people.giulia, amina)
    login(client, people.giulia)
    url = reverse("account_add", args=[amina.public_id])
    form = client.get(url).content.decode()
    assert 'name="words"' in form and 'dir="auto"' in form and 'list="languages"' in form
    answer = client.post(
        url,
        {
            "interviewed_at": "2026-12-01T10:30",
            "language": "Arabic",  # picked by name: stored as its code
            "interpreter": "on",
            "interpreter_language": "it",
            "words": WORDS,
            "summary": SUMMARY,
            "consent": str(given.pk),
        },
    )
    assert answer.status_code == 302
    account = ChildAccount.objects.get(case=amina)
    assert account.language == "ar" and answer["Location"].endswith(f"#account-{account.public_id}")

    correct = client.get(f"{url}?corrects={account.public_id}").content.decode()
    assert SUMMARY in correct and 'name="correction_note"' in correct
    missing_note = client.post(
        url,
        {
            "interviewed_at": "2026-12-01T10:30",
            "language": "ar",
            "words": WORDS,
            "summary": SUMMARY,
            "consent": str(given.pk),
            "corrects": str(account.public_id),
        },
    )
    assert missing_note.status_code == 422 and ChildAccount.objects.count() == 1


def test_the_form_says_to_record_the_consent_first(client, people, amina):
    login(client, people.giulia)
    page = client.get(reverse("account_add", args=[amina.public_id])).content.decode()
    assert "An account is recorded only with the child" in page


def test_the_form_is_refused_to_who_may_not_write_disclosures(client, people, amina):
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    login(client, hana, Purpose.LOCATE_MISSING_CHILD)
    assert client.get(reverse("account_add", args=[amina.public_id])).status_code == 404


# --- the API -------------------------------------------------------------------------------------


def test_the_api_records_and_lists_accounts(people, amina):
    given = consent(people.giulia, amina)
    api = api_as(people.giulia)
    body = {
        "interviewed_at": "2026-12-01T10:30:00+01:00",
        "language": "ti",
        "words": WORDS,
        "summary": SUMMARY,
        "consent": given.pk,
    }
    made = api.post(case_url(amina, "/accounts"), body)
    assert made.status_code == 201, made.content
    out = made.json()
    assert (out["category"], out["origin"], out["version"], out["current"]) == (
        "disclosure",
        "recorded",
        1,
        True,
    )
    assert out["words"] == WORDS and out["told_to_org"] == "it-cps-milano" and out["received_from"] is None
    fixed = api.post(
        case_url(amina, "/accounts"),
        {**body, "corrects": out["public_id"], "correction_note": "Date corrected."},
    )
    assert fixed.status_code == 201 and fixed.json()["corrects"] == out["public_id"]
    listed = api.get(case_url(amina, "/accounts")).json()
    assert listed["count"] == 2 and [a["current"] for a in listed["items"]].count(True) == 1


def test_the_api_refuses_with_the_field_named(people, amina):
    api = api_as(people.giulia)
    other = consent(people.giulia, amina, purpose=Purpose.FAMILY_TRACING)
    body = {"interviewed_at": "2026-12-01T10:30:00+01:00", "language": "ti", "words": "w", "summary": "s"}
    refused = api.post(case_url(amina, "/accounts"), {**body, "consent": other.pk})
    assert refused.status_code == 422 and "consent" in refused.json()["errors"]
    bad = api.post(case_url(amina, "/accounts"), {**body, "language": "xx-nope", "consent": other.pk})
    assert bad.status_code == 422 and "language" in bad.json()["errors"]
    assert not ChildAccount.objects.exists()


def test_the_api_withholds_the_accounts_from_who_may_not_read_disclosures(people, amina, told):
    dora = create_user("dora", people.it_cps, Role.DPO)
    answer = api_as(dora, purpose=Purpose.AUDIT).get(case_url(amina, "/accounts"))
    assert answer.status_code == 403
    assert WORDS not in answer.content.decode()
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    assert (
        api_as(hana, purpose=Purpose.LOCATE_MISSING_CHILD)
        .post(
            case_url(amina, "/accounts"),
            {
                "interviewed_at": "2026-12-01T10:30:00+01:00",
                "language": "ti",
                "words": "w",
                "summary": "s",
                "consent": 1,
            },
        )
        .status_code
        == 404
    )


def test_erasing_the_child_erases_their_accounts(people, amina, told):
    from waymark.cases.erasure import do_erase_child

    do_record_account(
        people.giulia,
        amina,
        Purpose.CHILD_PROTECTION,
        account_in(told.consent, corrects=told.public_id, correction_note="Amount misheard."),
    )
    do_erase_child(create_user("dalia", people.it_cps, Role.DPO), amina.child)
    assert not ChildAccount.objects.exists()
