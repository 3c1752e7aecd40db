from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "waymark.cases"
    label = "cases"
    verbose_name = "Children and cases"

    def ready(self) -> None:
        from waymark.policy.service import register_consent_loader

        from .consent import load_valid_consents

        register_consent_loader(load_valid_consents)
