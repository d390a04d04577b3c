import logging
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_default_process(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate`` (and test flushes): the built-in default process is stored.

    Stored here rather than at the first reception, whose transaction would otherwise
    hold the new row's unique index and make every other reception wait.
    """
    from motcua.workflow.models import ProcessDefinition
    from motcua.workflow.services import process_definition_seed_default

    if ProcessDefinition._meta.db_table in connections[using].introspection.table_names():
        process_definition_seed_default(using=using)


class WorkflowConfig(AppConfig):
    name = "motcua.workflow"
    label = "workflow"
    verbose_name = _("Internal processes")

    def ready(self) -> None:
        # SpiffWorkflow logs every task state change at INFO: keep its warnings only.
        logging.getLogger("spiff").setLevel(logging.WARNING)
        post_migrate.connect(_seed_default_process, sender=self)
