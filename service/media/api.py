"""Images in the JSON API: /api/v1/venues/{slug}/images, and a beverage's image.

Uploads are `multipart/form-data` with one `file` field, from an integration (Bearer token)
or from the editor's own page (session + X-CSRF-Token: web/static/js/media.js). The size
cap is counted while the body streams in, whatever Content-Length says (chunked too), and
the file is spooled to disk past 1 MiB by the multipart parser: memory stays bounded.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from chalkboard.http import bodies
from chalkboard.http.routing import Context
from chalkboard.media import pictures, queries
from chalkboard.media.images import Rejected
from chalkboard.media.queries import Image
from chalkboard.media.service import Media, Upload
from chalkboard.menus import api as menu_api
from chalkboard.menus import openapi, operations
from chalkboard.menus.api import MAX_ID, ApiRoute, Json
from chalkboard.menus.forms import Strict
from chalkboard.menus.openapi import Answer

# The edge's cap for the upload route: the largest MEDIA_MAX_UPLOAD_BYTES allowed, plus the
# multipart framing. The configured cap is applied inside, while the body streams.
MULTIPART_SLACK = 64 * 1024
UPLOAD_CEILING = 100 * 1024 * 1024 + MULTIPART_SLACK
IMAGES_LISTED = 200


# --- what the API answers ------------------------------------------------------------------


class ImageAlternate(Answer):
    """The same variant in a modern format (AVIF, WebP), stored only where it is smaller."""

    content_type: str
    bytes: int
    url: str


class ImageVariant(Answer):
    width: int
    height: int
    bytes: int
    url: str
    content_type: str
    alternates: list[ImageAlternate]


class ImageOut(Answer):
    """An image in the venue's media library."""

    id: int
    name: str = Field(description="The file's name as uploaded (for people only).")
    format: str = Field(description="What the upload decoded as: jpeg, png, webp or gif.")
    width: int
    height: int
    upload_bytes: int
    stored_bytes: int = Field(description="All its variants: what counts against the quota.")
    url: str = Field(description="About 480 px wide.")
    srcset: str
    variants: list[ImageVariant]
    created_at: str


class ImageList(Answer):
    images: list[ImageOut]
    stored_bytes: int = Field(description="The venue's images, together.")
    quota_bytes: int


class ImageChoice(Strict):
    image_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        description="An image of the venue's media library, or null for none."
    )


def image_json(image: Image) -> dict[str, Any]:
    picture = pictures.picture(image.variants)
    assert picture is not None
    return {
        "id": image.id,
        "name": image.name,
        "format": image.format,
        "width": image.width,
        "height": image.height,
        "upload_bytes": image.upload_bytes,
        "stored_bytes": image.stored_bytes,
        "url": picture["url"],
        "srcset": picture["srcset"],
        "variants": [
            {k: v[k] for k in ("width", "height", "bytes", "url", "content_type")}
            | {
                "alternates": [
                    {k: a[k] for k in ("content_type", "bytes", "url")}
                    for a in v.get("alternates", ())
                ]
            }
            for v in image.variants
        ],
        "created_at": image.created_at.isoformat(),
    }


# --- reading requests ----------------------------------------------------------------------


def media_of(ctx: Context) -> Media:
    media: Media = ctx.services.media
    return media


async def read_upload(request: Request, media: Media) -> tuple[UploadFile, Any]:
    """The uploaded file (and the form, to close): 413 at the configured cap, 400 otherwise."""
    limit = media.settings.media_max_upload_bytes + MULTIPART_SLACK
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(
            400, "Send the image as multipart/form-data with a `file` field (curl -F file=@a.png)."
        )
    body = Request(request.scope, bodies.limited(request.receive, request.scope, limit))
    try:
        form = await body.form(max_files=1, max_fields=4, max_part_size=64 * 1024)
    except HTTPException as exc:
        if exc.status_code == 413:
            raise HTTPException(413, media.too_large()) from None
        raise
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        await form.close()
        raise HTTPException(400, "Send the image in a `file` field of a multipart/form-data body.")
    return upload, form


