import pytest

from steersman.storage import DriverKind, StorageConfigError, load_sql_dsn, select_driver
from steersman.storage.memory import MemoryDriver
from steersman.storage.selection import StorageBackend, normalize_driver_name


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("", DriverKind.SECRET),
        ("secret", DriverKind.SECRET),
        ("Secrets", DriverKind.SECRET),
        ("CONFIGMAP", DriverKind.CONFIGMAP),
        ("configmaps", DriverKind.CONFIGMAP),
        ("Memory", DriverKind.MEMORY),
        ("SQL", DriverKind.SQL),
        (" sql ", DriverKind.SQL),
    ],
)
def test_names_are_normalised(name: str, kind: DriverKind) -> None:
    assert normalize_driver_name(name) is kind


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(StorageConfigError) as err:
        normalize_driver_name("etcd")
    message = str(err.value)
    assert "'etcd'" in message
    for valid in ("secret", "secrets", "configmap", "configmaps", "memory", "sql"):
        assert valid in message
    assert isinstance(err.value, ValueError)


def test_source_order_flag_then_env_then_default() -> None:
    assert select_driver("sql", {"HELM_DRIVER": "configmap"}) is DriverKind.SQL
    assert select_driver(None, {"HELM_DRIVER": "configmap"}) is DriverKind.CONFIGMAP
    assert select_driver("", {"HELM_DRIVER": "Memory"}) is DriverKind.MEMORY
    assert select_driver(None, {}) is DriverKind.SECRET
    assert select_driver(None, {"HELM_DRIVER": ""}) is DriverKind.SECRET
    with pytest.raises(StorageConfigError):
        select_driver(None, {"HELM_DRIVER": "nope"})


def test_dsn_from_env_and_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"HELM_DRIVER_SQL_CONNECTION_STRING": "postgres://u:pw@h/db"}
    assert load_sql_dsn(None, env).reveal() == "postgres://u:pw@h/db"
    secret_file = tmp_path / "dsn"
    secret_file.write_text("postgres://u:filepw@h/db\n")
    assert load_sql_dsn(secret_file, env).reveal() == "postgres://u:filepw@h/db"
    env_file = {"HELM_DRIVER_SQL_CONNECTION_STRING_FILE": str(secret_file)}
    assert load_sql_dsn(None, env_file).reveal() == "postgres://u:filepw@h/db"


def test_missing_dsn_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StorageConfigError, match="HELM_DRIVER_SQL_CONNECTION_STRING"):
        load_sql_dsn(None, {})
    with pytest.raises(StorageConfigError, match="cannot read"):
        load_sql_dsn(tmp_path / "missing", {})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(StorageConfigError, match="empty"):
        load_sql_dsn(tmp_path / "empty", {})


def test_backend_memory_shares_one_store_per_namespace() -> None:
    backend = StorageBackend.from_config("memory", api_client=None, environ={})
    assert backend.kind is DriverKind.MEMORY
    first, second = backend.driver("a"), backend.driver("a")
    assert isinstance(first, MemoryDriver) and first.name == "Memory"
    assert isinstance(second, MemoryDriver)
    assert first._records is second._records


def test_backend_needs_its_resources() -> None:
    with pytest.raises(StorageConfigError):
        StorageBackend(DriverKind.SECRET)
    with pytest.raises(StorageConfigError):
        StorageBackend.from_config("sql", api_client=None, environ={})
