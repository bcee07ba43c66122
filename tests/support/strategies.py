"""Hypothesis strategies for bad input: what people, scripts and attackers send."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

from schema.types import ids

# Any code point (NUL and lone surrogates included), long strings, and ones that look almost
# right.
any_character = st.characters(codec=None, exclude_categories=())
strings = st.one_of(
    st.text(any_character, max_size=40),
    st.text(any_character, min_size=300, max_size=5000),
    st.sampled_from(["", " ", "\x00", "\ud800", "💥" * 300, "a@b", "'; DROP TABLE sponsor; --"]),
)
addresses = st.one_of(st.emails(), strings, st.builds(lambda s: f"{s}@kita.ch", strings))
dates = st.one_of(
    st.dates().map(str),
    strings,
    st.sampled_from(["2024-02-30", "0001-01-01", "9999-12-31", "31.12.2024", "2024-1-1"]),
)
node_types = st.sampled_from(["Sponsor", "Institution", "User", "Invitation", "Nope", ""])
node_ids = st.one_of(
    st.builds(ids.encode, node_types, st.integers(min_value=-(2**70), max_value=2**70)),
    strings,
    st.binary(max_size=30).map(lambda b: b.hex()),
)


def enums(*values: str) -> st.SearchStrategy[object]:
    return st.one_of(st.sampled_from(values), strings)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        strings,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(strings, inner, max_size=3),
    max_leaves=8,
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def shaped_or_junk(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the input's own shape with bad values; sometimes anything at all."""
    return st.one_of(st.fixed_dictionaries({}, optional=fields), json_values)


care_types = enums("DAYCARE_CENTER", "DAY_FAMILY", "DAY_SCHOOL", "HOLIDAY_CARE")
languages = enums("DE", "FR")
sponsor_input = shaped_or_junk(name=strings, adminEmail=addresses, language=maybe(languages))
institution_input = shaped_or_junk(
    name=strings,
    careType=care_types,
    vouchersFrom=dates,
    adminEmail=addresses,
    sponsorId=maybe(node_ids),
    language=maybe(languages),
)
correction_input = shaped_or_junk(
    name=maybe(strings), careType=maybe(care_types), vouchersFrom=maybe(dates), sponsorId=node_ids
)
pages = st.one_of(
    st.none(), st.integers(min_value=-(2**40), max_value=2**40), st.integers(-1, 101), strings
)


def any_cursor(values: list[Any]) -> str:
    """A cursor in the server's format holding anything JSON can (the server's own encoder
    only ever sees stored names and ids)."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


cursors = st.one_of(
    st.none(),
    strings,
    st.builds(any_cursor, st.lists(json_values, max_size=3)),
)
