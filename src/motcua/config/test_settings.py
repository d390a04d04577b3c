"""Entry point for the test suite: the same settings module, in the test environment.

pytest-django imports settings before any conftest runs, so the environment is
chosen here rather than in tests/conftest.py. DATABASE_URL still selects PostgreSQL.
"""

import os

os.environ["MOTCUA_ENVIRONMENT"] = "test"

from motcua.config.settings import *  # noqa: F403

# Tests roll the database back between them but share the in-memory cache, and dossier
# codes repeat from one test to the next: kept look-up answers would leak across tests.
# tests/portal/test_lookup_cache.py turns the cache on where it is the subject.
MOTCUA_LOOKUP_CACHE_SECONDS = 0
