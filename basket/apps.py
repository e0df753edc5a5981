from django.apps import AppConfig


class BasketConfig(AppConfig):
    name = "basket"
    verbose_name = "Baskets"

    def ready(self):
        from . import signals  # noqa: F401 - connects the login merge
