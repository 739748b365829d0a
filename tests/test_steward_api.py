"""GET /api/batches (what the steward page lists) and GET /steward, on the app in process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from server_app import SERVER_FIXTURE, TOKEN, AppClient, client_for, server_settings

STEWARD = SERVER_FIXTURE / "steward"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[AppClient]:
    app = client_for(replace(server_settings(tmp_path), write_token=TOKEN))
    try:
        yield app
    finally:
        app.close()


def test_batches_need_the_token(client: AppClient) -> None:
    assert client.get("/api/batches").status_code == 401
    assert client.get("/api/batches", headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_batches_list_an_ingested_batch(client: AppClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/api/batches", headers=auth).json() == {"batches": []}
    made = client.post("/api/ingest?by=A.%20Steward&source=https://example.org/s&name=good.ttl",
                       content=(STEWARD / "good.ttl").read_bytes(), headers={**auth, "Content-Type": "text/turtle"})
    assert made.status_code == 201, made.text
    listed = client.get("/api/batches", headers=auth).json()["batches"]
    assert [(b["id"], b["agent"], b["file"], b["source"]) for b in listed] == [
        (made.json()["batch"]["id"], "A. Steward", "good.ttl", "https://example.org/s")]


def test_steward_page_is_served_without_the_token(client: AppClient) -> None:
    page = client.get("/steward")
    assert page.status_code == 200
    assert 'id="check"' in page.text and "static/steward.js" in page.text
    assert TOKEN not in page.text
