"""The record model and codec against the exact byte layouts helm v3 and v4 write."""

import base64
import gzip
import json

import pytest

from hack.testkit.storage_samples import make_release
from steersman.storage import InvalidRecord, Release, Status, decode_release, encode_release
from steersman.storage.codec import decode_payload, record_key, release_to_bytes

# The v3 example of helm-storage.md §1.6, byte for byte.
V3_JSON = (
    '{"name":"web","info":{"first_deployed":"2025-03-04T10:15:30.123456789Z","last_deployed":'
    '"2025-03-04T10:15:30.123456789Z","deleted":"","description":"Install complete","status":'
    '"deployed","notes":"Visit http://web.example\\n"},"chart":{"metadata":{"name":"web",'
    '"version":"0.1.0","description":"demo","apiVersion":"v2","appVersion":"1.16.0","type":'
    '"application"},"lock":null,"templates":[{"name":"templates/cm.yaml","data":'
    '"YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnTWFwCm1ldGFkYXRhOgogIG5hbWU6IHt7IC5SZWxlYXNlLk5hbWUgfX0K"}]'
    ',"values":{"replicaCount":1},"schema":null,"files":[{"name":".helmignore","data":"Ki50Z3oK"}]}'
    ',"config":{"replicaCount":2},"manifest":"---\\n# Source: web/templates/cm.yaml\\napiVersion:'
    ' v1\\nkind: ConfigMap\\nmetadata:\\n  name: web\\n","hooks":[{"name":"web-test","kind":"Pod",'
    '"path":"web/templates/tests/test.yaml","manifest":"apiVersion: v1\\nkind: Pod\\n...","events":'
    '["test"],"last_run":{"started_at":"","completed_at":"","phase":""},"delete_policies":'
    '["before-hook-creation"]}],"version":1,"namespace":"default"}'
)


def go_encode(raw: bytes) -> str:
    """What Go writes: gzip header with mtime 0, XFL=2, OS=255."""
    packed = bytearray(gzip.compress(raw, 9, mtime=0))
    packed[9] = 0xFF
    return base64.b64encode(bytes(packed)).decode()


def v4_json() -> str:
    doc = json.loads(V3_JSON)
    del doc["info"]["deleted"]
    doc["hooks"][0]["last_run"] = {"phase": ""}
    chart = doc["chart"]
    doc["chart"] = {
        **{k: chart[k] for k in ("metadata", "lock", "templates", "values", "schema")},
        "schemamodtime": "0001-01-01T00:00:00Z",
        "files": [{**chart["files"][0], "modtime": "2025-01-01T00:00:00.5+02:00"}],
        "modtime": "2025-01-01T00:00:00Z",
    }
    doc["apply_method"] = "ssa"
    return json.dumps(doc, separators=(",", ":"))


def test_v3_record_decodes_to_typed_fields() -> None:
    encoded = go_encode(V3_JSON.encode())
    assert encoded.startswith("H4sIAAAAAAAC/")
    rel = decode_release(encoded)
    assert (rel.name, rel.namespace, rel.version) == ("web", "default", 1)
    assert rel.info.status == Status.DEPLOYED
    assert rel.info.deleted is None
    assert rel.info.last_deployed is not None
    assert rel.info.last_deployed.format() == "2025-03-04T10:15:30.123456789Z"
    assert rel.chart is not None and rel.chart.metadata is not None
    assert rel.chart.metadata.app_version == "1.16.0"
    assert rel.chart.templates is not None
    assert rel.chart.templates[0].data.startswith(b"apiVersion: v1\nkind: ConfigMap")
    assert rel.chart.files is not None and rel.chart.files[0].data == b"*.tgz\n"
    assert rel.config == {"replicaCount": 2}
    assert rel.hooks[0].last_run.started_at is None
    assert rel.hooks[0].delete_policies == ["before-hook-creation"]
    assert rel.apply_method == ""


def test_v3_round_trip_is_semantically_equal() -> None:
    """Re-encoding keeps every value; only v3's empty-time placeholders go (v4 shape)."""
    rel = decode_release(go_encode(V3_JSON.encode()))
    again = json.loads(release_to_bytes(rel))
    expected = json.loads(V3_JSON)
    del expected["info"]["deleted"]
    expected["hooks"][0]["last_run"] = {"phase": ""}
    assert again == expected
    assert list(again) == list(expected)  # Go struct order
    assert decode_release(encode_release(rel)) == rel


def test_v4_record_round_trips_exactly() -> None:
    raw = v4_json()
    rel = decode_release(go_encode(raw.encode()))
    assert rel.apply_method == "ssa"
    assert rel.chart is not None and rel.chart.schemamodtime is not None
    assert rel.chart.schemamodtime.is_zero
    assert release_to_bytes(rel).decode() == raw


