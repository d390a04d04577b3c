from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = _("Feedback and satisfaction")

    def ready(self) -> None:
        from motcua.dossiers.events import register_after_change
        from motcua.feedback.tasks import dossier_status_notice_later

        register_after_change(dossier_status_notice_later)
