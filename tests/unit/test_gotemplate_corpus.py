"""The Go-template + Sprig conformance corpus: every case in tests/gotemplate_cases/ vs our engine.

Each expectation was produced by the real helm v4 binary (hack/gen_template_cases.py), so a case
passes only when our engine writes Go's bytes or raises Go's exact error text;
tests/interop/test_gotemplate_corpus_fixtures.py proves the fixtures are still helm's output.
How a case is rendered (Helm's template name, values typed as Helm v4 loads them):
hack/testkit/templates.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from hack.testkit.templates import CASES, NO_VALUE, Case, render_case
from steersman.gotemplate import TemplateError


@pytest.fixture(autouse=True, scope="module")
def utc_local_time() -> Iterator[None]:
    """helm ran with TZ=UTC; `date`/`toDate` use the local zone, so run ours in UTC too."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_corpus_is_big_and_complete() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 600
    missing = [c.name for c in CASES if (c.output is None) == (c.error is None)]
    assert missing == [], f"cases without exactly one expectation (run the generator): {missing}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}::{c.name}" for c in CASES])
def test_case(case: Case) -> None:
    if case.error is not None:
        with pytest.raises(TemplateError) as caught:
            render_case(case)
        assert str(caught.value) == case.error
        return
    out = render_case(case)
    if case.raw_output is not None:
        assert out == case.raw_output  # Go's bytes before Helm drops "<no value>"
    assert out.replace(NO_VALUE, "") == case.output
