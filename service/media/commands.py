"""`chalkboard media alternates`: AVIF/WebP for images stored before they existed."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalkboard.settings import Settings

BATCH = 100


async def cmd_alternates(settings: Settings, args: argparse.Namespace) -> None:
    # Imported here: Pillow and the store are not loaded for every other `chalkboard` verb.
    from chalkboard.db.pool import connect
    from chalkboard.media import images, queries
    from chalkboard.media.service import Media
    from chalkboard.media.store import open_store

    media = Media.create(settings, await open_store(settings))
    done = added = 0
    try:
        async with connect(settings) as conn:
            while args.limit is None or done < args.limit:
                batch = BATCH if args.limit is None else min(BATCH, args.limit - done)
                found = await queries.images_without_alternates(
                    conn, max_width=images.MODERN_MAX_WIDTH, limit=batch
                )
                if not found:
                    break
                for venue_id, image in found:
                    # One image per transaction: the quota's bytes and the variants move together.
                    async with conn.transaction():
                        more = await media.add_alternates(conn, venue_id=venue_id, image=image)
                    done += 1
                    added += more or 0
    finally:
        await media.close()
    print(f"{done} image(s) given AVIF/WebP alternates, {added / 2**20:.1f} MiB added")


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `media alternates` to the `chalkboard` command."""
    media = verbs.add_parser("media", help="manage stored images", description="Stored images.")
    media_verbs = media.add_subparsers(dest="media_verb", required=True, metavar="VERB")
    alternates = media_verbs.add_parser(
        "alternates",
        help="add AVIF/WebP alternates to images stored before they existed",
        description="Give every image stored before AVIF/WebP alternates existed its "
        "alternates, at the widths embeds and the phone page draw (docs/media.md). Safe to "
        "run again and while the app serves: each image is one transaction.",
    )
    alternates.add_argument("--limit", type=int, default=None, help="at most this many images")
    alternates.set_defaults(run=cmd_alternates)
