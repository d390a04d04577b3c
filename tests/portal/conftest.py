from __future__ import annotations

import pytest
from django.test import Client

from motcua.catalog.services import catalog_import
from tests.catalog.samples import varied_document


@pytest.fixture
def catalog(db: None) -> None:
    """The varied sample catalog: six procedures in four sectors, all in force."""
    catalog_import(varied_document())


@pytest.fixture
def vi(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    return client


@pytest.fixture
def en(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
