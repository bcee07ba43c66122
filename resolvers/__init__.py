"""Thin glue between the schema and the domain, the request context and the permission classes."""
