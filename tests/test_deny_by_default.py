"""Every root field is gated by a permission class, unless it is listed as public."""

from __future__ import annotations

from strawberry.permission import PermissionExtension

from schema.root import PUBLIC_FIELDS, schema


def root_fields() -> dict[str, bool]:
    """`Query.me` (as clients spell it) → whether it has a permission class."""
    gated = {}
    graphql_schema = schema._schema
    for root in (graphql_schema.query_type, graphql_schema.mutation_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            definition = field.extensions["strawberry-definition"]
            has_permission = any(isinstance(e, PermissionExtension) for e in definition.extensions)
            gated[f"{root.name}.{name}"] = has_permission
    return gated


def test_every_root_field_has_a_permission_class_or_is_listed_as_public() -> None:
    fields = root_fields()

    ungated = sorted(name for name, has in fields.items() if not has and name not in PUBLIC_FIELDS)

    assert ungated == []
    assert "Query.node" in fields  # the walk found the schema's fields


def test_the_public_list_names_only_fields_that_exist_and_are_ungated() -> None:
    fields = root_fields()

    assert all(name in fields and not fields[name] for name in PUBLIC_FIELDS)