async def image_or_404(ctx: Context, image_id: int | None) -> Image:
    """The venue's image `image_id`; another venue's, or a made-up id (None: not a number at
    all), is a 404."""
    image = (
        await queries.get_image(ctx.conn, venue_id=ctx.venue.id, image_id=image_id)
        if image_id is not None and image_id <= MAX_ID
        else None
    )
    if image is None:
        raise operations.NotFound("No such image in this venue's media library.")
    return image


async def image_in_path(request: Request, ctx: Context) -> Image:
    return await image_or_404(ctx, request.path_params["image_id"])


def refused(exc: Rejected) -> HTTPException:
    return HTTPException(exc.status, exc.message)


# --- endpoints -------------------------------------------------------------------------------


async def list_images(request: Request, ctx: Context) -> Response:
    """The venue's media library, newest first, with its storage use and quota."""
    found = await queries.list_images(ctx.conn, venue_id=ctx.venue.id, limit=IMAGES_LISTED)
    return Json(
        {
            "images": [image_json(image) for image in found],
            "stored_bytes": await queries.stored_bytes(ctx.conn, venue_id=ctx.venue.id),
            "quota_bytes": media_of(ctx).settings.media_quota_bytes,
        }
    )


async def receive_upload(request: Request, ctx: Context) -> Upload:
    """The upload, read and re-encoded before the endpoint's transaction: a phone on a bar's
    Wi-Fi may take a minute to send it, and no database connection waits for that."""
    media = media_of(ctx)
    upload, form = await read_upload(request, media)
    try:
        return await media.process(upload)
    except Rejected as exc:
        raise refused(exc) from None
    finally:
        await form.close()


async def upload_image(request: Request, ctx: Context) -> Response:
    """Upload an image (multipart `file`): validated, re-encoded into widths, stored."""
    try:
        image = await media_of(ctx).save(ctx.conn, venue_id=ctx.venue.id, upload=ctx.prepared)
    except Rejected as exc:
        raise refused(exc) from None
    location = f"/api/v1/venues/{ctx.venue.slug}/images/{image.id}"
    return Json(image_json(image), 201, {"Location": location})


async def get_image(request: Request, ctx: Context) -> Response:
    """One image of the media library."""
    return Json(image_json(await image_in_path(request, ctx)))


async def delete_image(request: Request, ctx: Context) -> Response:
    """Delete an image that is used nowhere (409 says where it is used)."""
    image = await image_in_path(request, ctx)
    try:
        ctx.after_commit(await media_of(ctx).delete(ctx.conn, venue_id=ctx.venue.id, image=image))
    except Rejected as exc:
        raise refused(exc) from None
    return Response(status_code=204)


async def set_beverage_image(request: Request, ctx: Context) -> Response:
    """Set or clear a beverage's image; menus listing it get a new version (TVs update)."""
    beverage = await menu_api.beverage_in_path(request, ctx)
    choice = await menu_api.read_body(request, ImageChoice)
    if choice.image_id is not None:
        await image_or_404(ctx, choice.image_id)
    changed = await operations.set_beverage_image(
        ctx.conn,
        venue_id=ctx.venue.id,
        beverage_id=beverage.id,
        image_id=choice.image_id,
        actor=menu_api.actor_of(ctx),
    )
    return Json(changed, 200, {"ETag": f'"{changed.version}"'})


IMAGES = "/images"
IMAGE = "/images/{image_id:int}"

routes: list[ApiRoute] = [
    ApiRoute("GET", IMAGES, list_images, answer=ImageList),
    ApiRoute(
        "POST",
        IMAGES,
        upload_image,
        answer=ImageOut,
        status=201,
        upload=True,
        max_body=UPLOAD_CEILING,
        prepare=receive_upload,
    ),
    ApiRoute("GET", IMAGE, get_image, answer=ImageOut),
    ApiRoute("DELETE", IMAGE, delete_image, answer=None, status=204, conflict=True),
    ApiRoute(
        "PUT",
        "/beverages/{beverage_id:int}/image",
        set_beverage_image,
        answer=openapi.Beverage,
        body=ImageChoice,
        example={"image_id": 12},
    ),
]
