"""Which media type an answer is in: the GraphQL-over-HTTP media type for clients that ask for
it, `application/json` (the legacy format) for everyone else."""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
CONTENT_TYPES = {GRAPHQL_RESPONSE: f"{GRAPHQL_RESPONSE}; charset=utf-8", JSON: JSON}


def _weights(accept: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    weight = 0.0
        if media:
            weights[media.lower()] = max(weight, weights.get(media.lower(), 0.0))
    return weights


def preferred(accept: str | None) -> str:
    """`application/graphql-response+json` when the client ranks it at least as high as plain
    JSON; otherwise `application/json`, also for `*/*` and a missing Accept header, which is
    what clients written before the GraphQL-over-HTTP media type send."""
    weights = _weights(accept or "")
    modern = weights.get(GRAPHQL_RESPONSE, 0.0)
    legacy = max(weights.get(JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    return GRAPHQL_RESPONSE if modern > 0 and modern >= legacy else JSON


def content_type(media: str) -> str:
    return CONTENT_TYPES[media]
