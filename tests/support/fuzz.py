"""Schemathesis against the live GraphQL endpoint, as one caller: every query and mutation the
schema lists, positive and negative cases, a bounded and derandomized number of each. Nothing is
raised mid-run (no shrinking, so the time stays bounded); every problem is collected instead."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation

EXAMPLES_PER_OPERATION = 12
REQUEST_TIMEOUT_SECONDS = 10.0
# Arguments that name a row: half of the generated values are replaced by real IDs (home and
# foreign), so the scope rules are asked about rows that exist, not only about junk.
ID_ARGUMENTS = (
    "*.*.id",
    "*.*.input.sponsorId",
    "*.*.input.institutionId",
    "*.*.filter.sponsorId",
    "*.*.filter.institutionId",
    "*.*.filter.actorId",
    "*.*.filter.subjectId",
)
# Both media types: the legacy one answers everything with 200, the specification's one refuses
# what never reached execution with 400; the negative cases are mostly that.
ACCEPT = {
    GenerationMode.POSITIVE: "application/json",
    GenerationMode.NEGATIVE: "application/graphql-response+json",
}
BOUNDED = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Report:
    caller: str
    operations: list[str] = field(default_factory=list)
    examples: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    refusals: int = 0  # answers with GraphQL errors, each of which must carry a code
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.caller}: {len(self.operations)} operations, {self.examples} examples, "
            f"{self.refusals} with errors, {len(self.problems)} problems; "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


def config_with_ids(ids: list[str]) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "dictionaries": {"rows": {"values": ids}},
            "parameters": {key: {"dictionary": "rows", "probability": 0.5} for key in ID_ARGUMENTS},
        }
    )


def run(
    endpoint: str, *, caller: str, token: str | None, ids: list[str], secrets: tuple[str, ...]
) -> Report:
    """Blocking: call it in a thread while the server runs on the event loop."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    schema = schemathesis.graphql.from_url(
        endpoint, config=config_with_ids(ids), headers=headers, timeout=REQUEST_TIMEOUT_SECONDS
    )
    report = Report(caller)
    with requests.Session() as session:
        session.headers.update(headers)
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                raise result.err()
            operation = result.ok()
            report.operations.append(operation.label)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _exercise(operation, mode, session, report, secrets)
    return report


def _exercise(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    session: requests.Session,
    report: Report,
    secrets: tuple[str, ...],
) -> None:
    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def example(case: Any) -> None:
        headers = {"Accept": ACCEPT[mode]}
        response = case.call(session=session, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
        report.examples += 1
        report.statuses[response.status_code] += 1
        report.refusals += _has_errors(response)
        report.problems.extend(problems(case, response, secrets))

    example()


def _has_errors(response: Any) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("errors"))


def problems(case: Any, response: Any, secrets: tuple[str, ...]) -> list[str]:
    """A 5xx, an answer that breaks the schema, an error without a code (the contract calls that
    a server fault), or another scope's data in the body."""
    where = f"{case.operation.label} {case.body!r} -> {response.status_code}"
    if response.status_code >= 500:
        return [f"{where}: server error {response.text[:300]}"]
    found: list[str] = []
    try:
        case.operation.schema.validate_response(case.operation, response, case=case)
    except Failure as failure:
        found.append(f"{where}: {failure.title}: {failure.message[:300]}")
    try:
        body = response.json()
    except ValueError:
        return [*found, f"{where}: not JSON: {response.text[:300]}"]
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    for error in errors:
        if not (error.get("extensions") or {}).get("code"):
            found.append(f"{where}: error without a code: {error}")
    lowered = response.text.lower()
    found += [f"{where}: reveals {secret!r}" for secret in secrets if secret in lowered]
    return found
