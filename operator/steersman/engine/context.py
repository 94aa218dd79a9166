"""What every action needs: the cluster, release storage, the renderer, and common options."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from steersman.engine.cluster_info import CapabilitiesCache, shared_cache, thread_lookup
from steersman.engine.hooks import HookRunner
from steersman.engine.render import Renderer, RenderRequest, default_renderer, post_rendered
from steersman.kube import KubeClient
from steersman.postrender import PostRender
from steersman.storage import Release, Storage, StorageBackend

T = TypeVar("T")


# Release objects are applied as the field manager helm v4 uses: helm applies server-side
# without forcing, so fields owned by any other manager would make a later `helm upgrade` of
# the same release fail with conflicts. Objects then look to helm exactly like its own.
HELM_FIELD_MANAGER = "helm"
DEFAULT_TIMEOUT = 300.0
DEFAULT_MAX_HISTORY = 10
# A record label: which post-render steps produced the stored manifest (a digest prefix).
POST_RENDER_LABEL = "steersman.dev/post-render"


@dataclass
class Engine:
    """The action configuration (Helm's `action.Configuration`)."""

    kube: KubeClient
    backend: StorageBackend
    renderer: Renderer = field(default=default_renderer)
    field_manager: str = HELM_FIELD_MANAGER
    # None: shared by every engine on the same cluster connection
    capabilities_cache: CapabilitiesCache | None = None
    # Namespaces the release's objects may be in; None: wherever the identity may write.
    namespaces: frozenset[str] | None = None
    # Applied to every rendered manifest before it is applied and stored (spec.postRenderers).
    post_render: PostRender | None = None

    def __post_init__(self) -> None:
        self.kube = self.kube.with_field_manager(self.field_manager)
        self.capabilities = self.capabilities_cache or shared_cache(self.kube.discovery)

    async def render_request(
        self,
        name: str,
        namespace: str,
        revision: int,
        *,
        upgrade: bool,
        skip_schema_validation: bool = False,
    ) -> RenderRequest:
        """What the renderer needs to render like helm does against a live cluster."""
        return RenderRequest(
            name,
            namespace,
            revision,
            is_install=not upgrade,
            is_upgrade=upgrade,
            capabilities=await self.capabilities.get(self.kube),
            lookup=thread_lookup(self.kube, asyncio.get_running_loop()),
            skip_schema_validation=skip_schema_validation,
        )

    async def post_rendered(self, manifest: str, labels: dict[str, str]) -> str:
        """The manifest after the post-render steps; the record labels get their digest."""
        if self.post_render is None or self.post_render.empty():
            return manifest
        labels[POST_RENDER_LABEL] = self.post_render.digest.removeprefix("sha256:")[:32]
        return await post_rendered(self.kube, manifest, self.post_render)

    def storage(self, namespace: str, max_history: int = 0) -> Storage:
        return self.backend.storage(namespace, max_history)


@dataclass
class Common:
    """Options shared by the actions."""

    namespace: str
    storage_namespace: str | None = None  # where records live; the release namespace if None
    timeout: float = DEFAULT_TIMEOUT
    wait: bool = False
    wait_for_jobs: bool = False
    disable_hooks: bool = False
    description: str = ""
    # False: client-side apply (helm v3's three-way merge), see engine.client_apply
    server_side: bool = True
    skip_schema_validation: bool = False  # values.schema.json is not checked

    @property
    def records_namespace(self) -> str:
        return self.storage_namespace or self.namespace


async def settled(work: Awaitable[T]) -> T:
    """Run a storage write to its end even if the action is cancelled meanwhile: a record is
    then either written whole or not at all, and a cancelled action leaves what it last stored."""
    return await asyncio.shield(work)


def hook_runner(engine: Engine, storage: Storage, namespace: str, timeout: float) -> HookRunner:
    async def record(rel: Release) -> None:
        await settled(storage.update(rel))

    return HookRunner(engine.kube, namespace, timeout, record)
