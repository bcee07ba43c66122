"""The domain: one module per aggregate, with its model, its rules and its operations."""
