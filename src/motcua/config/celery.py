"""The Celery application (production background work) and its beat schedule.

Settings come from Django settings with the ``CELERY_`` prefix (``CELERY_BROKER_URL``…).
Without a broker the embedded default runs tasks in-process and has no beat: run
``motcua overdue-scan`` from cron instead. Start production workers with::

    celery -A motcua.config.celery worker -l info
    celery -A motcua.config.celery beat -l info

``BEAT_SCHEDULE`` is used unless settings define ``CELERY_BEAT_SCHEDULE``.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")

BEAT_SCHEDULE = {
    # Apology letters due soon (idempotent): every half hour.
    "dossiers-overdue-scan": {
        "task": "motcua.dossiers.overdue_scan",
        "schedule": crontab(minute="*/30"),
    },
    # Dossier status messages to the national portal (transactional outbox).
    "dossiers-national-portal-sync": {
        "task": "motcua.dossiers.national_portal_sync",
        "schedule": 30.0,
    },
    # Queued e-mails.
    "dossiers-emails-send": {
        "task": "motcua.dossiers.emails_send",
        "schedule": 60.0,
    },
}

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
if not app.conf.beat_schedule:
    app.conf.beat_schedule = BEAT_SCHEDULE
