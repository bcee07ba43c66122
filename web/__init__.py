"""HTTP transport rules around the GraphQL endpoint: what a request may look like, how long it
may take, how answers are shaped, and which headers every answer carries."""
