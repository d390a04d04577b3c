"""The selectors other apps build on: their names and shapes, on an empty process table."""

from __future__ import annotations

import pytest

from motcua.workflow import selectors

pytestmark = pytest.mark.django_db


def test_no_process_means_empty_answers() -> None:
    assert selectors.control_sheet(123) == []
    assert selectors.current_task(123) is None
    assert list(selectors.open_tasks_for([])) == []
    assert list(selectors.open_tasks_for([(1, "specialist")])) == []
    assert list(selectors.followups_for([(1, "specialist")])) == []
