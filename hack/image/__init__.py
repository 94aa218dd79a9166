"""The operator's container image, built offline (hack/image/build.sh) and run two ways.

`build_image()` builds or reuses the cached image and returns its OCI reference; `push_image()`
copies it to a registry with skopeo. `Podman` runs an image from a registry (vfs storage, its own
storage dirs); `Chroot` unpacks it with umoci and runs its entrypoint in a chroot, for machines
where no container runtime works. `ImageOperator` is `steersman run` started either way.
"""

from hack.image.runtime import (
    BUILD_SCRIPT,
    Chroot,
    ImageConfig,
    ImageError,
    ImageOperator,
    Podman,
    Runtime,
    build_image,
    dockerfile_intent,
    image_config,
    push_image,
    run_once,
)

__all__ = [
    "BUILD_SCRIPT",
    "Chroot",
    "ImageConfig",
    "ImageError",
    "ImageOperator",
    "Podman",
    "Runtime",
    "build_image",
    "dockerfile_intent",
    "image_config",
    "push_image",
    "run_once",
]
