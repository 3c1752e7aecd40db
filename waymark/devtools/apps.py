from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "waymark.devtools"
    label = "devtools"
    verbose_name = "Development tools (demo nodes)"
