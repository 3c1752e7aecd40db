from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "waymark.policy"
    label = "policy"
    verbose_name = "Agreements and policies"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (registers the system check and the receiver)
