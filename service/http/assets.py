"""Static files under content-hashed URLs, cacheable forever by browsers and the CDN.

`static("css/app.css")` in a template gives `/static/3f2a9c1b0d4e/css/app.css`. A request
whose hash matches today's file is served `immutable`; an old hash (a page rendered before
a deploy) still gets today's file, but uncached.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
DIGEST_LENGTH = 12


class Assets(StaticFiles):
    def __init__(self, directory: Path, prefix: str) -> None:
        super().__init__(directory=directory)
        self.prefix = prefix
        self.digests = {
            path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[
                :DIGEST_LENGTH
            ]
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }

    def url(self, path: str) -> str:
        digest = self.digests.get(path)
        if digest is None:
            raise LookupError(f"no static file {path!r} in {self.directory}")
        return f"{self.prefix}/{digest}/{path}"

    async def get_response(self, path: str, scope: Scope) -> Response:
        digest, _, rest = path.partition(os.sep)
        response = await super().get_response(rest or digest, scope)
        if response.status_code in (200, 304):
            fresh = self.digests.get(Path(rest).as_posix()) == digest
            response.headers["cache-control"] = IMMUTABLE if fresh else "no-cache"
        return response
