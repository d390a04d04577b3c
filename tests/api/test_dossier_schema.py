"""The OpenAPI description documents every dossier endpoint and validates without warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from motcua.dossiers.lifecycle import ACTIONS


@pytest.mark.django_db
def test_the_schema_validates_without_warnings_and_has_the_dossier_paths(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    assert set(paths["/api/v1/dossiers/"]) == {"get", "post"}
    assert set(paths["/api/v1/dossiers/{id}/"]) == {"get"}
    for action in ACTIONS:
        operation = paths[f"/api/v1/dossiers/{{id}}/{action}/"]["post"]
        assert operation["operationId"] == f"dossier_{action}"
        names = {p["name"] for p in operation["parameters"]}
        assert {"id", "Idempotency-Key"} <= names, action
        assert {"200", "400", "403", "404", "409", "422"} <= set(operation["responses"])
    intake = paths["/api/v1/intake/dossiers/"]["post"]
    assert intake["security"] == [{"IntegrationToken": []}]
    assert {"200", "201", "401", "403"} <= set(intake["responses"])
    lookup = paths["/api/v1/public/dossiers/{code}/"]["get"]
    assert {p["name"] for p in lookup["parameters"]} == {"code", "id_number"}
    assert "429" in lookup["responses"]
    listing = paths["/api/v1/dossiers/"]["get"]
    assert {"status", "procedure", "cursor", "page_size"} <= {
        p["name"] for p in listing["parameters"]
    }
    components = schema["components"]["schemas"]
    assert components["DossierStatus"]["enum"][0] == "new"
    detail = components["DossierDetail"]["properties"]
    assert {"timeline", "components", "available_actions", "national_status"} <= set(detail)
