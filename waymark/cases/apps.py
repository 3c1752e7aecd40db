from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "waymark.cases"
    label = "cases"
    verbose_name = "Children and cases"
