"""The same INSTREAM conversation with Debian's real clamd (package ``clamav-daemon``).

Where clamd is installed, the test starts one of its own on a private socket, with a
one-line signature database that names the EICAR test file by its hash (freshclam's
databases need the network; with them, a running Debian clamd on
``/var/run/clamav/clamd.ctl`` — or ``MOTCUA_TEST_CLAMD_ADDRESS`` — is used instead).
Skipped, with the reason, where there is no clamd.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.documents import samples as S
from tests.documents.conftest import stored_files

from motcua.accounts.models import User
from motcua.documents.checks import UploadRefused, clamd_instream
from motcua.documents.models import Document
from motcua.documents.services import document_upload

pytestmark = pytest.mark.django_db
DEBIAN_SOCKET = "/var/run/clamav/clamd.ctl"


def _answers(address: str) -> bool:
    try:
        clamd_instream([b"ping"], address=address, timeout=10)
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def clamd_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("MOTCUA_TEST_CLAMD_ADDRESS", "")
    if not configured and Path(DEBIAN_SOCKET).exists():
        configured = f"unix://{DEBIAN_SOCKET}"
    if configured:
        if not _answers(configured):
            pytest.skip(f"clamd at {configured} does not answer")
        yield configured
        return
    binary = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else ""
    )
    if not binary:
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    digest = hashlib.md5(S.EICAR).hexdigest()  # noqa: S324 — ClamAV's hash signature format
    (root / "db" / "motcua-test.hdb").write_text(f"{digest}:{len(S.EICAR)}:Motcua.Test.EICAR\n")
    socket_path = root / "clamd.sock"
    (root / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {root / 'db'}\nForeground yes\n"
        f"LogFile {root / 'clamd.log'}\nStreamMaxLength 25M\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(root / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"unix://{socket_path}"
    try:
        for _ in range(300):  # clamd loads its databases, then opens the socket
            if socket_path.exists() and _answers(address):
                break
            if process.poll() is not None:
                pytest.skip("clamd did not start")
            time.sleep(0.1)
        else:
            pytest.skip("clamd did not open its socket")
        yield address
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_debians_clamd_refuses_eicar_and_passes_a_clean_pdf(
    clamd_address: str, citizen: User, storage: Path, settings: Any
) -> None:
    settings.MOTCUA_CLAMD_ADDRESS = clamd_address
    with pytest.raises(UploadRefused) as refused:
        document_upload(actor=citizen, upload=S.Upload("eicar.pdf", S.EICAR))
    assert refused.value.code == "virus"
    assert Document.objects.count() == 0 and stored_files(storage) == []
    document = document_upload(actor=citizen, upload=S.Upload("sach.pdf", S.pdf_bytes()))
    assert document.sha256 and len(stored_files(storage)) == 1
