"""The OpenAPI description at /api/v1/schema/ covers the catalog endpoints."""

from __future__ import annotations

from django.test import Client


def test_schema_describes_the_catalog(client: Client, db: None) -> None:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/procedures/",
        "/api/v1/procedures/{code}/",
        "/api/v1/procedures/{code}/versions/",
        "/api/v1/procedures/{code}/versions/{number}/",
        "/api/v1/sectors/",
    ]:
        assert set(paths[path]) == {"get"}, path
    listing = paths["/api/v1/procedures/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"q", "sector", "level", "online_level", "page", "page_size"} <= names
    assert {"200", "304", "400"} <= set(listing["responses"])
    detail = schema["components"]["schemas"]["ProcedureDetail"]["properties"]
    assert {"cases", "legal_basis", "publication", "result"} <= set(detail)


def test_docs_page_is_served(client: Client, db: None) -> None:
    assert client.get("/api/v1/docs/").status_code == 200
