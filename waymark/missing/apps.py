from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "waymark.missing"
    label = "missing"
    verbose_name = "Missing children"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the protocol check)
        from .protocols import protocols

        protocols()  # loaded and validated at start; a bad file is logged and left out
