"""Post-rendering of a rendered chart: Flux's `postRenderers[].kustomize` (strategic-merge and
JSON 6902 patches with targets, images) and `commonMetadata`, without kustomize itself."""

from steersman.postrender.model import (
    Image,
    Kustomize,
    Patch,
    PostRender,
    PostRenderError,
    Selector,
)
from steersman.postrender.render import post_render, post_render_objects
from steersman.postrender.schema import BUILTIN, MergeSchema, from_openapi_v2

__all__ = [
    "BUILTIN",
    "Image",
    "Kustomize",
    "MergeSchema",
    "Patch",
    "PostRender",
    "PostRenderError",
    "Selector",
    "from_openapi_v2",
    "post_render",
    "post_render_objects",
]
