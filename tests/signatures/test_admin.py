"""Keys, signed documents and the certification register in the administration site:
a superuser registers a key (a bad one is refused with the reason, nothing saved), a
leader revokes a document with a reason, officers see their units' registers only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.accounts.services import officer_create
from motcua.signatures.models import CertifiedCopy, SignedResult, SigningKey
from motcua.signatures.services import certified_copy_issue
from tests.dossiers.conftest import World
from tests.signatures.fixtures import Pki, register_world_keys, scan_pdf

pytestmark = pytest.mark.django_db

KEYS = "/admin/signatures/signingkey/"
SIGNED = "/admin/signatures/signedresult/"
REGISTER = "/admin/signatures/certifiedcopy/"


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


@pytest.fixture
def admin(db: None) -> User:
    user, _device = officer_create(
        username="quantri",
        full_name="Quản trị",
        email="quantri@example.invalid",
        password="Correct-Horse-Battery-9",
        is_superuser=True,
    )
    return user


def test_superuser_registers_a_key_and_a_bad_one_is_refused(
    admin: User, world: World, signing: Pki
) -> None:
    client = signed_in(admin)
    assert client.get(KEYS + "add/").status_code == 200

    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
    expired = signing.issue(
        "Hết hạn", not_before=long_ago, not_after=long_ago + dt.timedelta(days=30)
    )
    form = {
        "unit": world.committee.pk,
        "purpose": "organisation",
        "holder": "",
        "label": "",
        "provider": "pkcs12",
        "config": "",
    }
    refused = client.post(
        KEYS + "add/", {**form, "config": json.dumps(signing.p12("admin-expired", expired))}
    )
    assert refused.status_code == 200
    assert "expired on" in refused.content.decode()
    assert not SigningKey.objects.exists()

    inline = client.post(
        KEYS + "add/", {**form, "config": json.dumps({"path": "/x.p12", "passphrase": "secret"})}
    )
    assert "never the secret itself" in inline.content.decode()
    assert not SigningKey.objects.exists()

    done = client.post(KEYS + "add/", {**form, "config": json.dumps(signing.p12("admin-ok"))})
    assert done.status_code == 302
    key = SigningKey.objects.get()
    assert key.unit == world.committee and key.label == "admin-ok" and key.development_only
    page = client.get(f"{KEYS}{key.pk}/change/").content.decode()
    assert "admin-ok" in page and key.fingerprint in page


def test_leader_revokes_in_the_admin_and_officers_see_their_units_only(
    world: World, signing: Pki, storage: Path
) -> None:
    register_world_keys(signing, world)
    copy = certified_copy_issue(
        actor=world.reception,
        unit=world.committee,
        original=scan_pdf([["GIẤY KHAI SINH"]]),
        original_title="Giấy khai sinh",
        applicant=world.citizen,
    )
    leader = signed_in(world.leader)
    assert copy.signed.title in leader.get(SIGNED).content.decode()
    assert copy.original_title in leader.get(REGISTER).content.decode()
    other = signed_in(world.other_leader)
    assert copy.signed.title not in other.get(SIGNED).content.decode()
    assert other.get(f"{SIGNED}{copy.signed.pk}/revoke/").status_code == 404

    revoke = f"{SIGNED}{copy.signed.pk}/revoke/"
    assert "Revoke" in leader.get(f"{SIGNED}{copy.signed.pk}/change/").content.decode()
    empty = leader.post(revoke, {"reason": ""})
    assert empty.status_code == 200 and not SignedResult.objects.get().revoked

    specialist = signed_in(world.specialist)  # sees the unit's documents, may not revoke
    refused = specialist.post(revoke, {"reason": "Sai"})
    assert "Only a leader" in refused.content.decode()
    assert not SignedResult.objects.get().revoked

    done = leader.post(revoke, {"reason": "Bản chính giả mạo."})
    assert done.status_code == 302
    revoked = SignedResult.objects.get()
    assert revoked.revoked and revoked.revocation_reason == "Bản chính giả mạo."
    assert CertifiedCopy.objects.count() == 1
