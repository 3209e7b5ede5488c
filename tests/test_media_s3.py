"""The S3 store end to end, over real HTTP against moto's server mode (no AWS)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from chalkboard.media.store import S3BlobStore
from chalkboard.settings import Settings
from tests.conftest import Browser, RunningServer, free_port, start_server
from tests.test_media import ATTACKS, files, jpeg

BUCKET = "chalkboard-media-test"
CDN = "https://cdn.example.test"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """moto's S3 in a thread, on a free loopback port."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def s3(moto_url: str, aws_env: None) -> Any:
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_url)
    try:
        client.create_bucket(Bucket=BUCKET)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
            raise
    yield client
    client.close()


@pytest.fixture
async def s3_server(
    settings: Settings, moto_url: str, s3: Any, tmp_path: Path
) -> AsyncIterator[RunningServer]:
    """The app with S3_BUCKET, S3_ENDPOINT_URL (moto) and CDN_BASE_URL set."""
    configured = replace(
        settings,
        data_dir=tmp_path,
        s3_bucket=BUCKET,
        s3_region="us-east-1",
        s3_endpoint_url=moto_url,
        cdn_base_url=CDN,
    )
    server, task, running = await start_server(configured)
    yield running
    server.should_exit = True
    await task


async def test_s3_upload_writes_immutable_objects_and_delete_removes_them(
    s3_server: RunningServer, s3: Any, tmp_path: Path
) -> None:
    """upload → objects under media/<venue>/ with type and Cache-Control → CDN URLs → delete."""
    boss = Browser(base_url=s3_server.url, follow_redirects=False, timeout=60)
    async with boss:
        await boss.sign_up()
        slug = await boss.create_venue()
        path = f"/api/v1/venues/{slug}/images"
        headers = {"X-CSRF-Token": boss.csrf_token}
        created = await boss.post(path, files=files("a.jpg", jpeg(1000, 700)), headers=headers)
        assert created.status_code == 201, created.text
        image = created.json()
        keys = []
        for variant in image["variants"]:
            assert variant["url"].startswith(f"{CDN}/media/")
            key = variant["url"].removeprefix(f"{CDN}/")
            assert re.fullmatch(rf"media/\d+/[0-9a-f]{{64}}-{variant['width']}\.jpg", key)
            head = s3.head_object(Bucket=BUCKET, Key=key)
            assert head["ContentType"] == "image/jpeg"
            assert head["CacheControl"] == "public, max-age=31536000, immutable"
            assert head["ContentLength"] == variant["bytes"]
            keys.append(key)
        venue_id = int(keys[0].split("/")[1])
        assert all(key.startswith(f"media/{venue_id}/") for key in keys)
        # Nothing lands in the local directory, and the app does not serve /media itself.
        assert not (tmp_path / "media").exists()
        assert (await boss.get("/" + keys[0])).status_code == 404

        deleted = await boss.delete(f"{path}/{image['id']}", headers=headers)
        assert deleted.status_code == 204
        for key in keys:
            with pytest.raises(ClientError) as gone:
                s3.head_object(Bucket=BUCKET, Key=key)
            assert gone.value.response["Error"]["Code"] in ("404", "NoSuchKey")


async def test_s3_refused_uploads_write_no_object(s3_server: RunningServer, s3: Any) -> None:
    """A pixel bomb and an HTML file are refused before anything reaches the bucket."""

    def objects() -> list[str]:
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="media/")
        return [item["Key"] for item in listed.get("Contents", [])]

    before = objects()
    boss = Browser(base_url=s3_server.url, follow_redirects=False, timeout=60)
    async with boss:
        await boss.sign_up()
        slug = await boss.create_venue()
        for name in ("pixel bomb", "html renamed .png", "jpeg/html polyglot"):
            data, content_type = ATTACKS[name]
            response = await boss.post(
                f"/api/v1/venues/{slug}/images",
                files=files("x.png", data, content_type),
                headers={"X-CSRF-Token": boss.csrf_token},
            )
            assert response.status_code in (415, 422), name
    assert objects() == before


async def test_s3_get_reads_an_object_back_and_none_when_missing(moto_url: str, s3: Any) -> None:
    """S3BlobStore.get answers the bytes put, and None for a key that is not there."""
    store = await S3BlobStore.connect(
        bucket=BUCKET, region="us-east-1", endpoint_url=moto_url, base_url=CDN
    )
    key = f"media/7/{'d' * 64}-160.webp"
    try:
        await store.put(key, b"RIFF....WEBP", "image/webp")
        assert await store.get(key) == b"RIFF....WEBP"
        assert await store.get(f"media/7/{'e' * 64}-160.webp") is None
    finally:
        await store.close()
