"""Development only (KIBON_DEV_LOGIN): sign in as anyone, and read the mails the sink received."""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from mailer.sink import DevMailSink, ReceivedMail
from models import email
from resolvers.identity import DevIssuer

LINK = re.compile(r"https?://\S+/invitation#token=[\w-]+")


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
    ]


def _links(mail: ReceivedMail) -> list[str]:
    return LINK.findall(mail.text)
