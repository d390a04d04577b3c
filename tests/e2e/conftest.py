"""End-to-end tests reuse the dossier world (units, officers with roles, a procedure)."""

from tests.dossiers.conftest import world  # noqa: F401  (fixture)
