"""The API, fuzzed from its own OpenAPI document: no 5xx, and every answer as documented."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests import test_menu_api
from tests.test_menu_api import Venue, make_menu

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token
EXAMPLES_PER_OPERATION = 8
CONFIG = schemathesis.Config.from_dict(
    {
        # JSON Schema from pydantic cannot say everything the models check (decimal places,
        # integer keys of `prices`), so some schema-valid bodies are rightly a 422.
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)


def fuzz(
    document: dict[str, Any], base_url: str, token: str, path_parameters: dict[str, Any]
) -> None:
    """Valid and invalid requests to every operation; DELETEs last, so the rest find data."""
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda operation: operation.method.upper() == "DELETE",
    )
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=EXAMPLES_PER_OPERATION,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(mode, path_parameters=path_parameters))
                def call(case: schemathesis.Case) -> None:
                    case.call_and_validate(base_url=base_url, session=session)

                call()


@pytest.mark.slow
async def test_the_api_answers_fuzzed_requests_as_its_document_says(venue: Venue) -> None:
    """Generated requests (valid and not) to every operation get documented answers, no 5xx."""
    menu = await make_menu(venue.api)
    base_url = str(venue.owner.base_url).rstrip("/")
    async with httpx.AsyncClient(base_url=base_url) as client:
        document = (await client.get("/api/v1/openapi.json")).json()
    token = venue.api.headers["Authorization"].removeprefix("Bearer ")
    ids = {
        "slug": venue.slug,
        "menu_id": menu.id,
        "section_id": menu.section_id,
        "entry_id": menu.entry_id,
        "beverage_id": menu.beverage_ids[1],
        "size_id": menu.size_id,
    }
    # The server runs on this event loop: the (blocking) fuzzer runs in a thread beside it.
    await asyncio.to_thread(fuzz, document, base_url, token, ids)
