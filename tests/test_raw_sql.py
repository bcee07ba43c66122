"""Hand-written statements bind what a request brings and write what the code names."""

from __future__ import annotations

from models.conditions import AllOf, Equals, OneOf
from models.raw_sql import Named, placeholders, value
from models.role import Role
from models.scope import NOT_WITHDRAWN


def test_a_named_value_or_an_enum_member_is_written_and_anything_else_bound() -> None:
    mark = placeholders("postgres")

    assert value(Role.APPLICANT, mark) == ("'APPLICANT'", [])
    assert value(Named("it's"), mark) == ("'it''s'", [])  # a quote cannot end the literal
    assert value("ACTIVE", mark) == ("$1", ["ACTIVE"])  # a plain string may be the caller's
    assert value(7, mark) == ("$2", [7])


def test_a_condition_binds_its_request_values_in_the_order_of_its_text() -> None:
    mark = placeholders("postgres")
    where = AllOf(
        (Equals("sponsor_id", 3), OneOf("role", (Role.SPONSOR_ADMIN, "x")), NOT_WITHDRAWN)
    )

    text, params = where.sql("t", mark)

    assert text == (
        '(t."sponsor_id" = $1) AND (t."role" IN (\'SPONSOR_ADMIN\', $2)) '
        "AND (t.\"status\" IN ('ACTIVE', 'INVITED'))"
    )
    assert params == [3, "x"]
    assert next(mark) == "$3"
