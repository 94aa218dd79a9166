"""`steersman rekey NAME`: rewrite every release revision of a HelmRelease sealed with the newest
release record key (the first one given), after a key was added; with `--decrypt`, as plain helm
records, after encryption was turned off. Every revision is read before any is written, so a
missing or wrong key stops the command with nothing changed."""

from __future__ import annotations

import argparse

from steersman.commands.common import OK, OpsError, connect, helmrelease_model, read_helmrelease
from steersman.commands.history import open_backend, record_codec, where_records_live
from steersman.commands.release_cluster import release_cluster
from steersman.storage import StorageBackend


async def run(args: argparse.Namespace) -> int:
    conn = await connect(args)
    backend: StorageBackend | None = None
    try:
        hr = helmrelease_model(await read_helmrelease(conn.kube, conn.namespace, args.name))
        kind, storage_ns = where_records_live(hr, args.helm_storage_driver)
        codec = await record_codec(args, conn.kube, seal=not args.decrypt)
        release_name = hr.spec.effective_release_name(hr.name)
        async with release_cluster(conn.kube, hr, args) as kube:
            backend = open_backend(kind, kube.api, args.sql_connection_string_file, codec)
            storage = backend.storage(storage_ns)
            revisions = await storage.history(release_name)
            if not revisions:
                raise OpsError(
                    f'release "{release_name}" has no revisions in {kind} storage in namespace '
                    f'"{storage_ns}"'
                )
            for rel in revisions:
                await storage.update(rel)
    finally:
        if backend is not None:
            await backend.close()
        await conn.kube.close()
    key = codec.keys.primary if codec.keys is not None else ""
    how = "as plain helm records" if args.decrypt else f"encrypted with key '{key}'"
    print(f"rewrote {len(revisions)} revision(s) of release {release_name} in {kind} storage {how}")
    return OK
