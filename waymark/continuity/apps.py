from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "waymark.continuity"
    label = "continuity"
    verbose_name = "Protection continuity"

    def ready(self) -> None:
        # Models kept outside models.py (the guardian's contacts) register when imported.
        from . import guardians  # noqa: F401
