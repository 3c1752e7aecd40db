from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "waymark.continuity"
    label = "continuity"
    verbose_name = "Protection continuity"
