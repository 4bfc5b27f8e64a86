"""One model row by a written-out query, for the lookups made on every signed-in request.

The ORM compiles its SQL anew on each call, which costs ten times what running a primary-key
query does. ``fetch_one`` keeps each statement and its field converters per connection and builds
the instance with ``Model.from_db``, the way the ORM itself does, so the result is the same model
instance (aware datetimes, booleans) a queryset would give.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple, object], ...]  # (position, converters, column expression)


# Converters are bound to a connection's operations, and each thread has its own connection.
_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _statement(model: type[Model], where: str, connection) -> _Statement:
    known = _statements.setdefault(connection, {})
    statement = known.get((model, where))
    if statement is None:
        fields = model._meta.concrete_fields
        table = model._meta.db_table
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((position, tuple(found), column))
        statement = _Statement(
            # Names come from model metadata and ``where`` from our code; values are always parameters.
            sql=f"SELECT {columns} FROM {quote(table)} WHERE {where}",  # noqa: S608
            attnames=tuple(field.attname for field in fields),
            converters=tuple(converters),
        )
        known[(model, where)] = statement
    return statement


def fetch_one[M: Model](model: type[M], where: str, params: Sequence) -> M | None:
    """The first ``model`` row matching ``where`` (SQL over column names, ``%s`` placeholders), or None.

    ``params`` are passed to the database driver as they are: adapt datetimes with
    ``connection.ops.adapt_datetimefield_value`` first.
    """
    alias = router.db_for_read(model)
    connection = connections[alias]
    statement = _statement(model, where, connection)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for position, converters, column in statement.converters:
        value = values[position]
        for converter in converters:
            value = converter(value, column, connection)
        values[position] = value
    return model.from_db(alias, list(statement.attnames), values)


def fetch_by_pk[M: Model](model: type[M], pk) -> M | None:
    """The ``model`` row with primary key ``pk`` (already of the key's type), or None."""
    connection = connections[router.db_for_read(model)]
    return fetch_one(model, f"{connection.ops.quote_name(model._meta.pk.column)} = %s", [pk])


def database_datetime(model: type[Model], value):
    """``value`` as the driver of ``model``'s database takes a datetime parameter."""
    return connections[router.db_for_read(model)].ops.adapt_datetimefield_value(value)
