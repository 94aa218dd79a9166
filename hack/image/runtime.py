"""Build, push, inspect and run the operator's image (see hack/image/build.sh for the build)."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hack.operatorkit import OperatorProcess

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD_SCRIPT = HERE / "build.sh"
DOCKERFILE = ROOT / "Dockerfile"
# Where the kubeconfig appears inside the container (read-only, readable by user 65532).
KUBECONFIG_IN_IMAGE = "/etc/steersman/kubeconfig"
PATH_IN_IMAGE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ImageError(RuntimeError):
    """Building, pushing or running the image failed; the message has the tool's own words."""


def _run(argv: Sequence[str], what: str, timeout: float = 1800) -> str:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        tail = "\n".join((res.stderr or res.stdout).splitlines()[-30:])
        raise ImageError(f"{what} failed (exit {res.returncode}):\n{tail}")
    return res.stdout


def build_image() -> str:
    """Build the image, or reuse the cached one; returns `oci:<layout>:<tag>`."""
    out = _run(["bash", str(BUILD_SCRIPT), "build"], "hack/image/build.sh")
    return out.strip().splitlines()[-1]


def push_image(ref: str, dest: str) -> str:
    """Copy `ref` (any skopeo transport) to `dest`, host:port/name:tag on a plain-HTTP registry."""
    _run(
        ["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", ref,
         f"docker://{dest}"],
        f"skopeo copy to {dest}",
    )  # fmt: skip
    return dest


@dataclass(frozen=True)
class ImageConfig:
    """The parts of an image's config that say how it runs."""

    user: str
    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    env: Mapping[str, str]
    exposed_ports: frozenset[str]
    working_dir: str = ""


def image_config(ref: str) -> ImageConfig:
    """The config of `ref`: `oci:<layout>:<tag>` or `docker://host:port/name:tag` (plain HTTP)."""
    out = _run(
        ["skopeo", "--insecure-policy", "inspect", "--config", "--tls-verify=false", ref],
        f"skopeo inspect {ref}",
    )
    cfg = json.loads(out).get("config") or {}
    env = dict(item.partition("=")[::2] for item in cfg.get("Env") or [])
    return ImageConfig(
        user=cfg.get("User", ""),
        entrypoint=tuple(cfg.get("Entrypoint") or ()),
        cmd=tuple(cfg.get("Cmd") or ()),
        env=env,
        exposed_ports=frozenset(cfg.get("ExposedPorts") or {}),
        working_dir=cfg.get("WorkingDir", ""),
    )


def dockerfile_intent(path: Path = DOCKERFILE) -> ImageConfig:
    """What the Dockerfile's final stage declares (USER, ENTRYPOINT, CMD, EXPOSE, ENV)."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    last_from = max(i for i, ln in enumerate(lines) if ln.upper().startswith("FROM "))
    user = ""
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: dict[str, str] = {}
    ports: set[str] = set()
    for ln in lines[last_from + 1 :]:
        word, _, rest = ln.partition(" ")
        word = word.upper()
        if word == "USER":
            user = rest.strip()
        elif word == "ENTRYPOINT":
            entrypoint = tuple(json.loads(rest))
        elif word == "CMD":
            cmd = tuple(json.loads(rest))
        elif word == "EXPOSE":
            ports |= {p if "/" in p else f"{p}/tcp" for p in rest.split()}
        elif word == "ENV":
            env.update(kv.partition("=")[::2] for kv in rest.split())
    return ImageConfig(user, entrypoint, cmd, env, frozenset(ports))


class Runtime(Protocol):
    """A way to run the image's entrypoint on this machine."""

    name: str

    def argv(
        self,
        args: Sequence[str],
        files: Mapping[str, Path] | None = None,
        entrypoint: Sequence[str] | None = None,
        container: str | None = None,
    ) -> list[str]:
        """The command that runs the image's entrypoint (or `entrypoint`) with `args`; `files`
        maps paths inside the image to host files made readable there."""
        ...

    def remove(self, container: str) -> None:
        """Clean up after the container `container` (no-op when nothing is left)."""
        ...


