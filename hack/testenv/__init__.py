"""The local test bench: etcd + kube-apiserver, PostgreSQL, the helm CLIs and kubectl.

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
    kubectl_binary,
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
    "kubectl_binary",
]
