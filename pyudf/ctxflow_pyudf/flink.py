"""PyFlink wrappers of the scoring functions, registered from the dbt profile's init_statements:

    CREATE TEMPORARY SYSTEM FUNCTION repayment_risk AS 'ctxflow_pyudf.flink.repayment_risk' LANGUAGE PYTHON

Imported only where apache-flink is installed (the PyFlink venv of the Python workers, `make pyflink`).
"""

from pyflink.table import DataTypes
from pyflink.table.udf import udf

from . import risk

# Deterministic: the planner may fold a call on constants; the score is a pure function of its inputs.
repayment_risk = udf(risk.repayment_risk, result_type=DataTypes.DOUBLE(), deterministic=True)
