from django.apps import AppConfig


class PoliceConfig(AppConfig):
    name = "waymark.police"
    label = "police"
    verbose_name = "Police side of a missing child"

    def ready(self) -> None:
        from . import panel

        panel.register()  # the police panel, board clocks and reply notices in the missing app
