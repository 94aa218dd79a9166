"""The value model: which Python value stands for which Go type.

Output bytes depend on Go's dynamic types (`1e+06` vs `1000000`, `eq` refusing float64 vs int), so
every value carries its Go type by its Python class:

| Go type                    | Python                                   |
|----------------------------|------------------------------------------|
| nil                        | None                                     |
| bool                       | bool                                     |
| string                     | str                                      |
| int                        | int (plain; never bool)                  |
| int64                      | GoInt64 (an int subclass)                |
| uint64                     | GoUint64 (an int subclass)               |
| float64                    | float                                    |
| []interface {}             | list                                     |
| []string                   | GoStringSlice (a list subclass)          |
| []int                      | GoIntSlice (a list subclass)             |
| [][]interface {}           | GoSliceOfSlices (a list subclass)        |
| []byte                     | bytes                                    |
| map[string]interface {}    | dict                                     |
| map[string]string          | GoStringMap (a dict subclass)            |
| a named map type           | GoNamedMap subclasses (e.g. chartutil.Values) |
| structs, pointers to them  | GoStruct subclasses (fields + methods)   |

Absent values (a missing map key under missingkey=zero / default) are `NO_VALUE`, which prints as
`<no value>` when printed directly and behaves as nil otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar


class GoInt64(int):
    """Go int64 (Sprig arithmetic, `int64`, `--set` integers)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"GoInt64({int(self)})"


def wrap64(n: int) -> int:
    """Two's-complement wrap to int64, the way Go integer arithmetic overflows."""
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >= 1 << 63 else n


class GoUint64(int):
    """Go uint64 (e.g. semver's Major/Minor/Patch)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"GoUint64({int(self)})"


class GoStringSlice(list[str]):
    """Go []string."""


class GoIntSlice(list[int]):
    """Go []int."""


class GoSliceOfSlices(list[list[Any]]):
    """Go [][]interface {} (what Sprig's chunk returns)."""


class GoStringMap(dict[str, str]):
    """Go map[string]string."""


class GoNamedMap(dict[str, Any]):
    """A named map type with map[string]interface {} underneath (e.g. chartutil.Values).

    `go_type` is what %T and typeOf print.
    """

    go_type: ClassVar[str] = "map[string]interface {}"

    def go_method(self, name: str) -> GoFunc | None:
        """A method of the named type (e.g. chartutil.Values.Table), bound to this value."""
        return None


class GoStruct:
    """Base for Go structs (and pointers to them) exposed to templates.

    Fields are looked up by exact (exported, capitalised) name through `go_fields`; methods through
    `go_methods`, which maps a name to a GoFunc bound to this value. `go_type` is the type name
    %T prints, e.g. `*chartutil.Capabilities`.
    """

    go_type: ClassVar[str] = "struct {}"

    def go_field(self, name: str) -> tuple[bool, Any]:
        """(True, value) when the struct has that exported field, else (False, None)."""
        return False, None

    def go_method(self, name: str) -> GoFunc | None:
        return None

    def go_string(self) -> str | None:
        """What `String()` (or `Error()`) returns when the type has one; fmt prints that."""
        return None

    def go_addressable_string(self) -> str | None:
        """What a template prints for the value when it is addressable (a field reached
        through a pointer): also `String()` of a pointer receiver, which fmt does not see on a
        copy passed to a function such as `print` or `quote`."""
        return self.go_string()

    def go_print_fields(self) -> list[tuple[str, Any]]:
        """(name, value) of every field in declaration order, for `{a b}` / `%+v` printing."""
        return []


class _NoValue:
    __slots__ = ()
    _instance: ClassVar[_NoValue | None] = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __bool__(self) -> bool:
        return False


NO_VALUE: Any = _NoValue()


class TemplateFuncError(Exception):
    """Raised by a template function for Go's non-nil `error` result or a recovered panic.

    The executor reports it as `error calling NAME: <message>`, the way text/template does.
    """


@dataclass(frozen=True)
class GoFunc:
    """A function as text/template sees it: a Python callable plus its Go signature.

    `params` are Go type names of the fixed parameters, `variadic` the element type of a trailing
    `...T` parameter (None when there is none). The executor checks and converts each argument
    against these names with Go's reflect assignability rules before calling `fn` (an int64 is
    not an int, a float64 is not an int, "interface {}" takes anything, nil only fits
    interface/slice/map/pointer types), so `fn` receives values of the declared types.
    `can_error` says the Go function returns (T, error): `fn` may then raise TemplateFuncError.
    Panics are TemplateFuncError too (text/template recovers them the same way).

    Type names used: "interface {}", "string", "bool", "int", "int64", "float64", "[]interface {}",
    "[]string", "map[string]interface {}", "map[string]string", "[]byte", plus "reflect.Value"-free
    special cases the executor knows about.
    """

    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    variadic: str | None = None
    result: str = "interface {}"
    can_error: bool = False
