"""`helm test`: run the newest revision's `test` hooks and store their phases on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from steersman.engine.context import DEFAULT_TIMEOUT, Engine, hook_runner, settled
from steersman.engine.errors import FAILURES, EngineError
from steersman.engine.ownership import validate_release_name
from steersman.storage import Hook, Release


@dataclass
class TestOptions:
    __test__ = False  # not a pytest class

    name: str
    namespace: str
    storage_namespace: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    # helm test --filter name=... / !name=...: with any `include`, only those tests run
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def selects(self, hook: Hook) -> bool:
        if hook.name in self.exclude:
            return False
        return not self.include or hook.name in self.include


async def run_tests(engine: Engine, opts: TestOptions) -> Release:
    """Returns the release with each test hook's `last_run`; raises if a test failed."""
    try:
        validate_release_name(opts.name)
    except EngineError:
        raise EngineError(f"releaseTest: Release name is invalid: {opts.name}") from None
    storage = engine.storage(opts.storage_namespace or opts.namespace)
    rel = await storage.last(opts.name)
    runner = hook_runner(engine, storage, rel.namespace, opts.timeout)
    try:
        await runner.run(rel, "test", opts.selects)
    except FAILURES:
        await settled(storage.update(rel))
        raise
    await settled(storage.update(rel))
    return rel
