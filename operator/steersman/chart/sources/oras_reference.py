"""How helm v4's registry client judges an `oci://` reference before it asks a registry
(pkg/registry newReference, then oras-go's registry.ParseReference, then the digest once more
when remote.NewRepository parses `reference@digest`), with oras-go's texts. Only the verdict
and its text live here; parse_oci_reference in oci.py is what the fetch uses."""

from __future__ import annotations

import re

from steersman.golang.neturl import URLError, parse

from .versions import is_exact_version

# oras-go's registry/reference.go patterns (those of the distribution spec)
_REPOSITORY = re.compile(
    r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
# opencontainers/go-digest: the algorithms a Go binary links (sha256, sha384, sha512)
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_INVALID = "invalid reference"


def _split(url: str) -> tuple[str, str, str]:
    """newReference's first steps: (`registry/repository[:tag]` with `+` in the tag made `_`,
    the tag so cleaned, the digest after the last `@`)."""
    raw = url.removeprefix("oci://")
    at = raw.rfind("@")
    digest = ""
    if at >= 0:
        raw, digest = raw[:at], raw[at + 1 :]
    parts = raw.split(":")
    tag = ""
    if len(parts) > 1 and "/" not in parts[-1] and parts[-1]:
        tag = parts[-1].replace("+", "_")
        raw = raw.replace(parts[-1], tag)
    return raw, tag, digest


def pull_reference(url: str) -> tuple[str | None, str]:
    """registry.Client.Pull of `url` (the OCI getter's, for a values file): (helm's error for
    a reference it refuses before asking the registry, the `oci://` reference it then pulls).
    With a tag the digest is ignored, as helm's reference.String() drops it."""
    raw, tag, digest = _split(url)
    problem = _parse(raw)
    if problem is None and digest and not tag:
        problem = _digest_problem(digest)  # parsed again, as `registry/repository@digest`
    return problem, "oci://" + (raw if tag or not digest else f"{raw}@{digest}")


def chart_reference_error(url: str, version: str) -> str | None:
    """ValidateReference's refusals of a chart reference before any request, in its order:
    the reference (host and path of the URL: user info is dropped), the version against its
    tag, the digest; without a digest, a version that is not semver makes helm list the tags,
    which parses the reference again as written."""
    try:
        parsed = parse(url)
    except URLError:
        return None  # helm's `invalid chart URL format`, said where the URL is parsed
    raw, tag, digest = _split(parsed["host"] + parsed["path"])
    problem = _parse(raw)
    if problem is None and version and tag and tag != version:
        problem = f"chart reference and version mismatch: {version} is not {tag}"
    if problem is None and digest:
        problem = _digest_problem(digest)
    if problem is None and not digest and not is_exact_version(version or tag):
        problem = _parse(url.removeprefix("oci://"))
    return problem


def _parse(artifact: str) -> str | None:
    """registry.ParseReference's verdict on `registry/repository[:tag|@digest]`."""
    registry, slash, path = artifact.partition("/")
    if not slash:
        return f"{_INVALID}: missing registry or repository"
    is_tag = False
    reference = ""
    if "@" in path:
        repository, _, reference = path.partition("@")
        repository = repository.partition(":")[0]
    elif ":" in path:
        is_tag = True
        repository, _, reference = path.partition(":")
    else:
        repository = path
    if not _valid_registry(registry):
        return f'{_INVALID}: invalid registry "{registry}"'
    if not _REPOSITORY.fullmatch(repository):
        return f'{_INVALID}: invalid repository "{repository}"'
    if not reference:
        return None
    if is_tag:
        return None if _TAG.fullmatch(reference) else f'{_INVALID}: invalid tag "{reference}"'
    return _digest_problem(reference)


def _valid_registry(registry: str) -> bool:
    """url.ParseRequestURI("dummy://" + registry) gives back exactly the registry as its host."""
    try:
        host = str(parse("dummy://" + registry)["host"])
    except URLError:
        return False
    return host == registry != ""


def _digest_problem(reference: str) -> str | None:
    """digest.Digest.Validate, wrapped as oras-go wraps it."""
    colon = reference.find(":")
    if colon <= 0 or colon + 1 == len(reference):
        cause = "invalid checksum digest format"
    else:
        algorithm, encoded = reference[:colon], reference[colon + 1 :]
        size = _HEX_LENGTH.get(algorithm)
        if size is None:
            matches = _DIGEST.fullmatch(reference)
            cause = "unsupported digest algorithm" if matches else "invalid checksum digest format"
        elif len(encoded) != size:
            cause = "invalid checksum digest length"
        elif re.fullmatch(r"[a-f0-9]+", encoded):
            return None
        else:
            cause = "invalid checksum digest format"
    return f'{_INVALID}: invalid digest "{reference}": {cause}'
