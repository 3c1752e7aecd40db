from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "waymark.policy"
    label = "policy"
