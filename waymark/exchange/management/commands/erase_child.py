"""``manage.py erase_child REFERENCE --by DPO --basis BASIS --reason TEXT --confirm REFERENCE``:
the DPO's erasure page at the command line — the same action (``exchange.erasure``), the same
checks (the DPO of the child's organisation; reason, legal basis and the reference typed again),
the same audit entry and erasure notices."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from waymark.accounts.models import User
from waymark.errors import ActionError, NotFound, field_errors
from waymark.exchange import erasure
from waymark.exchange.threads.erasure_notice import NOT_SENT
from waymark.vocab import ErasureBasis


def _refuse(errors: dict[str, list[str]]) -> CommandError:
    return CommandError("nothing was erased: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class Command(BaseCommand):
    help = (
        "Erase a child (every case of theirs here) and send erasure notices to the organisations "
        "that received their data. Irreversible; audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the case reference")
        parser.add_argument("--by", default="", help="the username of the DPO who erases")
        parser.add_argument("--basis", default="", help=f"legal basis: {', '.join(ErasureBasis.values)}")
        parser.add_argument("--reason", default="", help="why (for the audit log: no names or details)")
        parser.add_argument("--confirm", default="", help="the case reference again")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.select_related("organisation").filter(username=opts["by"], is_active=True).first()
        if user is None:
            raise _refuse({"by": [f"no active user {opts['by']!r}"]})
        try:
            data = erasure.EraseChildIn(
                reason=opts["reason"], legal_basis=opts["basis"], confirm_reference=opts["confirm"]
            )
        except ValidationError as exc:
            raise _refuse(field_errors(exc)) from exc
        try:
            case = erasure.find_case(user, opts["reference"])
            done = erasure.do_erase_child(user, case, data)
        except NotFound as exc:
            raise _refuse({"by": [f"{user.username} is not the DPO of this child's organisation"]}) from exc
        except ActionError as exc:
            if user.role != "dpo":
                raise _refuse({"by": [f"{user.username} is not a data protection officer"]}) from exc
            raise _refuse(exc.errors) from exc
        self.stdout.write(f"erased {', '.join(done.erasure.case_references)} (audited)")
        if done.withdrawn:
            self.stdout.write(f"withdrawn from the outbox, never sent: {done.withdrawn} message(s)")
        if not done.notices:
            self.stdout.write("no recipient to notify")
        for notice in done.notices:
            if notice.status == NOT_SENT:
                self.stdout.write(f"NOT SENT to {notice.peer_org_name}: {notice.facts.get('problem', '')}")
            else:
                self.stdout.write(f"erasure notice queued to {notice.peer_org_name}")
