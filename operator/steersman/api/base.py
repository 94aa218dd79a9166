"""Shared pieces of the HelmRelease models: the camelCase base model and pattern-checked strings.

Every pattern is written once and used twice: pydantic checks it (with a message a user can act
on) and the CRD carries it (so the apiserver rejects the same values with a 422). Patterns stay in
the regex subset that Python `re`, Go RE2 (the apiserver) and ECMA-262 agree on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema


class ApiModel(BaseModel):
    """Base of every model: Python names in snake_case, Kubernetes names in camelCase."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        frozen=True,
    )

    def to_k8s(self) -> dict[str, Any]:
        """The JSON form the apiserver stores: camelCase keys, no null fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class Pattern:
    """`Annotated[str, Pattern(...)]`: a full-match regex that pydantic checks with a readable
    error and that the JSON schema (hence the CRD) carries as `pattern`.

    `expectation` completes the sentence "must be ..." in the validation error.
    """

    regex: str
    expectation: str
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.regex))

    def check(self, value: str) -> str:
        if self._compiled.fullmatch(value) is None:
            raise ValueError(f"{value!r} is not valid: must be {self.expectation}")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        result["pattern"] = self.regex
        return result


# A DNS-1123 label: namespaces, release names and service accounts follow it.
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# A DNS-1123 subdomain: names of ConfigMaps, Secrets and HelmReleases.
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

NamespaceName = Annotated[
    str,
    Field(min_length=1, max_length=63),
    Pattern(DNS_LABEL, "a DNS-1123 label (lowercase letters, digits and '-')"),
]
ObjectName = Annotated[
    str,
    Field(min_length=1, max_length=253),
    Pattern(DNS_SUBDOMAIN, "a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')"),
]
