"""Thin glue from a root field to one domain operation, and the permission classes. No HTTP."""
