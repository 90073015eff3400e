"""ctxflow's Python UDFs: plain scoring functions (risk.py) and their PyFlink wrappers (flink.py)."""
