"""kustomize's `images`: change the image of every container and init container (anywhere in
the object, CRDs aside) whose image is `name`, optionally with a tag and/or digest."""

from __future__ import annotations

import re
from typing import Any

from steersman.postrender.model import Image

_CONTAINER_LISTS = ("containers", "initContainers")


def _matches(image: str, name: str) -> bool:
    # kustomize compiles the name into the pattern as it is (a regex, not a literal).
    tail = r"(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?\Z"
    try:
        return re.match(name + tail, image) is not None
    except re.error:
        return False


def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest); a ':' before the first '/' is a registry port, not a tag."""
    slash = image.find("/")
    start = slash if slash > 0 else 0
    search = image[start:]
    at, colon = search.find("@"), search.find(":")
    if at < 0 and colon < 0:
        return image, "", ""
    if at >= 0 and (colon < 0 or at < colon):
        return image[: start + at], "", image[start + at + 1 :]
    if at >= 0:
        return (
            image[: start + colon],
            image[start + colon + 1 : start + at],
            image[start + at + 1 :],
        )
    return image[: start + colon], image[start + colon + 1 :], ""


def _updated(value: str, image: Image) -> str:
    name, tag, digest = split_image(value)
    if image.new_name:
        name = image.new_name
    if image.new_tag:
        tag, digest = image.new_tag, image.digest
    elif image.digest:
        tag, digest = "", image.digest
    out = name + (f":{tag}" if tag else "")
    return out + (f"@{digest}" if digest else "")


def _walk(node: Any, image: Image) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _walk(value, image)
            if key in _CONTAINER_LISTS and isinstance(value, list):
                for container in value:
                    current = container.get("image") if isinstance(container, dict) else None
                    if isinstance(current, str) and _matches(current, image.name):
                        container["image"] = _updated(current, image)
    elif isinstance(node, list):
        for item in node:
            _walk(item, image)


def set_images(obj: dict[str, Any], images: tuple[Image, ...]) -> None:
    if obj.get("kind") == "CustomResourceDefinition":
        return
    for image in images:
        _walk(obj, image)
