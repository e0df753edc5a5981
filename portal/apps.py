from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin

        admin.site.site_header = f"{settings.PORTAL_SHORT_NAME} back office"
        admin.site.site_title = f"{settings.PORTAL_SHORT_NAME} back office"
        admin.site.index_title = "Partnership staff"
