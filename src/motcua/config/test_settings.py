"""Entry point for the test suite: the same settings module, in the test environment.

pytest-django imports settings before any conftest runs, so the environment is
chosen here rather than in tests/conftest.py. DATABASE_URL still selects PostgreSQL.
"""

import os

os.environ["MOTCUA_ENVIRONMENT"] = "test"

from motcua.config.settings import *  # noqa: F403
