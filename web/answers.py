"""Refusals in the shape of a GraphQL response, so clients read every error the same way."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.responses import Response

from engine.errors import Code
from i18n import Language, Text, translate
from models import audit
from web import media


def error_body(message: str, *, code: Code | None) -> dict[str, object]:
    extensions: dict[str, object] = {"requestId": audit.request_id.get()}
    if code is not None:
        extensions["code"] = code
    return {"errors": [{"message": message, "extensions": extensions}]}


def said(message: Text | str, language: Language) -> str:
    """Ours in the reader's language; a library's own message (Strawberry's) as it is."""
    return translate(message, language) if isinstance(message, Text) else message


def refusal(
    status: int,
    message: Text | str,
    *,
    language: Language,
    code: Code | None,
    accept: str | None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        json.dumps(error_body(said(message, language), code=code)),
        status_code=status,
        headers=dict(headers or {}),
        media_type=media.content_type(media.preferred(accept)),
    )
