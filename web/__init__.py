"""HTTP: the app and its lifespan, the GraphQL endpoint and its transport rules, token
verification, the response cache, metrics, health, development routes and GraphiQL."""
