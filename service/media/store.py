"""Where image bytes live: one small interface, S3 or a local directory, chosen by settings.

Keys are made by the server (media/service.py): `media/<venue_id>/<sha256>-<width>.<ext>`,
content-addressed, so an object never changes once written and is cached forever
(`Cache-Control: public, max-age=31536000, immutable`). Both stores give the same URL shape:
`<CDN_BASE_URL>/media/...`, or `/media/...` served by this app when there is no CDN.

boto3 is blocking: every S3 call runs in a worker thread, never on the event loop, with
explicit connect/read timeouts and bounded retries.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import anyio.to_thread

if TYPE_CHECKING:
    from chalkboard.settings import Settings

log = logging.getLogger("chalkboard.media")
IMMUTABLE = "public, max-age=31536000, immutable"
KEY = re.compile(r"^media/[0-9]{1,19}/[0-9a-f]{64}-[0-9]{1,5}\.(jpg|png|webp|avif)$")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}
S3_CONNECT_TIMEOUT = 5
S3_READ_TIMEOUT = 30
S3_MAX_ATTEMPTS = 4
# S3's DeleteObjects takes at most 1000 keys a call.
DELETE_BATCH = 1000


def valid_key(key: str) -> bool:
    return KEY.match(key) is not None


def content_type(key: str) -> str:
    return CONTENT_TYPES[key.rsplit(".", 1)[-1]]


class BlobStore(Protocol):
    """Immutable objects by key. Writes are idempotent (same key, same bytes)."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, keys: list[str]) -> None: ...

    async def get(self, key: str) -> bytes | None: ...  # None: no such object

    def url(self, key: str) -> str: ...

    async def close(self) -> None: ...


class LocalBlobStore:
    """A directory (DATA_DIR/media by default), served by the app at /media/<key>."""

    def __init__(self, directory: Path, base_url: str = "") -> None:
        self.directory = directory
        self.base_url = base_url.rstrip("/")

    def path(self, key: str) -> Path:
        if not valid_key(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.directory / key.removeprefix("media/")

    def url(self, key: str) -> str:
        return f"{self.base_url}/{key}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await anyio.to_thread.run_sync(self._write, self.path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return  # content-addressed: already there, byte for byte
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes | None:
        path = self.path(key)

        def read() -> bytes | None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None

        return await anyio.to_thread.run_sync(read)

    async def delete(self, keys: list[str]) -> None:
        paths = [self.path(key) for key in keys]
        await anyio.to_thread.run_sync(self._unlink, paths)

    @staticmethod
    def _unlink(paths: list[Path]) -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    async def close(self) -> None:
        return None


class S3BlobStore:
    """An S3 bucket (or an S3-compatible store at `endpoint_url`), read through the CDN."""

    def __init__(self, client: Any, *, bucket: str, base_url: str) -> None:
        self.client = client
        self.bucket = bucket
        self.base_url = base_url.rstrip("/")

    @classmethod
    async def connect(
        cls, *, bucket: str, region: str, endpoint_url: str | None, base_url: str
    ) -> S3BlobStore:
        """Make the client in a thread: boto3 reads credentials (and may ask IMDS) as it does."""
        client = await anyio.to_thread.run_sync(
            functools.partial(_s3_client, region=region, endpoint_url=endpoint_url)
        )
        return cls(client, bucket=bucket, base_url=base_url)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{key}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        if not valid_key(key):
            raise ValueError(f"not a media key: {key!r}")
        await anyio.to_thread.run_sync(
            functools.partial(
                self.client.put_object,
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                CacheControl=IMMUTABLE,
            )
        )

    async def get(self, key: str) -> bytes | None:
        def read() -> bytes | None:
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.NoSuchKey:
                return None
            body: bytes = answer["Body"].read()
            return body

        return await anyio.to_thread.run_sync(read)

    async def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
            answer = await anyio.to_thread.run_sync(
                functools.partial(
                    self.client.delete_objects,
                    Bucket=self.bucket,
                    Delete={"Objects": batch, "Quiet": True},
                )
            )
            for error in answer.get("Errors", []):
                # Content-addressed and no longer referenced: left behind, harmless.
                log.warning("could not delete %s: %s", error.get("Key"), error.get("Code"))

    async def close(self) -> None:
        await anyio.to_thread.run_sync(self.client.close)


def _s3_client(*, region: str, endpoint_url: str | None) -> Any:
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    config = Config(
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        retries={"max_attempts": S3_MAX_ATTEMPTS, "mode": "standard"},
        max_pool_connections=20,
    )
    session = boto3.session.Session()
    return session.client("s3", region_name=region, endpoint_url=endpoint_url, config=config)


async def open_store(settings: Settings) -> BlobStore:
    """The store the settings name: S3 when S3_BUCKET is set, else DATA_DIR/media."""
    if settings.s3_bucket is not None:
        return await S3BlobStore.connect(
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            endpoint_url=settings.s3_endpoint_url,
            base_url=settings.cdn_base_url or "",
        )
    return LocalBlobStore(settings.data_dir / "media", settings.cdn_base_url or "")
