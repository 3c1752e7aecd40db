from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "waymark.exchange"
    label = "exchange"
