"""The schema as a committed artefact: up to date, compatible with the release, consistent."""

from __future__ import annotations

from graphql import build_schema

from tests.support import schema_checks as checks


def test_the_committed_schema_is_the_schema_of_the_code() -> None:
    committed = checks.COMMITTED.read_text(encoding="utf-8")

    current = checks.code_sdl()

    assert committed == current, (
        "api/schema.graphql differs from the code's schema; regenerate it with "
        f"`{checks.REGENERATE}` (or `make schema`) and commit it"
    )


def test_the_schema_keeps_every_promise_of_the_last_release() -> None:
    released = checks.RELEASED.read_text(encoding="utf-8")

    changes = checks.breaking_changes(released, checks.graphql_schema())

    unacknowledged = [change for change in changes if change not in checks.acknowledged()]
    assert not unacknowledged, (
        "breaking changes against api/schema.released.graphql; fix them, or acknowledge each by "
        "adding its line to api/breaking-acknowledged.txt:\n" + "\n".join(unacknowledged)
    )


def test_a_removed_field_counts_as_a_breaking_change() -> None:
    released = "type Query { sponsors: Int, me: Int }"

    changes = checks.breaking_changes(released, build_schema("type Query { me: Int }"))

    assert changes == ["FIELD_REMOVED: Field Query.sponsors was removed."]


def test_acknowledged_breaking_changes_are_still_breaking_changes() -> None:
    released = checks.RELEASED.read_text(encoding="utf-8")

    changes = set(checks.breaking_changes(released, checks.graphql_schema()))

    stale = checks.acknowledged() - changes
    assert not stale, f"remove from api/breaking-acknowledged.txt: {sorted(stale)}"


def test_every_mutation_returns_its_result_union_and_takes_its_input() -> None:
    problems = checks.mutation_problems(checks.graphql_schema())

    assert problems == []


def test_every_error_type_implements_error_with_a_message() -> None:
    problems = checks.error_type_problems(checks.graphql_schema())

    assert problems == []


def test_inputs_are_named_after_what_they_do() -> None:
    problems = checks.input_name_problems(checks.graphql_schema())

    assert problems == []


def test_every_type_field_argument_and_enum_value_is_described_for_clients() -> None:
    problems = checks.description_problems(checks.graphql_schema())

    assert problems == []


def test_the_description_check_catches_what_is_missing_or_internal() -> None:
    bad = build_schema(
        """
        "A thing."
        type Query {
          "See resolvers/thing.py."
          thing(id: ID): Kind
        }
        "A kind."
        enum Kind { A }
        """
    )

    problems = checks.description_problems(bad)

    assert problems == [
        "Query.thing names something clients cannot see: 'See resolvers/thing.py.'",
        "Query.thing(id:) has no description",
        "Kind.A has no description",
    ]


def test_the_lint_catches_a_mutation_that_breaks_the_conventions() -> None:
    bad = build_schema(
        """
        interface Error { message: String! }
        type Oops { text: String }
        type DoThingSuccess { ok: Boolean }
        union DoThingResult = DoThingSuccess | Oops
        input ThingData { x: Int }
        type Query { me: Int }
        type Mutation { doThing(input: ThingData): DoThingResult, other: Int }
        """
    )

    problems = checks.mutation_problems(bad) + checks.input_name_problems(bad)

    assert problems == [
        "Mutation.doThing: Oops is neither DoThingSuccess nor an Error",
        "Mutation.doThing(input:) takes ThingData, not DoThingInput",
        "Mutation.other returns Int, not the union OtherResult",
        "input ThingData is named neither <Verb><Noun>Input nor <Noun>Filter",
    ]
