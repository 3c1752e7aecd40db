from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "waymark.exchange"
    label = "exchange"

    def ready(self) -> None:
        from waymark.cases.erasure import erasing_child

        from . import threads
        from .erasure import shred_threads_of

        threads.load()
        erasing_child.connect(shred_threads_of, dispatch_uid="exchange-shred-threads")
