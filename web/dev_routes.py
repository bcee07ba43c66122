"""Development only (KIBON_DEV_LOGIN): sign in as anyone, and read the mails the sink received."""

from __future__ import annotations

import html
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from mailer.sink import DevMailSink, ReceivedMail
from models import email
from web.identity import DevIssuer

LINK = re.compile(r"https?://\S+/invitation#token=[\w-]+")
# The page that stands in for the portal behind an invitation link. Its script and style are
# files of this origin, so it runs under a policy without 'unsafe-inline'.
INVITATION_PAGE = Path(__file__).resolve().parent / "dev_invitation"
INVITATION_PAGE_FILES = {
    "/invitation": ("invitation.html", "text/html; charset=utf-8"),
    "/dev/invitation.js": ("invitation.js", "text/javascript; charset=utf-8"),
    "/dev/invitation.css": ("invitation.css", "text/css; charset=utf-8"),
}
# Scripts, styles and requests only to this origin; no inline code, no framing, no form posts
# (the script sends the requests itself).
INVITATION_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def routes(issuer: DevIssuer, sink: DevMailSink | None) -> list[Route]:
    async def token(request: Request) -> Response:
        try:
            body = await request.json()
            address = email.clean(body["email"])
            given = str(body.get("given_name") or "")[:100]
            family = str(body.get("family_name") or "")[:100]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            message = str(error) if isinstance(error, ValueError) else "Send {email: …}."
            return JSONResponse({"error": message}, status_code=400)
        signed = issuer.sign(email=address, given_name=given, family_name=family)
        return JSONResponse({"access_token": signed, "token_type": "Bearer"})

    async def mail(request: Request) -> Response:
        mails = list(reversed(sink.mails)) if sink else []
        if "text/html" not in request.headers.get("accept", ""):
            listed = [
                {"to": m.recipients, "subject": m.subject, "links": _links(m), "text": m.text}
                for m in mails
            ]
            return JSONResponse({"messages": listed})
        items = "".join(
            f"<li><b>{html.escape(', '.join(m.recipients))}</b> {html.escape(m.subject)}<br>"
            + "".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a><br>' for u in _links(m))
            + "</li>"
            for m in mails
        )
        return HTMLResponse(f"<!doctype html><title>kiBon dev mail</title><ol>{items}</ol>")

    return [
        Route("/dev/token", token, methods=["POST"]),
        Route("/dev/mail", mail, methods=["GET"]),
        *(Route(path, _invitation_page_file, methods=["GET"]) for path in INVITATION_PAGE_FILES),
    ]


async def _invitation_page_file(request: Request) -> Response:
    name, media_type = INVITATION_PAGE_FILES[request.url.path]
    return Response(
        (INVITATION_PAGE / name).read_bytes(),
        media_type=media_type,
        headers={"Content-Security-Policy": INVITATION_PAGE_POLICY},
    )


def _links(mail: ReceivedMail) -> list[str]:
    return list(dict.fromkeys(LINK.findall(mail.text)))  # the German and French parts repeat it
