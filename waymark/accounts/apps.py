from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "waymark.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"

    def ready(self) -> None:
        from waymark.accounts import signals  # noqa: F401  (connects the second-factor receivers)
