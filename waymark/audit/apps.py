from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "waymark.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from waymark.audit import checks, signals  # noqa: F401  (registers the checks, connects the receivers)
