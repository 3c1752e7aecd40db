"""Issue 9, finding 9: the child's access report (where their data went — their movements) is
open only to their guardian, the owning organisation's caseworkers and supervisors and its DPO,
not to everyone who may read some category of the case; the report and the case timeline do
bounded work per request (a page, and a link to the next)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.audit import pdf as audit_pdf
from waymark.audit import service as audit
from waymark.audit.models import AuditEntry
from waymark.audit.service import pseudonym
from waymark.cases import views_report
from waymark.cases.models import Event
from waymark.test import create_case, create_user, login
from waymark.vocab import AuditDecision, AuditKind, DataCategory, EventType, Purpose, Role


@pytest.fixture
def case(people):
    return create_case(people.giulia, given_names="Amina", family_name="Yusuf", case={"guardian": "marco"})


def report(client, case, **params):
    return client.get(reverse("access_report", args=[case.public_id]), params)


def report_pdf(client, case, **params):
    return client.get(reverse("access_report_pdf", args=[case.public_id]), params)


def reads(user, case, n):
    """``n`` reads of the child's identity by ``user``: entries the report lists."""
    row = {
        "actor": user,
        "purpose": Purpose.CHILD_PROTECTION,
        "decision": AuditDecision.ALLOW,
        "reasons": ["own-org-casework"],
        "subject": case.audit_subject,
        "categories": [DataCategory.IDENTITY],
    }
    audit.record_many(AuditKind.ACCESS_DECISION, [row] * n)


@pytest.mark.parametrize(
    ("who", "purpose"),
    [
        ("marco", Purpose.CHILD_PROTECTION),  # the child's guardian
        ("giulia", Purpose.CHILD_PROTECTION),  # the owning organisation's caseworker
        ("sara", Purpose.CHILD_PROTECTION),  # its supervisor
        ("dora", Purpose.AUDIT),  # its data protection officer
    ],
)
def test_the_access_report_is_open_to_the_guardian_caseworkers_and_the_dpo(
    client, people, case, who, purpose
):
    user = create_user("dora", people.it_cps, Role.DPO) if who == "dora" else getattr(people, who)
    login(client, user, purpose)
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert reverse("access_report", args=[case.public_id]) in page
    assert report(client, case).status_code == 200
    assert report_pdf(client, case).status_code == 200


@pytest.mark.parametrize(
    ("role", "purpose"),
    [
        (Role.POLICE_OFFICER, Purpose.LOCATE_MISSING_CHILD),
        (Role.HOTLINE_OPERATOR, Purpose.LOCATE_MISSING_CHILD),
        (Role.DUBLIN_OFFICER, Purpose.FAMILY_TRACING),
    ],
)
def test_finding_9_access_report_is_refused_to_others_who_may_read_the_case(
    client, people, case, role, purpose
):
    colleague = create_user(f"colleague-{role}", people.it_cps, role)
    login(client, colleague, purpose)
    # They may read the case for their purpose (the page offers no access report)...
    page = client.get(reverse("case_detail", args=[case.public_id]))
    assert page.status_code == 200
    assert reverse("access_report", args=[case.public_id]) not in page.content.decode()
    # ...but not where the child's data went.
    assert report(client, case).status_code == 404
    assert report_pdf(client, case).status_code == 404
    refused = AuditEntry.objects.filter(actor=colleague.username, kind=AuditKind.OTHER).last()
    assert refused is not None and refused.decision == AuditDecision.DENY
    assert refused.details["viewed"] == "access_report"


def test_the_access_report_is_refused_to_a_guardian_who_is_not_the_childs(client, people, case):
    other = create_user("gina", people.it_guardians, Role.GUARDIAN)
    login(client, other)
    assert report(client, case).status_code == 404


def test_finding_9_access_report_shows_one_page_at_a_time(client, people, case):
    page = views_report.REPORT_PAGE
    reads(people.sara, case, page + 30)
    login(client, people.giulia)

    first = report(client, case)
    assert first.status_code == 200
    assert len(first.context["rows"]) == page
    html = first.content.decode()
    more = re.search(r'href="\?lang=en&amp;after=(\d+)"', html)
    assert more, "a link to the rest of the report"
    assert first.context["rows"][0].seq < first.context["rows"][-1].seq  # oldest first
    # The page's rows read as one sentence: the same read, the same day.
    ((group, sentence),) = first.context["accesses"]
    assert group.count == page and f"{page} times" in sentence

    rest = report(client, case, after=more.group(1))
    rows = rest.context["rows"]
    assert 30 <= len(rows) < page
    assert rows[0].seq > first.context["rows"][-1].seq
    assert "after=" not in rest.content.decode().split("<main", 1)[1].split("Printable PDF", 1)[1]


def test_finding_9_access_report_pdf_prints_one_part_at_a_time(client, people, case, monkeypatch):
    page = views_report.REPORT_PAGE
    reads(people.sara, case, page + 5)
    printed = []

    def render(**kw):
        printed.append(kw)
        return b"%PDF-1.7 (test)"

    monkeypatch.setattr(audit_pdf, "render_access_report", render)
    login(client, people.giulia)
    assert report_pdf(client, case).status_code == 200
    # One part: ``page`` entries, grouped into one sentence (the same read on the same day).
    ((allowed, sentence),) = printed[-1]["sentences"]
    assert allowed and f"read your identity {page} times" in sentence
    assert printed[-1]["continued"] is True
    mine = AuditEntry.objects.filter(child_pseudonym=pseudonym(case.child.public_id), kind="access_decision")
    assert report_pdf(client, case, after=str(mine.order_by("seq")[page - 1].seq)).status_code == 200
    assert printed[-1]["continued"] is False


def test_finding_9_access_report_refuses_a_cursor_that_is_not_a_number(client, people, case):
    login(client, people.giulia)
    assert report(client, case, after="18446744073709551617").status_code == 400
    assert report(client, case, after="x").status_code == 400


# ---------------------------------------------------------------------------------------------
# The timeline


def events(case, n):
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            case=case,
            type=EventType.NOTE,
            occurred_at=now - dt.timedelta(minutes=i),
            category=DataCategory.IDENTITY,
            summary=f"note {i} (fictional)",
        )
        for i in range(n)
    )


def test_finding_9_timeline_shows_a_page_of_events_and_a_link_to_older_ones(client, people, case):
    from waymark.cases import views

    page = views.TIMELINE_PAGE
    events(case, page + 12)
    total = Event.objects.filter(case=case).count()
    login(client, people.giulia)

    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert html.count('<li class="event ') == page
    assert "note 0 (fictional)" in html and f"note {page} (fictional)" not in html
    more = re.search(r'href="(/cases/[^"]+/timeline\?before=[^"]+)"', html)
    assert more

    older = client.get(more.group(1).replace("&amp;", "&"))
    assert older.status_code == 200
    body = older.content.decode()
    assert body.count('<li class="event ') == total - page
    assert f"note {page} (fictional)" in body and "note 0 (fictional)" not in body
    assert "/timeline?before=" not in body


def test_finding_9_timeline_page_goes_through_the_policy_and_the_audit_log(client, people, case):
    events(case, 3)
    url = reverse("case_timeline", args=[case.public_id])
    login(client, people.giulia)
    before = AuditEntry.objects.count()
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.filter(pk__gt=before, actor="giulia", kind=AuditKind.ACCESS_DECISION).exists()
    for person in (people.claire, people.luc, people.ivan):
        login(client, person)
        assert client.get(url).status_code == 404, person
    login(client, people.giulia)
    assert client.get(url, {"before": "not-an-event"}).status_code == 404
