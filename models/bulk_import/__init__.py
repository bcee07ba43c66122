"""Bulk onboarding: sponsors and institutions from a spreadsheet export, one row each.

`sheet` reads the file; `importer` registers every row through `models.registration`, the
same operations (rules, invitation mails, audit) as the GraphQL mutations.
"""
