"""What a post-render step is: Flux's `postRenderers[].kustomize` and `commonMetadata`, as plain
data (the API layer validates them; the engine only runs them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from steersman.errors import SteersmanError


class PostRenderError(SteersmanError):
    """A patch that cannot be applied (one line, naming the patch)."""


@dataclass(frozen=True)
class Selector:
    """kustomize's patch target: group/version/kind exact, name/namespace anchored regexes
    (all five are regexes in kustomize), Kubernetes label and annotation selectors."""

    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""


@dataclass(frozen=True)
class Patch:
    """A strategic-merge patch (a YAML object) or a JSON 6902 patch (a list of operations)."""

    patch: str
    target: Selector | None = None


@dataclass(frozen=True)
class Image:
    name: str
    new_name: str = ""
    new_tag: str = ""
    digest: str = ""


@dataclass(frozen=True)
class Kustomize:
    patches: tuple[Patch, ...] = ()
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class PostRender:
    """Every step, in Flux's order: each kustomize post-renderer, then the common metadata."""

    kustomize: tuple[Kustomize, ...] = ()
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    digest: str = ""  # of the spec fields this came from; marks the records it produced

    def empty(self) -> bool:
        return not self.kustomize and not self.common_labels and not self.common_annotations
