"""The one clock of motcua: aware datetimes in legal time (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current instant (UTC-aware, as Django stores it)."""
    return timezone.now()


def local_now() -> datetime:
    """The current instant on the Vietnamese wall clock."""
    return timezone.now().astimezone(VIETNAM)
