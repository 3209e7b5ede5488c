"""Taking an upload in, and letting an image go: the steps between the request and the store.

An upload is read, validated and re-encoded in a worker thread, at most MEDIA_WORKERS at a
time (an asyncio semaphore: a burst of uploads waits its turn instead of decoding twenty
images at once). The threads are the media's own few, always the same ones: each thread
gets its own malloc arena, so spreading decodes over a large shared pool would keep the
peak of every one of them resident. Only then, with the venue's storage locked for the
quota check, are the variants written to the store and the row inserted — so a refused
upload stores nothing.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile

from chalkboard.db import Conn
from chalkboard.media import images, queries
from chalkboard.media.images import Processed, Rejected
from chalkboard.media.queries import Image
from chalkboard.media.store import BlobStore
from chalkboard.settings import Settings
from chalkboard.text import CONTROL

READ_CHUNK = 256 * 1024

log = logging.getLogger("chalkboard.media")


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


@dataclass(frozen=True)
class Upload:
    """An upload, read and re-encoded, not stored yet."""

    name: str  # the file's name as uploaded, without any path
    size: int
    sha256: str  # of the bytes uploaded
    processed: Processed


@dataclass
class Media:
    """The running app's image machinery: its store, limits and the processing bound."""

    settings: Settings
    store: BlobStore
    slots: asyncio.Semaphore
    workers: ThreadPoolExecutor

    @classmethod
    def create(cls, settings: Settings, store: BlobStore) -> Media:
        images.configure_pillow(settings.media_max_pixels)
        workers = ThreadPoolExecutor(settings.media_workers, thread_name_prefix="media")
        return cls(settings, store, asyncio.Semaphore(settings.media_workers), workers)

    async def close(self) -> None:
        self.workers.shutdown(wait=False, cancel_futures=True)
        await self.store.close()

    def too_large(self) -> str:
        return (
            f"This file is too large: images can be up to "
            f"{_mib(self.settings.media_max_upload_bytes)}."
        )

    async def _read(self, upload: UploadFile) -> bytes:
        limit = self.settings.media_max_upload_bytes
        chunks: list[bytes] = []
        size = 0
        while chunk := await upload.read(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise Rejected(413, self.too_large())
            chunks.append(chunk)
        return b"".join(chunks)

    async def process(self, upload: UploadFile) -> Upload:
        """Read and re-encode, within the concurrency bound; raises Rejected. Slow, and holds
        no database connection (the upload route's `prepare`)."""
        name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        if CONTROL.search(name):
            raise Rejected(
                422,
                "The name of the file in the `file` field contains control characters (such as "
                "NUL): rename the file and upload it again.",
            )
        async with self.slots:
            data = await self._read(upload)
            work = functools.partial(
                images.process, data, max_pixels=self.settings.media_max_pixels
            )
            # Shielded: a client that goes away must not free the slot while its thread runs.
            processed = await asyncio.shield(
                asyncio.get_running_loop().run_in_executor(self.workers, work)
            )
        return Upload(name, len(data), hashlib.sha256(data).hexdigest(), processed)

    async def save(self, conn: Conn, *, venue_id: int, upload: Upload) -> Image:
        """The new image (or the same file uploaded before); raises Rejected, storing nothing."""
        digest, processed = upload.sha256, upload.processed
        await queries.lock_storage(conn, venue_id=venue_id)
        existing = await queries.image_by_hash(conn, venue_id=venue_id, sha256=digest)
        if existing is not None:
            return existing
        used = await queries.stored_bytes(conn, venue_id=venue_id)
        quota = self.settings.media_quota_bytes
        if used + processed.stored_bytes > quota:
            raise Rejected(
                409,
                f"This venue's image storage is full ({_mib(used)} of {_mib(quota)} used; this "
                f"image needs {_mib(processed.stored_bytes)}). Delete images you no longer use "
                "in the media library, then try again.",
            )
        variants: list[dict[str, Any]] = []
        writes: list[tuple[str, bytes, str]] = []  # key, bytes, content type
        for variant in processed.variants:
            stem = f"media/{venue_id}/{{digest}}-{variant.width}.{{extension}}"
            key = stem.format(digest=variant.digest, extension=variant.extension)
            alternates = []
            for alternate in variant.alternates:
                alt_key = stem.format(digest=alternate.digest, extension=alternate.extension)
                alternates.append(
                    {
                        "content_type": alternate.content_type,
                        "bytes": len(alternate.data),
                        "key": alt_key,
                        "url": self.store.url(alt_key),
                    }
                )
                writes.append((alt_key, alternate.data, alternate.content_type))
            variants.append(
                {
                    "width": variant.width,
                    "height": variant.height,
                    "bytes": len(variant.data),
                    "key": key,
                    "url": self.store.url(key),
                    "content_type": variant.content_type,
                    "alternates": alternates,
                }
            )
            writes.append((key, variant.data, variant.content_type))
        keys = [key for key, _, _ in writes]
        shared = await queries.keys_in_use(conn, venue_id=venue_id, image_id=0, keys=keys)
        try:
            await asyncio.gather(*(self.store.put(*write) for write in writes))
            return await queries.create_image(
                conn,
                venue_id=venue_id,
                sha256=digest,
                name=upload.name,
                format=processed.format,
                width=processed.width,
                height=processed.height,
                upload_bytes=upload.size,
                stored_bytes=processed.stored_bytes,
                variants=variants,
            )
        except BaseException:
            # No row will name the files just written: take them back.
            await self.store.delete([key for key in keys if key not in shared])
            raise

    async def add_alternates(self, conn: Conn, *, venue_id: int, image: Image) -> int | None:
        """Give an image stored before AVIF/WebP its alternates (the widths pages draw):
        the bytes added, or None when the image was deleted meanwhile."""
        variants: list[dict[str, Any]] = []
        added = 0
        for v in image.variants:
            if v["width"] > images.MODERN_MAX_WIDTH or "alternates" in v:
                variants.append(v)
                continue
            data = await self.store.get(v["key"])
            found: tuple[images.Encoded, ...] = ()
            if data is None:  # marked done all the same, or the job would ask forever
                log.warning("image %s: %s is missing from the store", image.id, v["key"])
            else:
                async with self.slots:
                    work = functools.partial(images.alternates_for, data, v["content_type"])
                    found = await asyncio.get_running_loop().run_in_executor(self.workers, work)
            alternates = []
            for alternate in found:
                key = f"media/{venue_id}/{alternate.digest}-{v['width']}.{alternate.extension}"
                await self.store.put(key, alternate.data, alternate.content_type)
                alternates.append(
                    {
                        "content_type": alternate.content_type,
                        "bytes": len(alternate.data),
                        "key": key,
                        "url": self.store.url(key),
                    }
                )
                added += len(alternate.data)
            variants.append({**v, "alternates": alternates})
        saved = await queries.set_variants(
            conn,
            venue_id=venue_id,
            image_id=image.id,
            variants=variants,
            stored_bytes=image.stored_bytes + added,
        )
        return added if saved else None

    async def delete(
        self, conn: Conn, *, venue_id: int, image: Image
    ) -> Callable[[], Awaitable[None]]:
        """Delete an image's row if it is used nowhere; raises Rejected (409) saying where it
        is used. Its files go by the returned work, to run once the deletion has committed:
        a rollback must not leave a row whose files are gone."""
        used = await queries.usage(conn, venue_id=venue_id, image=image)
        if used:
            raise Rejected(
                409,
                f"This image is in use: {used.describe()}. Choose another image there (or "
                "none) first, then delete it.",
            )
        shared = await queries.keys_in_use(
            conn, venue_id=venue_id, image_id=image.id, keys=image.keys
        )
        await queries.delete_image(conn, venue_id=venue_id, image_id=image.id)
        return functools.partial(self.store.delete, [k for k in image.keys if k not in shared])
