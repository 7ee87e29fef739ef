"""Credentials: service-account key file, Application Default Credentials, or OAuth.

Scopes are the narrowest that work: Sheets for reading and writing cells, and
``drive.file`` (only files this app creates or is given) for creating and sharing.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheets_sync.backends.google.http import API_ROOT_ENV
from sheets_sync.config import GoogleConfig
from sheets_sync.errors import ConfigError, SheetsSyncError

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.file",
)
#: The fixed token used against the test fake: nothing ever asks a token endpoint.
TEST_TOKEN = "sheets-sync-test-token"


@dataclass(frozen=True)
class Identity:
    """Whom the tool acts as, for `doctor` and error messages (never a secret)."""

    kind: str  # service_account | adc | oauth | test
    who: str
    warnings: tuple[str, ...] = ()

    @property
    def is_service_account(self) -> bool:
        return self.kind == "service_account" or self.who.endswith(".iam.gserviceaccount.com")


def key_file_warnings(path: Path) -> tuple[str, ...]:
    """A key file others can read is a leaked key waiting to happen."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ()
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return (f"{path} is readable by other users; run `chmod 600 {path}`",)
    return ()


def credentials(settings: GoogleConfig) -> tuple[Any, Identity]:
    """Build google-auth credentials from config, and say whom they act as."""
    if os.environ.get(API_ROOT_ENV):
        # A test setting: requests go to the fake with a fixed token, so nothing asks a
        # token endpoint; a configured key file still says whom the tool would act as.
        from google.oauth2.credentials import Credentials

        identity = Identity("test", "the test API at " + os.environ[API_ROOT_ENV])
        if settings.auth == "service_account" and settings.credentials is not None:
            identity = _service_account(settings)[1]
        return Credentials(token=TEST_TOKEN), identity
    if settings.auth == "service_account":
        return _service_account(settings)
    if settings.auth == "adc":
        import google.auth as google_auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            creds, project = google_auth.default(scopes=list(SCOPES))
        except DefaultCredentialsError as exc:
            raise SheetsSyncError(
                "no Application Default Credentials found: run `gcloud auth application-default "
                'login`, or set google.auth = "service_account" with google.credentials'
            ) from exc
        who = getattr(creds, "service_account_email", None) or f"ADC (project {project})"
        return creds, Identity("adc", str(who))
    if settings.auth == "oauth":
        return _oauth(settings)
    raise ConfigError("google.auth", "must be service_account, adc or oauth")


def _service_account(settings: GoogleConfig) -> tuple[Any, Identity]:
    """Credentials from a service-account key file (its key never leaves this function)."""
    path = settings.credentials
    if path is None:
        raise ConfigError(
            "google.credentials", "path to the service-account key file is required"
        )
    if not path.is_file():
        raise ConfigError("google.credentials", f"no such file: {path}")
    from google.oauth2 import service_account

    try:
        creds = service_account.Credentials.from_service_account_file(
            str(path), scopes=list(SCOPES)
        )
    except (ValueError, KeyError):
        # The parser's message can quote the file: say only what is wrong.
        raise ConfigError(
            "google.credentials", f"{path} is not a valid service-account key file"
        ) from None
    return creds, Identity(
        "service_account", creds.service_account_email, key_file_warnings(path)
    )


def _oauth(google: GoogleConfig) -> tuple[Any, Identity]:
    """The installed-app flow, with the token cached (mode 600) for cron."""
    from google.oauth2.credentials import Credentials

    cache = google.token_cache or Path.home() / ".config" / "sheets-sync" / "token.json"
    creds: Any = None
    if cache.is_file():
        creds = Credentials.from_authorized_user_file(str(cache), list(SCOPES))
    if creds is None or not creds.valid:
        if creds is not None and creds.expired and creds.refresh_token:
            from google.auth.transport.requests import Request

            creds.refresh(Request())
        else:
            if google.credentials is None:
                raise ConfigError(
                    "google.credentials", "OAuth needs the client-secrets file of a desktop app"
                )
            try:
                from google_auth_oauthlib.flow import InstalledAppFlow
            except ImportError as exc:
                raise SheetsSyncError(
                    "OAuth needs the optional extra: pip install 'sheets-sync[oauth]'"
                ) from exc
            flow = InstalledAppFlow.from_client_secrets_file(str(google.credentials), list(SCOPES))
            creds = flow.run_local_server(port=0)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(creds.to_json())
        cache.chmod(0o600)
    return creds, Identity("oauth", "the OAuth user of " + str(cache), key_file_warnings(cache))
