"""``AnyOf``: an ``IN`` over a Python list that PostgreSQL receives as one array parameter.

``qs.filter(AnyOf(F("child_id"), ids))`` selects what ``child_id__in=ids`` selects. On PostgreSQL
it compiles to ``"child_id" = ANY(%s::bigint[])`` with the list as a single parameter, where
``IN`` sends one placeholder per value: ranked search asks about hundreds of candidate ids at a
time, and binding each one costs Django and psycopg more than PostgreSQL spends on the read.
Elsewhere (SQLite) it is exactly ``IN``. The SQL is Django's lookup compilation as for any other
lookup: the values travel as a parameter, the type name comes from the field's own column type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, Sequence[Any]]:
        field = self.lhs.output_field
        column_type = field.db_type(connection)
        if not self.rhs_is_direct_value() or not column_type:
            return self.as_sql(compiler, connection)  # a subquery: IN (SELECT …) as usual
        # NULL is never equal to anything, as ``In`` says; duplicates add nothing.
        values = list(
            dict.fromkeys(
                field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs if v is not None
            )
        )
        if not values:
            raise EmptyResultSet
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs_sql} = ANY(%s::{column_type}[])", [*lhs_params, values]
