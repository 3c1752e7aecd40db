"""The only writers of match reviews: propose candidates for a case, record a person's decision.

Both go through the policy: a case is proposed against, and reviewed with, only cases the user
may see for the declared purpose (``cases_visible_to`` / ``access_case``); every proposal and
decision is audited per child. Nothing is linked automatically.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.cases.access import access_case, cases_visible_to
from waymark.cases.models import Case
from waymark.cases.ranked import Ranked, birth_from, rank
from waymark.core import names as name_prep
from waymark.errors import ActionError
from waymark.vocab import AuditDecision, AuditKind, CaseStatus, MatchStatus, Sex

from .candidates import Candidate
from .candidates import candidates_for as registration_candidates
from .models import MatchReview

# How well names must agree for a pair to be put in the queue (as registration's candidates).
PROPOSE_NAME_SCORE = 0.75
MAX_PROPOSALS = 10


def candidates_for(user: User, purpose: str, case: Case) -> list[Ranked]:
    """Other cases the user may see for ``purpose`` whose child may be ``case``'s child."""
    child = case.child
    names = " ".join(n.full_name for n in child.names.all()) or child.full_name
    visible = cases_visible_to(user, purpose).exclude(child=child).exclude(status=CaseStatus.TRANSFERRED)
    ranked = rank(
        visible,
        names,
        birth=birth_from(
            child.birth_date,
            child.birth_date_precision,
            child.assessed_age_min,
            child.assessed_age_max,
            child.assessed_on,
        ),
        sex=child.sex if child.sex in (Sex.FEMALE, Sex.MALE) else "",
        nationality=child.nationality,
        limit=50,
    )
    return [
        r
        for r in ranked
        if r.evidence.name.score >= PROPOSE_NAME_SCORE
        and r.evidence.birth != "differ"
        and r.evidence.sex != "differ"
    ][:MAX_PROPOSALS]


def _audit(user: User, purpose: str, review: MatchReview, what: str, **details: object) -> None:
    audit.record_many(
        AuditKind.MATCH_REVIEW,
        [
            {
                "actor": user,
                "purpose": purpose,
                "decision": AuditDecision.ALLOW,
                "reasons": ["match-review"],
                "subject": case.child.audit_subject,
                "details": {"review": str(review.public_id), "what": what, **details},
            }
            for case in (review.left, review.right)
        ],
    )


@transaction.atomic
def do_propose_matches(user: User, purpose: str, public_id: str) -> list[MatchReview]:
    """Put the pairs (this case, a candidate) in the review queue; existing pairs are kept as they
    are (a decided pair is not reopened). Returns the pairs now pending or decided."""
    case = access_case(user, public_id, purpose).case
    out: list[MatchReview] = []
    for r in candidates_for(user, purpose, case):
        left, right = sorted((case, r.case), key=lambda c: c.pk)
        review, created = MatchReview.objects.get_or_create(
            left=left,
            right=right,
            defaults={
                "score": r.evidence.score,
                "reasons": r.reasons,
                "names_version": name_prep.NAMES_VERSION,
                "proposed_by": user,
            },
        )
        if created:
            _audit(user, purpose, review, "proposed", score=f"{r.evidence.score:.3f}")
        out.append(review)
    return out


def check_decide_match(user: User, purpose: str, review: MatchReview, status: str, reason: str) -> None:
    if status not in (MatchStatus.ACCEPTED, MatchStatus.REJECTED, MatchStatus.UNSURE):
        raise ActionError("choose: same child, not the same child, or unsure", field="status")
    if not reason.strip():
        raise ActionError("say why (what you compared, who you asked)", field="reason")
    # Both records must be readable by the reviewer for this purpose (audited, refused as not found).
    access_case(user, str(review.left.public_id), purpose)
    access_case(user, str(review.right.public_id), purpose)


@transaction.atomic
def do_decide_match(user: User, purpose: str, review: MatchReview, status: str, reason: str) -> MatchReview:
    """Record a person's decision; an accepted pair links the two records (``linked_cases``)."""
    check_decide_match(user, purpose, review, status, reason)
    review = MatchReview.objects.select_for_update().get(pk=review.pk)
    previous = review.status
    review.status = status
    review.reason = reason.strip()[:2000]
    review.decided_by = user
    review.decided_at = timezone.now()
    review.save()
    _audit(user, purpose, review, "decided", status=status, previous=previous)
    return review


def check_queue_candidate(user: User, purpose: str, public_id: str, other_id: str) -> tuple[Case, Candidate]:
    """Both cases through the policy (audited, refused as not found), and the other one must be a
    candidate the model proposes for this case (no arbitrary pair enters the queue)."""
    case = access_case(user, public_id, purpose).case
    access_case(user, other_id, purpose)
    for candidate in registration_candidates(user, purpose, case):
        if str(candidate.case.public_id) == other_id:
            return case, candidate
    raise ActionError("this record is not a candidate for this child any more", field="candidate")


@transaction.atomic
def do_queue_candidate(user: User, purpose: str, public_id: str, other_id: str) -> MatchReview:
    """Put one (case, candidate) pair in the review queue with the model's score and reasons; an
    existing pair is kept as it is. Nothing is linked."""
    case, candidate = check_queue_candidate(user, purpose, public_id, other_id)
    left, right = sorted((case, candidate.case), key=lambda c: c.pk)
    reasons = [f"{k}: {v}" for k, v in candidate.reasons.items()]
    review, created = MatchReview.objects.get_or_create(
        left=left,
        right=right,
        defaults={
            "score": round(candidate.probability, 4),
            "reasons": reasons,
            "names_version": name_prep.NAMES_VERSION,
            "proposed_by": user,
        },
    )
    if created:
        _audit(user, purpose, review, "proposed", score=f"{candidate.probability:.3f}", by="linkage model")
    return review
