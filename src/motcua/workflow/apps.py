import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "motcua.workflow"
    label = "workflow"
    verbose_name = _("Internal processes")

    def ready(self) -> None:
        # SpiffWorkflow logs every task state change at INFO: keep its warnings only.
        logging.getLogger("spiff").setLevel(logging.WARNING)
