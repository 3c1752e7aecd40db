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
from waymark.errors import ActionError, NotFound
from waymark.exchange.models import Direction, Thread
from waymark.exchange.node import LocalNode
from waymark.exchange.threads import info_request
from waymark.exchange.threads.match_query import candidates_of
from waymark.policy.contexts import close_contexts, open_context
from waymark.vocab import AuditDecision, AuditKind, CaseStatus, ContextSource, DataCategory, MatchStatus, Sex

from .candidates import Candidate
from .candidates import candidates_for as registration_candidates
from .models import MatchReview, RemoteCandidate, RemoteStatus

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
    _share_accepted(review, purpose)
    _audit(user, purpose, review, "decided", status=status, previous=previous)
    return review


def _share_accepted(review: MatchReview, purpose: str) -> None:
    """An accepted match between two organisations' records is a need-to-know context between
    them for that child (docs/firewall.md); any other decision closes it."""
    left, right = review.left, review.right
    if left.organisation_id == right.organisation_id:
        return
    if review.status != MatchStatus.ACCEPTED:
        close_contexts(ContextSource.MATCH, review.public_id, review.decided_at)
        return
    for case, other in ((left, right), (right, left)):
        open_context(
            case,
            partner=other.organisation.slug,
            purpose=purpose,
            source=ContextSource.MATCH,
            source_id=review.public_id,
            now=review.decided_at,
        )


# --- candidates held by partner nodes (privacy-preserving match queries) ------------------------


def access_query(user: User, purpose: str, public_id: str) -> Thread:
    """A match query this user's organisation sent and answered, about a case the user may read
    for ``purpose`` (audited); ``NotFound`` otherwise."""
    thread = (
        Thread.objects.filter(
            public_id=public_id,
            kind="match_query",
            direction=Direction.OUTGOING,
            status="answered",
            local_org_id=user.organisation_id,
        )
        .select_related("case")
        .first()
    )
    if thread is None or thread.case is None:
        raise NotFound("no such match query")
    access_case(user, str(thread.case.public_id), purpose)
    return thread


def remote_candidates(
    user: User, purpose: str
) -> list[tuple[Thread, dict[str, object], RemoteCandidate | None]]:
    """The candidates partners returned for this organisation's answered match queries about
    cases the user may see, with what was done with each (most recent queries first)."""
    visible = cases_visible_to(user, purpose).values("pk")
    queries = (
        Thread.objects.filter(
            kind="match_query",
            direction=Direction.OUTGOING,
            status="answered",
            local_org_id=user.organisation_id,
            case__in=visible,
        )
        .select_related("case")
        .order_by("-updated_at")[:50]
    )
    decided = {(r.query_id, r.token): r for r in RemoteCandidate.objects.filter(query__in=queries)}
    return [(q, c, decided.get((q.pk, str(c["token"])))) for q in queries for c in candidates_of(q)]


def _audit_remote(user: User, purpose: str, query: Thread, token: str, what: str, **details: object) -> None:
    assert query.case is not None
    audit.record(
        AuditKind.MATCH_REVIEW,
        actor=user,
        purpose=purpose,
        decision=AuditDecision.ALLOW,
        reasons=["match-review"],
        agreement=query.agreement_id,
        peer_org=query.peer_org,
        subject=query.case.child.audit_subject,
        details={"query": str(query.public_id), "token": token, "what": what, **details},
    )


ASK_TEXT = (
    "Our match query returned candidate {token} (score {score:.2f}). Who is this child "
    "(names, date of birth, nationality), so that we can confirm or rule out the match?"
)


def do_ask_about_candidate(
    user: User, purpose: str, query: Thread, token: str, reason: str, *, node: LocalNode | None = None
) -> RemoteCandidate:
    """Accept a partner's candidate for review: ask the partner about it through an information
    request naming the token (the partner maps it to its case only then, and a person there
    answers through its own policy)."""
    if not reason.strip():
        raise ActionError("say why this candidate is worth asking about", field="reason")
    found = {str(c["token"]): float(c["score"]) for c in candidates_of(query)}
    if token not in found:
        raise ActionError("no such candidate in this match query", field="token")
    existing = RemoteCandidate.objects.filter(query=query, token=token).first()
    if existing is not None and existing.status != RemoteStatus.PENDING:
        raise ActionError(f"this candidate is already {existing.get_status_display().lower()}", field="token")
    assert query.case is not None
    with transaction.atomic():
        request = info_request.do_request_information(
            user,
            query.case,
            info_request.InfoRequestIn(
                to_org=query.peer_org,
                purpose=query.purpose,
                agreement_id=query.agreement_id,
                questions=[
                    info_request.QuestionIn(
                        category=DataCategory.IDENTITY, text=ASK_TEXT.format(token=token, score=found[token])
                    )
                ],
                match_candidate=token,
            ),
            node=node,
        )
        candidate, _created = RemoteCandidate.objects.update_or_create(
            query=query,
            token=token,
            defaults={
                "score": found[token],
                "status": RemoteStatus.ASKED,
                "reason": reason.strip()[:2000],
                "request": request,
                "decided_by": user,
                "decided_at": timezone.now(),
            },
        )
        _audit_remote(user, purpose, query, token, "asked", request=str(request.public_id))
    return candidate


def do_decide_candidate(
    user: User, purpose: str, query: Thread, token: str, status: str, reason: str
) -> RemoteCandidate:
    """Decide on a partner's candidate: not the same child (at any time), or — once the partner
    answered the information request — the same child, which opens a need-to-know context
    (``ContextSource.MATCH``) between the two organisations for our child, or unsure."""
    if status not in (RemoteStatus.ACCEPTED, RemoteStatus.REJECTED, RemoteStatus.UNSURE):
        raise ActionError("choose: same child, not the same child, or unsure", field="status")
    if not reason.strip():
        raise ActionError("say why (what you compared, who you asked)", field="reason")
    found = {str(c["token"]): float(c["score"]) for c in candidates_of(query)}
    if token not in found:
        raise ActionError("no such candidate in this match query", field="token")
    assert query.case is not None
    with transaction.atomic():
        candidate, _created = RemoteCandidate.objects.select_for_update().get_or_create(
            query=query, token=token, defaults={"score": found[token]}
        )
        answered = candidate.request is not None and candidate.request.status == "answered"
        if status != RemoteStatus.REJECTED and not answered:
            raise ActionError(
                "ask the partner first, and decide once it has answered the information request",
                field="status",
            )
        candidate.status = status
        candidate.reason = reason.strip()[:2000]
        candidate.decided_by = user
        candidate.decided_at = timezone.now()
        candidate.save()
        if status == RemoteStatus.ACCEPTED:
            open_context(
                query.case,
                partner=query.peer_org,
                purpose=query.purpose,
                source=ContextSource.MATCH,
                source_id=candidate.public_id,
                now=candidate.decided_at,
            )
        else:
            close_contexts(ContextSource.MATCH, candidate.public_id, candidate.decided_at)
        _audit_remote(user, purpose, query, token, "decided", status=status)
    return candidate


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
