"""Sprig v3.3.0 template functions, as Helm configures them, on the gotemplate value model.

`sprig_funcs()` returns Sprig's text/template FuncMap minus `env` and `expandenv` (Helm deletes
them). Helm's own additions and overrides (toYaml, toJson, fromJson, include, tpl, required,
lookup, ...) are layered on top by the Helm engine, not here; `getHostByName` already behaves
like Helm's (always "").
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import datetime

from steersman.golang.types import GoFunc

from ._env import SprigEnv, wall_clock
from .crypto import crypto_funcs
from .dates import date_funcs
from .defaults import defaults_funcs
from .dicts import as_unnamed_map, dict_funcs
from .lists import list_funcs
from .numbers import number_funcs
from .paths_urls import path_url_funcs
from .regex import regex_funcs
from .semver_funcs import semver_funcs
from .strings import string_funcs


def sprig_funcs(
    *,
    rand: random.Random | None = None,
    now: Callable[[], datetime] | None = None,
) -> dict[str, GoFunc]:
    """The function map. `rand` and `now` feed every non-deterministic function.

    Defaults: a `random.SystemRandom` and the wall clock in Go's Local zone ($TZ or
    /etc/localtime). The zone of the datetimes `now` returns is what `date` treats as Local.
    """
    env = SprigEnv(
        rand=rand if rand is not None else random.SystemRandom(),
        now=now if now is not None else wall_clock,
    )
    funcs = dict(_env_free_funcs())
    funcs |= string_funcs(env)
    funcs |= number_funcs(env)
    funcs |= date_funcs(env)
    funcs |= crypto_funcs(env)
    return funcs


@functools.cache
def _env_free_funcs() -> dict[str, GoFunc]:
    """The functions that need neither randomness nor a clock, built once."""
    funcs: dict[str, GoFunc] = {}
    funcs |= defaults_funcs()
    funcs |= list_funcs()
    funcs |= dict_funcs()
    funcs |= regex_funcs()
    funcs |= semver_funcs()
    funcs |= path_url_funcs()
    return funcs


__all__ = ["SprigEnv", "as_unnamed_map", "sprig_funcs"]
