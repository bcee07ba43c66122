"""Development only (KIBON_DEV_LOGIN): sign in as anyone, and read the mails the sink received."""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from mailer.sink import DevMailSink, ReceivedMail
from models import email
from web.identity import DevIssuer

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

    async def invitation_page(request: Request) -> Response:
        return HTMLResponse(INVITATION_PAGE)

    return [
        Route("/dev/token", token, methods=["POST"]),
        Route("/dev/mail", mail, methods=["GET"]),
        Route("/invitation", invitation_page, methods=["GET"]),
    ]


# What the portal does with an invitation link, for trying the flow without the portal: sign in
# (here: the development sign-in with any address), then call acceptInvitation with the token.
INVITATION_PAGE = """<!doctype html>
<meta charset="utf-8"><title>kiBon – Einladung (development)</title>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>Einladung annehmen (development)</h1>
<p>The portal would now send you through BE-Login. Here, sign in as any address:</p>
<form id="f"><input id="email" type="email" placeholder="you@example.ch" required size="40">
<button>Sign in and accept</button></form>
<pre id="out"></pre>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get("token");
document.getElementById("f").onsubmit = async (event) => {
  event.preventDefault();
  const email = document.getElementById("email").value;
  const signIn = await fetch("/dev/token", {method: "POST",
    headers: {"content-type": "application/json"}, body: JSON.stringify({email})});
  const {access_token} = await signIn.json();
  const answer = await fetch("/graphql", {method: "POST", headers: {
    "content-type": "application/json", "authorization": "Bearer " + access_token},
    body: JSON.stringify({query: `mutation ($token: String!) { acceptInvitation(token: $token) {
      __typename ... on AcceptInvitationSuccess { next user { email role status } }
      ... on InvitationEmailMismatch { invitedEmailHint } ... on Error { message } } }`,
      variables: {token}})});
  document.getElementById("out").textContent = JSON.stringify(await answer.json(), null, 2);
};
</script>"""


def _links(mail: ReceivedMail) -> list[str]:
    return list(dict.fromkeys(LINK.findall(mail.text)))  # the German and French parts repeat it
