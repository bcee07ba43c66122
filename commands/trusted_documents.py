"""`trusted-documents --output FILE [SOURCE …]`: the manifest for `KIBON_TRUSTED_DOCUMENTS`.

Every operation of `api/examples/`, each as a document of its own, printed the way graphql-js
and graphql-core print it; then each SOURCE: a `.graphql`/`.gql` file or a folder of them
(operations printed likewise), or a frontend's own JSON manifest of hash → document (taken as
it is, since that is the text its build sends). Every document must be valid against the
schema, so production never trusts an operation that cannot run.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    parse,
    print_ast,
    validate,
)

from schema.root import schema
from web.graphiql import examples
from web.persisted_queries import sha256_of

GRAPHQL_SUFFIXES = (".graphql", ".gql")


class ManifestRefused(ValueError):
    pass


def operations_of(document: DocumentNode) -> Iterator[str]:
    """Each operation with every fragment of its file (unused ones would not validate, so an
    operation that needs none gets none)."""
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            continue
        printed = print_ast(definition)
        used = [f for f in fragments if re.search(rf"\.\.\.{f.name.value}\b", printed)]
        yield print_ast(DocumentNode(definitions=(definition, *used)))


def from_source(path: Path) -> dict[str, str]:
    if path.is_dir():
        files: Iterable[Path] = sorted(p for p in path.rglob("*") if p.suffix in GRAPHQL_SUFFIXES)
        return {k: v for file in files for k, v in from_source(file).items()}
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        given = json.loads(text)
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise ManifestRefused(f"{path}: not a JSON object of hash → document")
        for key, document in given.items():
            if sha256_of(document) != key:
                raise ManifestRefused(f"{path}: {key} is not the SHA-256 of its document")
        return dict(given)
    return {sha256_of(op): op for op in operations_of(parse(text))}


def manifest(sources: Iterable[Path]) -> dict[str, str]:
    documents: dict[str, str] = {}
    for example in examples.load():
        documents.update({sha256_of(op): op for op in operations_of(example.document)})
    for source in sources:
        documents.update(from_source(source))
    for key, document in documents.items():
        problems = validate(schema._schema, parse(document))
        if problems:
            raise ManifestRefused(f"{key[:12]}…: {problems[0].message}")
    return dict(sorted(documents.items()))


def run(output: Path, sources: list[Path]) -> int:
    try:
        documents = manifest(sources)
    except (OSError, ValueError, GraphQLError) as refused:
        print(f"trusted-documents: {refused}", file=sys.stderr)
        return 2
    output.write_text(json.dumps(documents, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"{output}: {len(documents)} trusted documents")
    return 0
