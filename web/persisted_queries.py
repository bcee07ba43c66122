"""Documents a request may name by hash instead of sending them: Apollo's automatic persisted
queries (a bounded store, per process, filled by the clients) and, in production, a manifest of
trusted documents (`KIBON_TRUSTED_DOCUMENTS`) that allows only its own operations.

The resolved document then takes the same path as a document sent in full: parsing,
validation, limits, execution."""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

from engine.errors import Code
from i18n import Text, _
from settings import HttpSettings

SHA256 = re.compile(r"[0-9a-f]{64}")
NOT_FOUND = "PersistedQueryNotFound"  # Apollo's link retries with the full query on this
NOT_TRUSTED = _("Only the operations of the trusted documents run here.")


class DocumentRefused(ValueError):
    def __init__(self, text: Text | str, code: Code) -> None:
        super().__init__(str(text))
        self.text = text
        self.code = code


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """Read once at start (the settings have checked its shape)."""
    manifest: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def requested_hash(extensions: object) -> str | None:
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise DocumentRefused(_("`persistedQuery` must have version 1."), Code.BAD_USER_INPUT)
    wanted = persisted.get("sha256Hash")
    if not isinstance(wanted, str) or not SHA256.fullmatch(wanted):
        raise DocumentRefused(
            _("`persistedQuery.sha256Hash` must be 64 lowercase hex digits."), Code.BAD_USER_INPUT
        )
    return wanted


class PersistedQueries:
    """`trusted` set: only its documents, nothing registered. Otherwise the automatic store,
    at most `capacity` documents, the least recently used leaving first."""

    def __init__(self, *, capacity: int, trusted: Mapping[str, str] | None = None) -> None:
        self.capacity = capacity
        self.trusted = trusted
        self.stored: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def configured(cls, settings: HttpSettings) -> PersistedQueries:
        manifest = settings.trusted_documents
        trusted = load_manifest(manifest) if manifest is not None else None
        return cls(capacity=settings.persisted_query_cache_size, trusted=trusted)

    def document(self, query: object, extensions: object) -> object:
        """The document the request stands for; raises `DocumentRefused`."""
        wanted = requested_hash(extensions)
        if isinstance(query, str) and wanted is not None and sha256_of(query) != wanted:
            raise DocumentRefused(
                _("`persistedQuery.sha256Hash` is not the SHA-256 of `query`."),
                Code.BAD_USER_INPUT,
            )
        if self.trusted is not None:
            return self._trusted(query, wanted)
        if isinstance(query, str):
            if wanted is not None:
                self._keep(wanted, query)
            return query
        if wanted is None:
            return query  # no document at all: the usual "query must be a string"
        found = self.stored.get(wanted)
        if found is None:
            raise DocumentRefused(NOT_FOUND, Code.PERSISTED_QUERY_NOT_FOUND)
        self.stored.move_to_end(wanted)
        return found

    def _trusted(self, query: object, wanted: str | None) -> str:
        assert self.trusted is not None
        key = sha256_of(query) if isinstance(query, str) else wanted
        found = self.trusted.get(key) if key is not None else None
        if found is None:
            raise DocumentRefused(NOT_TRUSTED, Code.OPERATION_NOT_TRUSTED)
        return found

    def _keep(self, key: str, query: str) -> None:
        if self.capacity <= 0:
            return
        self.stored[key] = query
        self.stored.move_to_end(key)
        while len(self.stored) > self.capacity:
            self.stored.popitem(last=False)
