"""Project configuration. The Celery app is loaded with Django so ``.delay()`` uses it."""

from motcua.config.celery import app as celery_app

__all__ = ["celery_app"]
