"""Updating many rows, each with values of its own, in one statement per batch.

Django's `bulk_update` writes `SET field = CASE WHEN id = 1 THEN ... WHEN id = 2 THEN ... END` for every
field: building and running that for the 4,457 claims of a 200-article story took 21 of a synthesis's 32
seconds on PostgreSQL (measured with `bench/load.py`'s story). `update_rows` sends the new values as a table
instead,

    WITH v(id, c0, c1) AS (VALUES (%s, %s, %s), ...)
    UPDATE table SET col0 = v.c0, col1 = v.c1 FROM v WHERE table.id = v.id

(with casts to the columns' types on PostgreSQL), which PostgreSQL and SQLite (3.33 and later) both run as a
join. Values are prepared by the fields themselves (`get_db_prep_save`), so what is written is what `save()`
would write.

`sync_pairs` makes a link table (a many-to-many's through rows) hold a given set of pairs by deleting and
inserting only the difference, so a re-synthesis in which most claims keep their sentences rewrites few rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model

BATCH_ROWS = 2_000
SQLITE_UPDATE_FROM = (3, 33, 0)


def update_rows(model: type[Model], objects: Sequence[Model], fields: Sequence[str]) -> int:
    """Write `fields` of each of `objects` (saved rows of `model`) to the database; returns how many rows."""
    objects = [obj for obj in objects if obj.pk is not None]
    if not objects or not fields:
        return 0
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < SQLITE_UPDATE_FROM:
        return model._base_manager.bulk_update(objects, fields, batch_size=200) or len(objects)
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    names = ["id", *(f"c{k}" for k in range(len(columns)))]

    def typed(expression: str, field) -> str:
        # PostgreSQL types a VALUES column from its values (text for a column of NULLs): cast to the column's
        # type. SQLite needs no cast (a column's affinity applies), and its CAST to a declared type such as
        # "datetime" would turn the value into a number.
        if connection.vendor == "sqlite":
            return expression
        return f"CAST({expression} AS {field.db_type(connection)})"

    assignments = ", ".join(
        f"{quote(field.column)} = {typed('v.' + name, field)}"
        for field, name in zip(columns, names[1:], strict=True)
    )
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BATCH_ROWS):
            batch = objects[start : start + BATCH_ROWS]
            params: list = []
            for obj in batch:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                params.extend(
                    field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns
                )
            # Only the model's own (quoted) table and column names are formatted in; values are parameters.
            values = ", ".join([row] * len(batch))
            sql = (
                f"WITH v({', '.join(names)}) AS (VALUES {values}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v "
                f"WHERE {table}.{quote(pk.column)} = {typed('v.id', pk)}"
            )
            cursor.execute(sql, params)
            written += len(batch)
    return written


def sync_pairs(
    model: type[Model], scope, first: str, second: str, wanted: set[tuple[int, int]]
) -> tuple[int, int]:
    """Make the rows of `model` (a link table) within the queryset `scope` hold exactly the `wanted`
    (`first`_id, `second`_id) pairs: rows of other pairs are deleted, missing pairs inserted, and rows that
    stay are not touched (so a re-synthesis that changes little writes little). Returns (inserted,
    deleted)."""
    first_column, second_column = f"{first}_id", f"{second}_id"
    stale: list[int] = []
    present: set[tuple[int, int]] = set()
    for pk, a, b in scope.values_list("pk", first_column, second_column):
        if (a, b) in wanted and (a, b) not in present:
            present.add((a, b))
        else:
            stale.append(pk)
    for start in range(0, len(stale), BATCH_ROWS):
        model._base_manager.filter(pk__in=stale[start : start + BATCH_ROWS]).delete()
    missing = sorted(wanted - present)
    model._base_manager.bulk_create(
        [model(**{first_column: a, second_column: b}) for a, b in missing], batch_size=BATCH_ROWS
    )
    return len(missing), len(stale)
