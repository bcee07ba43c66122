// kiBon's GraphiQL: the pinned bundles from /graphiql-assets/vendor, the example flows as
// default tabs, and (with KIBON_DEV_LOGIN) a development sign-in whose token is sent as
// `Authorization: Bearer …` unless the headers editor sets one. The examples' placeholder IDs
// (THE-INSTITUTION-ID, …) are filled in when a request is sent, from what the signed-in person
// may see, so every tab runs without editing.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kibon-graphiql-config").textContent);
  var TOKEN = "kibon.devToken";
  var EMAIL = "kibon.devEmail";

  function hasAuthorization(headers) {
    return Object.keys(headers).some(function (name) {
      return name.toLowerCase() === "authorization";
    });
  }

  // Each placeholder, and the query whose first node's id replaces it.
  var LOOKUPS = {
    "THE-INSTITUTION-ID":
      "{ found: institutions(first: 1, filter: { status: INVITED }) { edges { node { id } } }" +
      " any: institutions(first: 1) { edges { node { id } } } }",
    "THE-INVITATION-ID":
      "{ found: invitations(first: 1, filter: { status: PENDING }) { edges { node { id } } } }",
    "THE-USER-ID":
      "query ($search: String) { found: users(first: 1, filter: { search: $search })" +
      " { edges { node { id } } } }",
  };
  var TOKEN_PLACEHOLDER = "THE-TOKEN-FROM-THE-INVITATION-LINK";

  var base = GraphiQL.createFetcher({ url: config.url });

  function post(query, variables, headers) {
    return fetch(config.url, {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/json" }, headers),
      body: JSON.stringify({ query: query, variables: variables }),
    }).then(function (response) {
      return response.json();
    });
  }

  function firstId(answer) {
    var data = (answer && answer.data) || {};
    var lists = [data.found, data.any].filter(Boolean);
    for (var i = 0; i < lists.length; i++) {
      if (lists[i].edges.length) return lists[i].edges[0].node.id;
    }
    return null;
  }

  function newestInvitationToken() {
    return fetch("dev/mail")
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        var links = [].concat.apply([], body.messages.map(function (m) { return m.links; }));
        return links.length ? links[0].split("#token=")[1] : null;
      });
  }

  function placeholdersIn(text) {
    var all = Object.keys(LOOKUPS).concat(config.devLogin ? [TOKEN_PLACEHOLDER] : []);
    return all.filter(function (placeholder) { return text.indexOf(placeholder) >= 0; });
  }

  function filled(variables, headers) {
    var text = JSON.stringify(variables);
    var wanted = placeholdersIn(text).filter(function (p) { return p in LOOKUPS; });
    var lookups = wanted.map(function (placeholder) {
      return post(LOOKUPS[placeholder], { search: (variables || {}).search }, headers).then(
        function (answer) { return [placeholder, firstId(answer)]; }
      );
    });
    if (config.devLogin && text.indexOf(TOKEN_PLACEHOLDER) >= 0) {
      lookups.push(newestInvitationToken().then(function (t) { return [TOKEN_PLACEHOLDER, t]; }));
    }
    return Promise.all(lookups).then(function (found) {
      found.forEach(function (pair) {
        if (pair[1]) text = text.split(pair[0]).join(pair[1]);
      });
      return JSON.parse(text);
    });
  }

  function fetcher(params, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    var token = sessionStorage.getItem(TOKEN);
    if (token && !hasAuthorization(headers)) {
      headers.Authorization = "Bearer " + token;
    }
    var send = Object.assign({}, options, { headers: headers });
    if (!params.variables || !placeholdersIn(JSON.stringify(params.variables)).length) {
      return base(params, send);
    }
    // GraphiQL takes an async iterable as well as a promise: the request waits for the lookups.
    return (async function* () {
      var variables = await filled(params.variables, headers);
      var result = await base(Object.assign({}, params, { variables: variables }), send);
      if (result && typeof result[Symbol.asyncIterator] === "function") {
        yield* result;
      } else {
        yield result;
      }
    })();
  }

  function show(id, visible, text) {
    var element = document.getElementById(id);
    if (!element) return;
    element.hidden = !visible;
    if (text !== undefined) element.textContent = text;
  }

  function renderSignIn() {
    if (!config.devLogin) return;
    var email = sessionStorage.getItem(EMAIL);
    show("kibon-sign-in", !email);
    show("kibon-signed-in", !!email, email ? "Signed in as " + email + " (development)" : "");
    show("kibon-sign-out", !!email);
  }

  function signIn(event) {
    event.preventDefault();
    var email = event.target.elements.email.value;
    fetch("dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: email }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || response.statusText);
          sessionStorage.setItem(TOKEN, body.access_token);
          sessionStorage.setItem(EMAIL, email);
          renderSignIn();
        });
      })
      .catch(function (error) {
        show("kibon-signed-in", true, "Sign-in failed: " + error.message);
      });
  }

  if (config.devLogin) {
    document.getElementById("kibon-sign-in").addEventListener("submit", signIn);
    document.getElementById("kibon-sign-out").addEventListener("click", function () {
      sessionStorage.removeItem(TOKEN);
      sessionStorage.removeItem(EMAIL);
      renderSignIn();
    });
    renderSignIn();
  }

  // A link like /graphql?query=… opens its query in a tab of its own, before the examples.
  var url = new URLSearchParams(window.location.search);
  var props = {
    fetcher: fetcher,
    defaultTabs: config.tabs,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
  };
  if (url.get("query")) {
    props.query = url.get("query");
    props.variables = url.get("variables") || undefined;
    props.defaultTabs = [{ query: props.query, variables: props.variables }].concat(config.tabs);
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, props)
  );
})();
