"""One client of Flink's two REST APIs for the whole repository, without dbt imports.

``gateway``: the SQL Gateway (sessions, statements, paged results). ``rest``: the JobManager (jobs,
savepoints, failures, metrics). ``jobnames``: how dbt-deployed jobs are named and read back.
``http``: the plumbing both share (one error for an endpoint that cannot be reached).
"""
