"""The fake Google API behind a real gspread client, for the fake's own tests."""

from __future__ import annotations

from typing import Any

import gspread
import pytest
from google.oauth2.credentials import Credentials

from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_api.checkpoint import Checkpoint


@pytest.fixture(autouse=True)
def _verify_rollbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rolled-back write in the fake's own tests is checked against a full copy."""
    monkeypatch.setattr(Checkpoint, "verify", True)


@pytest.fixture
def fake() -> FakeGoogle:
    return FakeGoogle()


@pytest.fixture
def gc(fake: FakeGoogle) -> gspread.Client:
    client = gspread.Client(auth=Credentials(token="fake-token"))
    fake.mount(client.http_client.session)
    return client


def api_error(fn: Any, *args: Any, **kwargs: Any) -> gspread.exceptions.APIError:
    """The APIError gspread raises for ``fn(*args, **kwargs)``."""
    with pytest.raises(gspread.exceptions.APIError) as info:
        fn(*args, **kwargs)
    return info.value
