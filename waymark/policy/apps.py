from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "waymark.policy"
    label = "policy"
    verbose_name = "Agreements and policies"

    def ready(self) -> None:
        from waymark.accounts.second_factor import register_role_check

        from . import checks, signals  # noqa: F401  (registers the system check and the receiver)
        from .reach import role_requires_second_factor

        # Who needs a second factor follows from the policies (reach.py); accounts asks through this.
        register_role_check(role_requires_second_factor)
