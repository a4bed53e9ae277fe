from django.apps import AppConfig
from django.db.models.signals import post_delete, pre_save


class ReleasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "releases"

    def ready(self):
        from .editorial import uploads
        from .models import Attachment

        post_delete.connect(uploads.delete_file, sender=Attachment)
        pre_save.connect(uploads.delete_replaced_file, sender=Attachment)
