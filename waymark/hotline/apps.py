from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "waymark.hotline"
    label = "hotline"
    verbose_name = "116 000 hotline intake"
