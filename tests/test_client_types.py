"""The documented operations (`api/examples/`) as a portal's TypeScript sees them: types
generated from `api/schema.graphql` by graphql-codegen and type-checked with tsc, together with
code that uses the answers. A schema change that breaks a documented operation fails here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import GraphQLObjectType, build_schema, print_schema

from tests.support.server import ROOT

CLIENT = ROOT / "tests" / "client-types"
BIN = CLIENT / "node_modules" / ".bin"


def generate_and_check(workdir: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    assert (BIN / "graphql-codegen").exists(), "run `make install` (npm ci in tests/client-types)"
    steps = f"{BIN}/graphql-codegen --config codegen.yml && {BIN}/tsc -p tsconfig.json"
    return subprocess.run(  # noqa: S603
        ["/bin/sh", "-c", steps],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_documented_operations_type_check_against_the_schema() -> None:
    checked = generate_and_check(CLIENT)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def without_field(sdl: str, type_name: str, field_name: str) -> str:
    schema = build_schema(sdl)
    named = schema.get_type(type_name)
    assert isinstance(named, GraphQLObjectType)
    del named.fields[field_name]
    return print_schema(schema)


def test_a_schema_without_a_field_the_examples_use_fails_the_check(tmp_path: Path) -> None:
    schema = (ROOT / "api" / "schema.graphql").read_text()
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "schema.graphql").write_text(
        without_field(schema, "PublicInstitution", "careType")
    )
    shutil.copytree(ROOT / "api" / "examples", tmp_path / "api" / "examples")
    workdir = tmp_path / "tests" / "client-types"
    workdir.mkdir(parents=True)
    for name in ("codegen.yml", "tsconfig.json", "usage.ts"):
        shutil.copy(CLIENT / name, workdir / name)
    (workdir / "node_modules").symlink_to(CLIENT / "node_modules")

    checked = generate_and_check(workdir)

    assert checked.returncode != 0
    assert "careType" in checked.stdout + checked.stderr