def run_once(
    runtime: Runtime, args: Sequence[str], entrypoint: Sequence[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the image once (its entrypoint, or `entrypoint`) with `args`; output captured."""
    argv = runtime.argv(args, entrypoint=entrypoint)
    return subprocess.run(argv, capture_output=True, text=True, timeout=180)


# The sandbox these tests run in lacks CAP_SYS_RESOURCE, so the runtime may only lower limits,
# never raise them to podman's defaults (nofile 1048576).
PODMAN_ULIMITS = ("--ulimit", "nofile=16384:16384", "--ulimit", "nproc=4096:4096")


@dataclass
class Podman:
    """Podman with the vfs storage driver and runc, its storage under `workdir` (nothing shared
    with other users of the machine). `image` is a registry reference pulled once by `pull()`."""

    image: str
    workdir: Path
    name: str = "podman"

    def _base(self) -> list[str]:
        wd = self.workdir
        return [
            "podman",
            f"--root={wd / 'storage'}",
            f"--runroot={wd / 'run'}",
            f"--tmpdir={wd / 'tmp'}",
            "--storage-driver=vfs",
            # crun 1.8 refuses this machine's hybrid cgroup v1/v2 layout; runc runs.
            "--runtime=runc",
            "--cgroup-manager=cgroupfs",
            "--events-backend=file",
        ]

    def pull(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        _run([*self._base(), "pull", "--quiet", "--tls-verify=false", self.image], "podman pull")

    def argv(
        self,
        args: Sequence[str],
        files: Mapping[str, Path] | None = None,
        entrypoint: Sequence[str] | None = None,
        container: str | None = None,
    ) -> list[str]:
        opts = [
            "run", "--rm", "--pull=never", "--network=host", "--read-only", "--cap-drop=all",
            "--security-opt=no-new-privileges", *PODMAN_ULIMITS,
        ]  # fmt: skip
        for inside, host in (files or {}).items():
            opts.append(f"--volume={_readable_copy(host, self.workdir)}:{inside}:ro")
        if entrypoint is not None:
            opts.append(f"--entrypoint={json.dumps(list(entrypoint))}")
        if container:
            opts.append(f"--name={container}")
        return [*self._base(), *opts, self.image, *args]

    def remove(self, container: str) -> None:
        subprocess.run(
            [*self._base(), "rm", "--force", "--ignore", container],
            capture_output=True,
            timeout=60,
        )


# Mounts /dev and /proc in a mount namespace of its own, then runs the command in the root
# filesystem as the image's user with only the image's environment. Every step execs, so the
# entrypoint keeps this process's PID and gets its signals.
_CHROOT_SCRIPT = """
root=$1 user=$2 cwd=$3; shift 3
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
exec chroot --userspec="$user" "$root" /usr/bin/env -i -C "$cwd" "$@"
"""


@dataclass
class Chroot:
    """The image unpacked with umoci into `workdir/bundle/rootfs`, run with chroot as its user."""

    image: str
    workdir: Path
    config: ImageConfig | None = None
    name: str = "chroot"
    _rootfs: Path = field(default_factory=Path)

    def unpack(self) -> None:
        """Copy `image` from its registry to an OCI layout and unpack it, as a runtime would."""
        layout = self.workdir / "layout"
        self.workdir.mkdir(parents=True, exist_ok=True)
        src = f"docker://{self.image}"
        _run(
            ["skopeo", "--insecure-policy", "copy", "--quiet", "--src-tls-verify=false", src,
             f"oci:{layout}:image"],
            "skopeo copy to an OCI layout",
        )  # fmt: skip
        bundle = self.workdir / "bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        _run(["umoci", "unpack", "--image", f"{layout}:image", str(bundle)], "umoci unpack")
        self.config = image_config(f"oci:{layout}:image")
        self._rootfs = bundle / "rootfs"

    def argv(
        self,
        args: Sequence[str],
        files: Mapping[str, Path] | None = None,
        entrypoint: Sequence[str] | None = None,
        container: str | None = None,
    ) -> list[str]:
        if self.config is None:
            raise ImageError("Chroot.unpack() must run first")
        for inside, host in (files or {}).items():
            target = self._rootfs / inside.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(host, target)
            target.chmod(0o644)
        cfg = self.config
        env = {"PATH": PATH_IN_IMAGE, **cfg.env}
        user = cfg.user if ":" in cfg.user else f"{cfg.user}:{cfg.user}"
        command = list(cfg.entrypoint if entrypoint is None else entrypoint)
        return [
            "unshare", "--mount", "--propagation", "private", "--", "sh", "-ec", _CHROOT_SCRIPT,
            "image-chroot", str(self._rootfs), user or "0:0", cfg.working_dir or "/",
            *(f"{k}={v}" for k, v in env.items()), *command, *args,
        ]  # fmt: skip

    def remove(self, container: str) -> None:
        return None


def _readable_copy(host: Path, workdir: Path) -> Path:
    """A copy of `host` that the image's non-root user may read (kubeconfigs are 0600)."""
    files = workdir / "files"
    files.mkdir(parents=True, exist_ok=True)
    copy = files / f"{secrets.token_hex(4)}-{host.name}"
    shutil.copyfile(host, copy)
    copy.chmod(0o644)
    return copy


class ImageOperator(OperatorProcess):
    """`steersman run` from the image: the image's own entrypoint, the bench's kubeconfig."""

    def __init__(
        self,
        runtime: Runtime,
        kubeconfig: Path,
        args: Sequence[str] = (),
        log_path: Path | None = None,
    ) -> None:
        super().__init__(kubeconfig, args, None, log_path)
        self.runtime = runtime
        self.container = f"steersman-{secrets.token_hex(4)}"

    def start(self) -> None:
        argv = self.runtime.argv(
            [
                "run",
                "--kubeconfig",
                KUBECONFIG_IN_IMAGE,
                "--health-addr",
                f"127.0.0.1:{self.health_port}",
                "--metrics-addr",
                f"127.0.0.1:{self.metrics_port}",
                *self.args,
            ],
            files={KUBECONFIG_IN_IMAGE: self.kubeconfig},
            container=self.container,
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "STEERSMAN_"))}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env
            )

    def stop(self, timeout: float = 30) -> int | None:
        code = super().stop(timeout)
        self.runtime.remove(self.container)
        return code
