// What the portal does with an invitation link: sign in (here: the development sign-in), then
// call acceptInvitation with the token from the link's fragment (never sent to a server).
"use strict";

const ACCEPT = `mutation Accept($token: String!) {
  acceptInvitation(token: $token) {
    __typename
    ... on AcceptInvitationSuccess { next user { email role status } }
    ... on InvitationEmailMismatch { invitedEmailHint }
    ... on Error { message }
  }
}`;

async function signIn(email) {
  const answer = await fetch("/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  return (await answer.json()).access_token;
}

async function accept(accessToken, token) {
  const answer = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: ACCEPT, variables: { token } }),
  });
  return answer.json();
}

function show(result) {
  const accepted = result.data && result.data.acceptInvitation;
  document.getElementById("outcome").textContent = accepted
    ? accepted.__typename
    : "The service refused the request.";
  document.getElementById("answer").textContent = JSON.stringify(result, null, 2);
}

document.addEventListener("DOMContentLoaded", () => {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  document.getElementById("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    const accessToken = await signIn(document.getElementById("email").value);
    show(await accept(accessToken, token || ""));
  });
});
