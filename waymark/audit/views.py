"""The audit log page: the log's state for the DPO and the node administrator.

``audit_log`` (GET; POST runs ``verify``): for the data protection officer and the node
administrator only, never of a sector the firewall refuses; anyone else gets 404. The DPO also sees their own organisation's latest
entries (pseudonyms and case references, never names); the administrator sees sizes,
checkpoints and verification only. Both see the partner nodes' logs as this node witnessed them
(a partner whose log went backwards or forked first). (The child's access report is a page of the case:
``waymark.cases.views_report``.)
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from waymark.audit import service, witness
from waymark.audit.models import AuditEntry, Checkpoint
from waymark.core.protocol.vocab import FORBIDDEN_SECTORS
from waymark.vocab import Role

_LATEST = 50


@login_required
@require_http_methods(["GET", "POST"])
def audit_log(request: HttpRequest) -> HttpResponse:
    me = request.user
    if not (isinstance(me, service.Actor) and me.is_active and me.role in (Role.DPO, Role.NODE_ADMIN)):
        raise Http404
    # The firewall: nothing of the log for a sector it refuses. (The audit layer sees a user
    # through ``service.Actor``, which does not promise a sector: read it if it is there.)
    if getattr(me.organisation, "sector", "") in FORBIDDEN_SECTORS:
        raise Http404
    result = service.verify() if request.method == "POST" else None
    size, root = service.current_root()
    entries: list[AuditEntry] = []
    if me.role == Role.DPO and me.organisation is not None:
        slug = me.organisation.slug
        entries = list(
            AuditEntry.objects.filter(Q(actor_org=slug) | Q(peer_org=slug)).order_by("-seq")[:_LATEST]
        )
    context = {
        "tree_size": size,
        "root_hash": root,
        "checkpoints": Checkpoint.objects.order_by("-tree_size", "-id")[:10],
        "verifier_key": service.verifier_key(),
        "origin": settings.WAYMARK_AUDIT_ORIGIN,
        "result": result,
        "entries": entries,
        "witnessed": witness.peer_status(),
    }
    return render(request, "audit/log.html", context, status=200 if result is None or result.ok else 409)
