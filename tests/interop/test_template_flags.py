"""`steersman template` against the real `helm template` (v4.1.4) for every flag family: the
same exit status, stdout and stderr (helm's `level=DEBUG` lines aside), and for --output-dir
the same files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop
CHARTS = Path(__file__).resolve().parents[1] / "charts"

C = "assembly"  # a chart dir copied into each run's working directory
CASES: list[list[str]] = [
    ["--help"],
    ["-h"],
    [],
    ["--foo", C],
    ["-x", C],
    ["--set"],
    ["-gs"],
    ["-g=x", C],
    ["--generate-name=maybe", C],
    ["--wait=bad", C],
    ["--timeout=x", C],
    ["--timeout", "1x", C],
    ["--labels=a", C],
    ["--qps", "x", C],
    ["--burst-limit", "x", C],
    ["--log-file-max-size", "-1", C],
    ["---x", C],
    ["--=x", C],
    ["--validate", "--dry-run=server", C],
    ["--force-replace", "--force-conflicts", C],
    ["--dry-run=x", C],
    ["--dry-run", C],
    ["--dry-run=client", C],
    ["--wait", C],
    ["--wait=true", C],
    ["--wait=false", C],
    ["--wait=legacy", "--wait-for-jobs", "--timeout", "1m30s", C],
    ["--color=x", C],
    ["--colour", "never", C],
    ["--name-template", '{{ "foo" | upper | lower }}-x', C],
    ["--name-template", "{{ .x", C],
    ["--name-template", "Bad_Name", C],
    ["--name-template", "x", "named", C],
    ["-g", "named", C],
    ["-g", C],
    ["a", "b", "c"],
    ["--labels", "name=x", C],
    ["-l", "team=a,tier=b", "--labels", "x=y", C],
    # pflag's stringToString: one `=` keeps the commas in the value; more are CSV pairs.
    ["--labels", "a=b,c", C],
    ["--labels", "a=b,c,d=e", C],
    ["--labels", "", C],
    ["--labels", '"a=b"', C],
    ["--labels", 'a="b,c",d=e', C],
    # Go's encoding/csv errors for stringSlice values (column: 1-based byte offset).
    ["-a", 'a"b', C],
    ["-a", '"ab"c', C],
    ["-a", '"abc', C],
    ["-a", 'x, "a"', C],
    ["-a", '"é', C],
    ["-a", 'x,"a""b",y', "-s", "templates/missing.yaml", C],
    ["--post-renderer", "nope", C],
    ["--post-renderer", "", C],
    ["--verify", C],
    ["--debug", C],
    ["--skip-crds", "--render-subchart-notes", "--disable-openapi-validation", C],
    ["--create-namespace", "--description", "d", "--server-side=false", "--hide-notes", C],
    ["--take-ownership", "--enable-dns", "--force-replace", "--replace", C],
    ["--rollback-on-failure", "--atomic", "--force", C],
    ["--kube-context", "other", "--kubeconfig", "nokube", "--kube-token", "t", C],
    ["--kube-as-user", "u", "--kube-as-group", "g", "--kube-apiserver", "https://127.0.0.1:1", C],
    ["--kube-ca-file", "x", "--kube-tls-server-name", "n", "--kube-insecure-skip-tls-verify", C],
    ["--burst-limit", "5", "--qps", "2.5", "-v", "3", "--logtostderr=false", C],
    ["--registry-config", "r.json", "--repository-config", "r.yaml", "--repository-cache", "c", C],
    ["--content-cache", "cc", "--keyring", "k.gpg", "--pass-credentials", C],
    ["--ca-file", "ca", "--cert-file", "c", "--key-file", "k", "--insecure-skip-tls-verify", C],
    ["--username", "u", "--password", "p", "--plain-http", "--devel", "--version", "1.x", C],
    ["-n", "ns1", C],
    ["--namespace=ns2", "named", C],
    ["-nns3", C],
    ["--include-crds", "-s", "templates/hooks.yaml", C],
    ["-s=templates/namespace.yaml", C],
    ["--show-only", "templates/missing.yaml", C],
    ["--api-versions=a/v1,b/v1", "-a", "c/v1", C],
    ["--is-upgrade", "--skip-tests", "--no-hooks", C],
    ["--", C],
    ["named", "--", C, "extra"],
    ["--set", "a=1", "--set-string", "b=2", "--set-json", "c=3", "--set-literal", "d=4", C],
    ["missing-repo/chart"],
    ["./does-not-exist"],
    ["--output-dir", "out", "--include-crds", C],
    ["--output-dir", "out", "--release-name", "--include-crds", "--skip-tests", "rel", C],
    ["--output-dir", "out", "--no-hooks", C],
    ["--output-dir", "out", "-s", "templates/namespace.yaml", C],
]


def _strip_debug(text: str) -> str:
    return "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("level=DEBUG ")
    )


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    r = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, _strip_debug(r.stderr)


def _tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) or "<none>" for c in CASES])
def test_same_as_helm(
    args: list[str], helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    results = []
    trees = []
    for who in ("helm", "steersman"):
        # the same relative working directory name, so paths in messages agree
        cwd = tmp_path / who / "work"
        cwd.mkdir(parents=True)
        shutil.copytree(CHARTS / "assembly", cwd / C)
        env = dict(helm_home_env, HOME=str(tmp_path / "home"), KUBECONFIG=os.devnull)
        argv = (
            [str(helm_v4), "template", *args]
            if who == "helm"
            else [sys.executable, "-m", "steersman", "template", *args]
        )
        code, out, err = _run(argv, cwd, env)
        results.append((code, out.replace(str(cwd), "<cwd>"), err.replace(str(cwd), "<cwd>")))
        trees.append(_tree(cwd / "out"))
    helm, ours = results
    assert ours == helm
    assert trees[1] == trees[0]


def test_output_dir_appends_hooks_into_existing_files(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """helm appends a hook to a file that exists before the run (renderResources truncates
    manifests, helm template's hook loop checks os.Stat): two runs, same tree."""
    trees = []
    for who in ("helm", "steersman"):
        cwd = tmp_path / who
        cwd.mkdir()
        shutil.copytree(CHARTS / "assembly", cwd / C)
        env = dict(helm_home_env, HOME=str(tmp_path / "home"), KUBECONFIG=os.devnull)
        argv = (
            [str(helm_v4), "template"]
            if who == "helm"
            else [sys.executable, "-m", "steersman", "template"]
        )
        for _ in range(2):
            code, _out, err = _run([*argv, "--output-dir", "out", C], cwd, env)
            assert code == 0, err
        trees.append(_tree(cwd / "out"))
    assert trees[0]
    assert trees[1] == trees[0]


# (what is in the working directory before the run, flags): helm's writeToFile errors,
# `stat`/`mkdir`/`open` at the path Go's os calls name, with the --debug hint for CRDs and
# manifests (written inside the install action) and without it for hooks
OUTPUT_DIR_ERRORS: list[tuple[list[str], list[str]]] = [
    ([], ["--output-dir", "/proc/steersman-nope", C]),
    (["file:afile"], ["--output-dir", "afile", C]),
    (["file:afile"], ["--output-dir", "./afile/", "--include-crds", C]),
    (["file:out/assembly/templates"], ["--output-dir", "out", C]),
    (["dir:out/assembly/templates/all-in-one.yaml"], ["--output-dir", "out", C]),
    (["dir:out/assembly/templates/all-in-one.yaml"], ["--output-dir", "out", "--debug", C]),
    (["dir:out/assembly/templates/tests/test-connection.yaml"], ["--output-dir", "out", C]),
    (["dir:out/assembly/crds/gizmo.yaml"], ["--output-dir", "out", "--include-crds", C]),
    (["file:out"], ["--output-dir", "out", "--include-crds", "--debug", C]),
]


@pytest.mark.parametrize(
    ("before", "args"),
    OUTPUT_DIR_ERRORS,
    ids=[" ".join([*b, *a]) for b, a in OUTPUT_DIR_ERRORS],
)
def test_output_dir_write_errors_are_helms(
    before: list[str],
    args: list[str],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    results = []
    for who in ("helm", "steersman"):
        cwd = tmp_path / who / "work"
        cwd.mkdir(parents=True)
        shutil.copytree(CHARTS / "assembly", cwd / C)
        for entry in before:
            kind, _, rel = entry.partition(":")
            (cwd / rel).parent.mkdir(parents=True, exist_ok=True)
            if kind == "dir":
                (cwd / rel).mkdir()
            else:
                (cwd / rel).write_text("")
        env = dict(helm_home_env, HOME=str(tmp_path / "home"), KUBECONFIG=os.devnull)
        argv = (
            [str(helm_v4), "template", *args]
            if who == "helm"
            else [sys.executable, "-m", "steersman", "template", *args]
        )
        code, out, err = _run(argv, cwd, env)
        results.append((code, out, err, _tree(cwd / "out")))
    helm, ours = results
    assert helm[0] == 1 and "Error: " in helm[2]
    assert ours == helm


@pytest.fixture(scope="module")
def signed_chart(helm_v4: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """assembly-0.2.0.tgz and its .prov, signed by `helm package --sign` with a fresh RSA key
    (gpg makes it); beside them pub.gpg (the signer), other.gpg (another key), pub.asc (the
    signer armored, which helm refuses) and both.gpg (other + signer)."""
    gpg = shutil.which("gpg")
    if gpg is None:
        pytest.fail("gpg is needed to make a signing key (apt-get install gnupg)")
    d = tmp_path_factory.mktemp("signed")
    home = d / "gnupg"
    home.mkdir(mode=0o700)
    env = dict(os.environ, GNUPGHOME=str(home))
    batch = [gpg, "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", ""]

    def run(*args: str, out: str | None = None) -> None:
        r = subprocess.run([*args], env=env, capture_output=True, check=True, cwd=d)
        if out:
            (d / out).write_bytes(r.stdout)

    run(*batch, "--quick-gen-key", "Chart Signer <signer@example.com>", "rsa2048", "sign", "never")
    run(*batch, "--quick-gen-key", "Other <other@example.com>", "ed25519", "sign", "never")
    run(*batch, "--export", "Chart Signer", out="pub.gpg")
    run(*batch, "--export", "Other", out="other.gpg")
    run(*batch, "--export", "--armor", "Chart Signer", out="pub.asc")
    run(*batch, "--export-secret-keys", "Chart Signer", out="sec.gpg")
    (d / "both.gpg").write_bytes((d / "other.gpg").read_bytes() + (d / "pub.gpg").read_bytes())
    shutil.copytree(CHARTS / "assembly", d / "assembly")
    run(
        str(helm_v4),
        "package",
        "--sign",
        "--key",
        "Chart Signer",
        "--keyring",
        "sec.gpg",
        "assembly",
    )
    prov = (d / "assembly-0.2.0.tgz.prov").read_text()
    # the same signature over another archive name, a wrong sum, a changed signed text
    (d / "renamed.tgz").write_bytes((d / "assembly-0.2.0.tgz").read_bytes())
    (d / "renamed.tgz.prov").write_text(prov)
    (d / "badsum.tgz").write_bytes((d / "assembly-0.2.0.tgz").read_bytes())
    (d / "badsum.tgz.prov").write_text(prov.replace("assembly-0.2.0.tgz:", "badsum.tgz:"))
    (d / "tampered-0.2.0.tgz").write_bytes((d / "assembly-0.2.0.tgz").read_bytes())
    (d / "tampered-0.2.0.tgz.prov").write_text(prov.replace("Plain-YAML", "Plain-yaml"))
    (d / "noblock.tgz").write_bytes((d / "assembly-0.2.0.tgz").read_bytes())
    (d / "noblock.tgz.prov").write_text("not signed\n")
    (d / "unsigned.tgz").write_bytes((d / "assembly-0.2.0.tgz").read_bytes())
    (d / "chart.tar").write_bytes((d / "assembly-0.2.0.tgz").read_bytes())
    return d


VERIFY_CASES = [
    ["assembly-0.2.0.tgz", "--keyring", "pub.gpg"],
    ["assembly-0.2.0.tgz", "--keyring", "both.gpg"],
    ["assembly-0.2.0.tgz", "--keyring", "other.gpg"],
    ["assembly-0.2.0.tgz", "--keyring", "pub.asc"],
    ["assembly-0.2.0.tgz", "--keyring", "missing.gpg"],
    ["renamed.tgz", "--keyring", "pub.gpg"],
    ["badsum.tgz", "--keyring", "pub.gpg"],
    ["tampered-0.2.0.tgz", "--keyring", "pub.gpg"],
    ["noblock.tgz", "--keyring", "pub.gpg"],
    ["unsigned.tgz", "--keyring", "pub.gpg"],
    ["chart.tar", "--keyring", "pub.gpg"],
    ["assembly", "--keyring", "pub.gpg"],
]


@pytest.mark.parametrize("args", VERIFY_CASES, ids=[" ".join(c) for c in VERIFY_CASES])
def test_verify_same_as_helm(
    args: list[str], signed_chart: Path, helm_v4: Path, helm_home_env: dict[str, str]
) -> None:
    """--verify: the .prov signature and the archive's sum checked as downloader.VerifyChart
    does, with helm's (and go-crypto's) error texts."""
    env = dict(helm_home_env, KUBECONFIG=os.devnull)
    helm = _run([str(helm_v4), "template", "--verify", *args], signed_chart, env)
    ours = _run(
        [sys.executable, "-m", "steersman", "template", "--verify", *args], signed_chart, env
    )
    assert ours == helm


@pytest.mark.parametrize("chart_type", ["application", "library"])
def test_chart_api_v3_is_refused_in_helms_words(
    chart_type: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """helm v4.1.4 loads an apiVersion v3 chart, then refuses it: a library chart as not
    installable, any other in the install action (`invalid chart apiVersion`)."""
    chart = tmp_path / "v3"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        f"apiVersion: v3\nname: v3\nversion: 0.1.0\ntype: {chart_type}\n"
    )
    env = dict(helm_home_env, HOME=str(tmp_path / "home"), KUBECONFIG=os.devnull)
    helm = _run([str(helm_v4), "template", "v3"], tmp_path, env)
    ours = _run([sys.executable, "-m", "steersman", "template", "v3"], tmp_path, env)
    assert helm[0] == 1 and helm[2].startswith("Error: ")
    assert ours == helm
