"""Errors the client caused, as GraphQL errors with the contract's `extensions.code`."""

from __future__ import annotations

from graphql import GraphQLError


class ClientError(GraphQLError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(ClientError):
    code = "BAD_USER_INPUT"


class Unauthenticated(ClientError):
    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    code = "FORBIDDEN"
