"""The Content-Security-Policy of the GraphiQL page.

Scripts and styles only from the configured asset origins (`KIBON_GRAPHIQL_ASSET_ORIGINS`, today
the unpkg CDN; `'self'` once GraphiQL is served by us), inline scripts only by their hash, taken
from the page as shipped, and requests only back to this server.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(html: str) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    ]


def graphiql_policy(html: str, asset_origins: Sequence[str]) -> str:
    assets = " ".join(asset_origins) or "'self'"
    scripts = " ".join([assets, *inline_script_hashes(html)])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            # GraphiQL's editor sets style attributes at run time; they cannot be hashed.
            f"style-src {assets} 'unsafe-inline'",
            f"font-src {assets} data:",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
