from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "waymark.vault"
    label = "vault"
