from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "waymark.exchange"
    label = "exchange"

    def ready(self) -> None:
        from waymark.cases.erasure import erasing_child
        from waymark.missing import acknowledgements

        from . import threads, views_missing, views_wards
        from .erasure import shred_threads_of
        from .threads import missing_alert

        threads.load()
        # The Missing-now board shows who acknowledged each alert (the missing app is below us).
        acknowledgements.provide(missing_alert.acknowledgements)
        # The disappearance's page closes it here (case_closed to every organisation alerted).
        views_missing.register()
        # "My wards" lists the hand-overs awaiting the incoming guardian (continuity is below us).
        views_wards.register()
        erasing_child.connect(shred_threads_of, dispatch_uid="exchange-shred-threads")
