"""``motcua simulator population|national-id --port …`` run the simulators as processes,
and the embedded default serves the same applications under /sim/."""

from __future__ import annotations

import httpx
import pytest
from django.test import override_settings
from simulators.population.generator import population

from motcua.accounts.models import AccountKind, User
from motcua.integrations.models import PopulationLookup
from motcua.integrations.population import HttpPopulationDirectory, prefill_for
from tests.simulators.processes import free_port, simulator_process

KEY = "process-key-0123456789abcdef"


def test_the_population_simulator_runs_as_a_process(db: None) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    resident = population().resident(4321)
    with simulator_process(
        ["population", f"--port={port}", f"--api-key={KEY}"], ready_url=f"{url}/v1/health"
    ):
        found = HttpPopulationDirectory(base_url=url, api_key=KEY).lookup(
            id_number=resident.id_number,
            full_name=resident.full_name,
            date_of_birth=resident.date_of_birth,
            purpose="counter_identity",
            requester="H01",
            request_id="process-test-1",
        )
        assert found is not None and found.full_name == resident.full_name
        account = User.objects.create(
            username="dan.process",
            kind=AccountKind.CITIZEN,
            personal_id=resident.id_number,
            full_name=resident.full_name,
            date_of_birth=resident.date_of_birth,
        )
        with override_settings(POPULATION_URL=url, POPULATION_API_KEY=KEY):
            values = prefill_for(account, purpose="eform_prefill", actor=account)
        assert values["population.full_name"] == resident.full_name
        seen = httpx.get(f"{url}/v1/requests", headers={"X-API-Key": KEY}).json()["requests"]
        logged = PopulationLookup.objects.get()
        assert logged.request_id in {r["request_id"] for r in seen}


def test_the_national_id_simulator_runs_as_a_process() -> None:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    with simulator_process(
        ["national-id", f"--port={port}", "--client-secret=abc"],
        ready_url=f"{issuer}/.well-known/openid-configuration",
    ) as process:
        metadata = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
        assert metadata["issuer"] == issuer
        assert httpx.get(metadata["jwks_uri"]).json()["keys"]
        assert process.poll() is None


@pytest.mark.django_db(transaction=True)
def test_the_embedded_default_mounts_both_under_sim(live_server) -> None:
    base = live_server.url
    discovery = httpx.get(f"{base}/sim/national-id/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"{base}/sim/national-id"
    assert discovery["token_endpoint"] == f"{base}/sim/national-id/token"
    health = httpx.get(f"{base}/sim/population/v1/health")
    assert health.status_code == 200 and health.json()["residents"] == 100_000
    refused = httpx.post(f"{base}/sim/population/v1/citizens/lookup", json={})
    assert refused.status_code == 401
