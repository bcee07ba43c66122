// kiBon's GraphiQL: the pinned bundles from /graphiql-assets/vendor, the example flows as
// default tabs, and (with KIBON_DEV_LOGIN) a development sign-in whose token is sent as
// `Authorization: Bearer …` unless the headers editor sets one.
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

  var base = GraphiQL.createFetcher({ url: config.url });
  function fetcher(params, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    var token = sessionStorage.getItem(TOKEN);
    if (token && !hasAuthorization(headers)) {
      headers.Authorization = "Bearer " + token;
    }
    return base(params, Object.assign({}, options, { headers: headers }));
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
