from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "waymark.accounts"
    label = "accounts"
    verbose_name = "Organisations and users"
