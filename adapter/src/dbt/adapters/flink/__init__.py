from dbt.adapters.base import AdapterPlugin

from dbt.adapters.flink.connections import FlinkConnectionManager, FlinkCredentials  # noqa: F401
from dbt.adapters.flink.impl import FlinkAdapter
from dbt.include import flink

Plugin = AdapterPlugin(
    adapter=FlinkAdapter,
    credentials=FlinkCredentials,
    include_path=flink.PACKAGE_PATH,
)
