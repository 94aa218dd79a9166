"""The local test bench: etcd + kube-apiserver, PostgreSQL, and the helm CLIs.

`hack/testenv/provision.sh` installs and caches the parts; this module finds them and runs them on
loopback with free ports and temp dirs, so two runs on one machine never collide. pytest fixtures
(tests/conftest.py), `make demo` and the benchmarks all start the bench through here.
"""

from hack.testenv.parts import (
    Binaries,
    ControlPlane,
    OciRegistry,
    Postgres,
    RegistryTls,
    RegistryTokenAuth,
    TestBench,
    TestEnvError,
    find_binaries,
    helm_binary,
    helm_env,
)

__all__ = [
    "Binaries",
    "ControlPlane",
    "OciRegistry",
    "Postgres",
    "RegistryTls",
    "RegistryTokenAuth",
    "TestBench",
    "TestEnvError",
    "find_binaries",
    "helm_binary",
    "helm_env",
]