def test_unknown_keys_survive_a_read_modify_write() -> None:
    doc = json.loads(V3_JSON)
    doc["future_top"] = {"a": [1, 2]}
    doc["info"]["rollback_revision"] = 3
    doc["info"]["future_info"] = "x"
    doc["chart"]["future_chart"] = True
    doc["chart"]["metadata"]["futureMeta"] = "m"
    doc["hooks"][0]["future_hook"] = 7
    doc["hooks"][0]["last_run"]["future_run"] = "r"
    rel = decode_release(go_encode(json.dumps(doc).encode()))
    rel.info.status = Status.SUPERSEDED
    out = json.loads(release_to_bytes(rel))
    assert out["future_top"] == {"a": [1, 2]}
    assert out["info"]["rollback_revision"] == 3
    assert out["info"]["future_info"] == "x"
    assert out["info"]["status"] == "superseded"
    assert out["chart"]["future_chart"] is True
    assert out["chart"]["metadata"]["futureMeta"] == "m"
    assert out["hooks"][0]["future_hook"] == 7
    assert out["hooks"][0]["last_run"]["future_run"] == "r"


def test_info_resources_is_never_written() -> None:
    doc = json.loads(V3_JSON)
    doc["info"]["resources"] = {"v1/ConfigMap": [{"kind": "ConfigMap"}]}
    rel = decode_release(go_encode(json.dumps(doc).encode()))
    assert "resources" not in json.loads(release_to_bytes(rel))["info"]


def test_plain_json_under_base64_is_read_like_helm() -> None:
    rel = decode_release(base64.b64encode(V3_JSON.encode()).decode())
    assert rel.name == "web"


def test_multi_member_gzip_is_read() -> None:
    raw = V3_JSON.encode()
    packed = gzip.compress(raw[:100], mtime=0) + gzip.compress(raw[100:], mtime=0)
    assert decode_release(base64.b64encode(packed).decode()).name == "web"


@pytest.mark.parametrize(
    "payload",
    [
        V3_JSON,  # raw JSON is not base64: helm fails at that step too
        base64.b64encode(b"\x1f\x8b\x08garbage").decode(),
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b'{"name": "x"}').decode(),  # no info
        base64.b64encode(b'{"name": "x", "info": {}, "version": "1"}').decode(),
    ],
)
def test_broken_records_raise_invalid_record(payload: str) -> None:
    with pytest.raises(InvalidRecord):
        decode_payload(payload) if payload == V3_JSON else decode_release(payload)


def test_encode_is_gzip_base64_without_newlines() -> None:
    rel = make_release("web", 2, "deployed", "ns1", labels={"team": "a"})
    encoded = encode_release(rel)
    assert "\n" not in encoded
    raw = base64.b64decode(encoded)
    assert raw[:3] == b"\x1f\x8b\x08"
    doc = json.loads(gzip.decompress(raw))
    assert "labels" not in doc and "deleted" not in doc["info"]
    assert doc["info"]["last_deployed"] == "2025-03-04T10:02:30.123456789+01:00"
    assert doc["hooks"][0]["last_run"]["phase"] == "Succeeded"
    assert decode_release(encoded).labels == {}  # labels live outside the body


def test_level_9_only_near_the_object_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from steersman.storage import codec

    rel = make_release("web", 1, "deployed", "ns1")
    rel.manifest = "".join(f"kind: ConfigMap\nmetadata: {{name: c{i}}}\n---\n" for i in range(4000))
    fast = codec.gzip_release(rel)
    # gzip's header says which: XFL 0 for levels 2-8, 2 for level 9 (zlib writes it).
    assert fast[8] == 0
    monkeypatch.setattr(codec, "SMALLEST_FROM", len(fast))
    smallest = codec.gzip_release(rel)
    assert smallest[8] == 2 and len(smallest) < len(fast)
    assert gzip.decompress(smallest) == gzip.decompress(fast) == release_to_bytes(rel)


def test_nan_cannot_be_encoded() -> None:
    rel = make_release("web", 1, "deployed", "ns1")
    rel.config = {"x": float("nan")}
    with pytest.raises(InvalidRecord):
        encode_release(rel)


def test_record_key() -> None:
    assert record_key("web", 3) == "sh.helm.release.v1.web.v3"


def test_release_from_json_accepts_go_float_version() -> None:
    doc = json.loads(V3_JSON)
    doc["version"] = 4.0
    assert Release.from_json(doc).version == 4
