"""The age-assessment pages (issue 13 item 3): record an assessment, a challenge and its outcome
from the case page — a later assessment kept beside the earlier with the difference shown, a
refusal naming its field (422), the pages in Arabic, refused (404) to who may not write the
child's identity, every write decided and audited."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.models import Event
from waymark.continuity.models import AgeAssessment, ChallengeOutcome
from waymark.test import create_case, login

TODAY = timezone.localdate()


def _form(**extra):
    return {
        "methods": ["interview", "documents"],
        "assessors": "Two social workers (fictional)",
        "assessed_on": (TODAY - dt.timedelta(days=20)).isoformat(),
        "country": "",
        "age_min": "15",
        "age_max": "17",
        "margin": "1",
        "child_informed": "on",
        "informed_language": "ti",
    } | extra


def _new(case):
    return reverse("continuity:record_age_assessment", args=[case.public_id])


def test_a_caseworker_records_one_on_the_page_and_a_later_one_keeps_the_earlier(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert _new(case) in page  # offered on the case page to who may write identity
    assert client.get(_new(case)).status_code == 200
    done = client.post(_new(case), _form())
    assert done.status_code == 302 and done["Location"].endswith("#age-h")
    later = client.post(
        _new(case), _form(country="BE", age_min="18", age_max="20", margin="0", assessed_on=TODAY.isoformat())
    )
    assert later.status_code == 302
    first, second = AgeAssessment.objects.filter(case=case).order_by("assessed_on")
    assert (first.country, first.governing_age, first.methods) == ("IT", 14, ["interview", "documents"])
    assert (second.country, second.governing_age) == ("BE", 18)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Differs from the earlier assessment (IT) by 4 years" in html
    # The form shows the earlier ones, kept.
    assert "Earlier assessments (kept)" in client.get(_new(case)).content.decode()


def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    medical = client.post(_new(case), _form(methods=["medical_examination"]))
    assert medical.status_code == 422
    assert "only with the child&#x27;s informed consent" in medical.content.decode()
    upside_down = client.post(_new(case), _form(age_min="18", age_max="16"))
    assert upside_down.status_code == 422 and "above its upper bound" in upside_down.content.decode()
    uninformed = client.post(_new(case), _form(informed_language=""))
    assert uninformed.status_code == 422 and "which language" in uninformed.content.decode()
    future = client.post(_new(case), _form(assessed_on=(TODAY + dt.timedelta(days=3)).isoformat()))
    assert future.status_code == 422 and "in the future" in future.content.decode()
    assert not AgeAssessment.objects.filter(case=case).exists()
    consented = client.post(_new(case), _form(methods=["medical_examination"], medical_consent="on"))
    assert consented.status_code == 302


def test_a_challenge_and_its_outcome_are_recorded_on_the_pages_as_events(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    client.post(_new(case), _form())
    assessment = AgeAssessment.objects.get(case=case)
    challenge_url = reverse(
        "continuity:challenge_age_assessment", args=[case.public_id, assessment.public_id]
    )
    outcome_url = reverse("continuity:decide_challenge", args=[case.public_id, assessment.public_id])
    assert client.get(outcome_url).status_code == 404  # nothing pending yet
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert f'"{challenge_url}"' in html
    early = client.post(
        challenge_url, {"lodged_on": (TODAY - dt.timedelta(days=30)).isoformat(), "grounds": "x"}
    )
    assert early.status_code == 422 and "lodged after the assessment" in early.content.decode()
    lodged = client.post(
        challenge_url, {"lodged_on": TODAY.isoformat(), "grounds": "He has a birth certificate (fictional)."}
    )
    assert lodged.status_code == 302
    again = client.post(challenge_url, {"lodged_on": TODAY.isoformat(), "grounds": "Again."})
    assert again.status_code == 422 and "pending" in again.content.decode()
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert f'"{outcome_url}"' in html and f'"{challenge_url}"' not in html
    decided = client.post(outcome_url, {"outcome": "upheld", "decided_on": TODAY.isoformat()})
    assert decided.status_code == 302
    challenge = assessment.challenges.get()
    assert challenge.outcome == ChallengeOutcome.UPHELD and assessment.set_aside
    summaries = list(Event.objects.filter(case=case).values_list("summary", flat=True))
    assert any("challenged" in s for s in summaries) and any("Upheld" in s for s in summaries)
    # Set aside: no further challenge is offered, and none is taken.
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert f'"{challenge_url}"' not in html and f'"{outcome_url}"' not in html
    assert client.post(challenge_url, {"lodged_on": TODAY.isoformat(), "grounds": "x"}).status_code == 422


def test_the_pages_work_in_arabic(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    client.cookies["django_language"] = "ar"
    page = client.get(_new(case)).content.decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    done = client.post(_new(case), _form(assessors="فريق التقييم (fictional)"))
    assert done.status_code == 302
    assert AgeAssessment.objects.get(case=case).assessors == "فريق التقييم (fictional)"
    refused = client.post(_new(case), _form(age_min="18", age_max="16"))
    assert refused.status_code == 422 and 'dir="rtl"' in refused.content.decode()


def test_refused_to_who_may_not_write_the_childs_identity_and_audited(client, people):
    case = create_case(people.giulia)
    for outsider in (people.claire, people.ivan, people.luc):
        login(client, outsider)
        assert client.get(_new(case)).status_code == 404, outsider.username
        assert client.post(_new(case), _form()).status_code == 404, outsider.username
    assert not AgeAssessment.objects.filter(case=case).exists()
    refusals = AuditEntry.objects.filter(case_reference=case.reference, actor=people.ivan.username)
    assert refusals.exists()


def test_the_wards_guardian_lodges_a_challenge_for_the_child(client, people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    login(client, people.giulia)
    client.post(_new(case), _form())
    assessment = AgeAssessment.objects.get(case=case)
    login(client, people.marco)
    url = reverse("continuity:challenge_age_assessment", args=[case.public_id, assessment.public_id])
    assert f'"{url}"' in client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    lodged = client.post(url, {"lodged_on": TODAY.isoformat(), "grounds": "A school record (fictional)."})
    assert lodged.status_code == 302
    assert assessment.challenges.get().recorded_by == people.marco
