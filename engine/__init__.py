"""How a GraphQL request runs: the context and its loaders, the executor, the error policy and
the codes, limits and request errors, operation metrics."""
