"""Cost of encrypting a release record body (docs/encryption.md quotes these numbers).

For a typical record (a small chart: a dozen manifests, some values) and one whose JSON is about
1 MiB, it prints the stored body's size plain and sealed, and the medians of encoding and decoding
it plain (helm's gzip+base64) and sealed (the same plus AES-256-GCM and a wrapped data key), so
the difference is what encryption adds per record write and read. Pure CPU: no bench needed.

Run: `.venv/bin/python -m bench.record_encryption`.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable

from steersman.storage import GoTime, Info, Release, record_key
from steersman.storage.codec import gzip_release, release_to_bytes
from steersman.storage.envelope import KEY_BYTES, KeyRing, open_sealed, seal
from steersman.storage.sealing import RecordCodec

RUNS = 30


def manifest(objects: int, rng: random.Random) -> str:
    """Deployments and ConfigMaps as charts render them; the ConfigMaps carry random tokens
    (passwords, certificates) that compress poorly, like real ones."""
    parts = []
    for i in range(objects):
        token = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=64))
        parts.append(
            f"---\n# Source: app/templates/part-{i}.yaml\napiVersion: apps/v1\nkind: Deployment\n"
            f"metadata:\n  name: app-{i}\n  labels:\n    app.kubernetes.io/name: app\n"
            f"    app.kubernetes.io/instance: web\nspec:\n  replicas: 2\n  selector:\n"
            f"    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n"
            f"        app: app-{i}\n    spec:\n      containers:\n        - name: app\n"
            f"          image: registry.example/app:1.{i}.0\n          env:\n"
            f"            - name: PASSWORD\n              value: {token}\n"
            f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{i}-config\n"
            f"data:\n  token: {token}\n  settings.yaml: |\n    level: info\n    index: {i}\n"
        )
    return "".join(parts)


def release(objects: int) -> Release:
    rng = random.Random(objects)
    when = GoTime.parse("2026-12-03T10:00:00Z")
    return Release(
        name="web",
        namespace="apps",
        version=3,
        info=Info(status="deployed", first_deployed=when, last_deployed=when),
        config={"password": "hunter2", "replicas": 2, "hosts": [f"h{i}.example" for i in range(8)]},
        manifest=manifest(objects, rng),
    )


def median_ms(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure_envelope(label: str, payload: bytes, keys: KeyRing) -> None:
    """The envelope alone (data key, wrap, AES-GCM, base64), without the JSON and gzip work."""
    key = record_key("web", 3)
    body = seal(payload, key, keys)
    seal_ms = median_ms(lambda: seal(payload, key, keys))
    open_ms = median_ms(lambda: open_sealed(body, key, keys))
    print(
        f"  envelope only ({label}, {len(payload)} B): seal {seal_ms:.3f} ms, open {open_ms:.3f} ms"
    )


def measure(label: str, rel: Release) -> None:
    key = record_key(rel.name, rel.version)
    plain = RecordCodec()
    keys = KeyRing((("k1", os.urandom(KEY_BYTES)),))
    sealed = RecordCodec(keys, seal_writes=True)
    plain_body = plain.encode(key, rel).body
    sealed_body = sealed.encode(key, rel).body
    rows = {
        "encode plain": median_ms(lambda: plain.encode(key, rel)),
        "encode sealed": median_ms(lambda: sealed.encode(key, rel)),
        "decode plain": median_ms(lambda: plain.decode(key, plain_body)),
        "decode sealed": median_ms(lambda: sealed.decode(key, sealed_body)),
    }
    json_bytes = len(release_to_bytes(rel))
    print(
        f"{label}: JSON {json_bytes} B; body plain {len(plain_body)} B, sealed "
        f"{len(sealed_body)} B (+{len(sealed_body) - len(plain_body)} B)"
    )
    for name, ms in rows.items():
        print(f"  {name:14} {ms:8.3f} ms")
    measure_envelope("its gzip stream", gzip_release(rel), keys)


def main() -> None:
    measure("typical record (12 objects)", release(12))
    big = 12
    while len(release_to_bytes(release(big))) < 1024 * 1024:
        big *= 2
    while len(release_to_bytes(release(big - 64))) >= 1024 * 1024:
        big -= 64
    measure(f"1 MiB record ({big} objects)", release(big))
    # The most a Kubernetes object holds, incompressible: the worst case for the cipher.
    keys = KeyRing((("k1", os.urandom(KEY_BYTES)),))
    measure_envelope("1 MiB of random bytes", os.urandom(1024 * 1024), keys)


if __name__ == "__main__":
    main()
