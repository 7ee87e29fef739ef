"""Credentials: whom the tool acts as, what a service account needs, and no secret in output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sheets_sync.backends.google.auth import SCOPES, credentials
from sheets_sync.cli import cli
from sheets_sync.config import GoogleConfig
from sheets_sync.errors import ConfigError
from tests.fakes.google_api import FakeGoogle, serve

EMAIL = "partnership-sync@acme-ops.iam.gserviceaccount.com"


def key_file(folder: Path, mode: int = 0o600) -> tuple[Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = folder / "service-account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "acme-ops", "private_key_id": "abc123",
        "private_key": pem, "client_email": EMAIL, "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }))
    path.chmod(mode)
    return path, pem


def test_service_account_identity_and_narrow_scopes(tmp_path: Path) -> None:
    path, _ = key_file(tmp_path)
    creds, identity = credentials(GoogleConfig(auth="service_account", credentials=path))
    assert identity.who == EMAIL and identity.is_service_account and identity.warnings == ()
    assert set(creds.scopes) == set(SCOPES)
    assert not any(s.endswith("/auth/drive") for s in SCOPES)  # never the whole Drive


def test_a_key_file_readable_by_others_draws_a_warning(tmp_path: Path) -> None:
    path, _ = key_file(tmp_path, 0o644)
    _, identity = credentials(GoogleConfig(auth="service_account", credentials=path))
    assert identity.warnings == (f"{path} is readable by other users; run `chmod 600 {path}`",)


def test_a_broken_key_file_names_the_setting_not_the_key(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----x"}')
    with pytest.raises(ConfigError) as raised:
        credentials(GoogleConfig(auth="service_account", credentials=path))
    assert raised.value.key == "google.credentials" and "PRIVATE" not in str(raised.value)


@pytest.fixture()
def root() -> Iterator[str]:
    fake = FakeGoogle()
    server = serve(fake, 0)
    sid = fake.create_spreadsheet("Partnership")
    server.spreadsheet_id = sid  # type: ignore[attr-defined]
    try:
        yield f"{server.url}|{sid}"
    finally:
        server.close()


def test_doctor_says_whom_it_acts_as_and_never_shows_the_key(
    tmp_path: Path, root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, sid = root.split("|")
    path, pem = key_file(tmp_path, 0o644)
    (tmp_path / "sheets-sync.toml").write_text(
        f'[google]\nauth = "service_account"\ncredentials = "{path.name}"\n'
        f'[[workbooks]]\nname = "acme"\nbackend = "google"\nspreadsheet_id = "{sid}"\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHEETS_SYNC_GOOGLE_API_ROOT", url)
    monkeypatch.setenv("SHEETS_SYNC_STATE_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["doctor"])
    out = result.stdout + result.stderr
    assert f"acme: acts as {EMAIL} (service_account)" in out
    assert f"share the spreadsheet with {EMAIL}" in out and "parent_folder_id" in out
    assert "readable by other users" in out
    assert "template drift" in out  # an empty spreadsheet: provision would add the tabs
    body = pem.split("\n")[1]
    assert body not in out and "PRIVATE KEY" not in out and "sheets-sync-test-token" not in out
