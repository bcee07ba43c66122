"""The API: `root` lists every Query and Mutation field; `types` holds the shapes they return."""
