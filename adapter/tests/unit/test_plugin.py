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
