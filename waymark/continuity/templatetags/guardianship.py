"""``{{ case|guardian_contacts }}``: a ward's logged contacts, newest first (the case page shows
them within the case's own access decision: guardian data, the views only with disclosure)."""

from __future__ import annotations

from django import template

from waymark.cases.models import Case
from waymark.continuity.guardians import ContactKind, GuardianContact

register = template.Library()


@register.filter
def guardian_contacts(case: Case) -> list[GuardianContact]:
    return list(GuardianContact.objects.filter(case=case).select_related("guardian", "case__child")[:50])


@register.simple_tag
def contact_kinds() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in ContactKind]
