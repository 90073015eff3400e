"""The plugin is discoverable and the profile parses (no network)."""

from dbt.adapters.flink import Plugin
from dbt.adapters.flink.connections import FlinkCredentials


def test_plugin_metadata():
    assert Plugin.adapter.type() == "flink"
    assert Plugin.include_path.endswith("dbt/include/flink")


def test_credentials_defaults_and_aliases():
    creds = FlinkCredentials.from_dict({"catalog": "my_cat", "schema": "db", "host": "gw", "port": 9000})
    assert creds.database == "my_cat"
    assert creds.gateway_url() == "http://gw:9000"
    assert creds.rest_url() == "http://gw:8081"
    assert creds.auth_headers() == {}


def test_auth_headers():
    bearer = FlinkCredentials.from_dict({"auth_method": "bearer", "token": "t"})
    assert bearer.auth_headers() == {"Authorization": "Bearer t"}
    basic = FlinkCredentials.from_dict({"auth_method": "basic", "user": "u", "password": "p"})
    assert basic.auth_headers() == {"Authorization": "Basic dTpw"}


def test_dbt_version_lists_the_plugin():
    """`dbt --version` (the first thing a dbt user runs) finds the plugin through the installed package."""
    import subprocess
    import sys
    from pathlib import Path

    from dbt.adapters.flink.__version__ import version

    dbt = Path(sys.executable).parent / "dbt"
    out = subprocess.run([str(dbt), "--version"], capture_output=True, text=True, timeout=120, check=True)
    plugins = out.stdout.split("Plugins:", 1)[-1]
    assert f"flink: {version}" in plugins, out.stdout
