from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "waymark.matching"
    label = "matching"
