"""More dbt-tests-adapter cases (show, query comments, relation type changes, caching)."""

from dbt.tests.adapter.caching.test_caching import BaseCachingLowercaseModel, BaseCachingSelectedSchemaOnly
from dbt.tests.adapter.dbt_show.test_dbt_show import BaseShowLimit, BaseShowSqlHeader
from dbt.tests.adapter.query_comment.test_query_comment import BaseQueryComments
from dbt.tests.adapter.relations.test_changing_relation_type import BaseChangeRelationTypeValidator

from tests.functional.adapter.test_basic import FlinkStorage


class TestShowLimitFlink(FlinkStorage, BaseShowLimit):
    NAME = "show_limit"


class TestShowSqlHeaderFlink(FlinkStorage, BaseShowSqlHeader):
    NAME = "show_sql_header"


class TestQueryCommentsFlink(BaseQueryComments):
    pass


class TestChangeRelationTypesFlink(FlinkStorage, BaseChangeRelationTypeValidator):
    NAME = "change_relation_type"


class TestCachingLowercaseFlink(FlinkStorage, BaseCachingLowercaseModel):
    NAME = "caching"


class TestCachingSelectedSchemaOnlyFlink(FlinkStorage, BaseCachingSelectedSchemaOnly):
    NAME = "caching_selected"
