"""Django's PostgreSQL backend, with two savings on the requests that are one indexed read.

A health check that costs no round trip. With CONN_HEALTH_CHECKS, Django asks a kept
connection `SELECT 1` before each request's first query, so that a connection the server
has dropped (a restart, a failover) is replaced instead of failing the request. A server
that drops a connection says so on the socket (a goodbye message, then the end of the
stream), so reading what is waiting there, without blocking, tells the same for no round
trip. A connection that dies silently (a cable pulled) is not caught this way, nor by
`SELECT 1` until the network gives up; its request gets the 503 of `petitions_site.errors`,
and Django closes it for the next request.

Prepared queries, where asked for (`prepared_cursor`). Django binds parameters in the
client, so PostgreSQL parses and plans every query afresh: for the query that serves a
stored page (a petition's version joined to its page) planning is three times the
execution. A cursor that binds on the server lets psycopg prepare the query once per
connection (OPTIONS `prepare_threshold`; settings.py sets 0, at once, unless
PREPARED_STATEMENTS=0, as a connection pooler in transaction mode needs).
"""

from django.db.backends.postgresql import base, operations
from psycopg import OperationalError
from psycopg.pq import ConnStatus


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        if isinstance(cursor, base.ServerBindingCursor):  # logged as Django would send it
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        try:
            # The first read takes what the server sent (its "terminating connection"
            # notice), the second meets the end of the stream if it closed.
            pgconn.consume_input()
            pgconn.consume_input()
        except OperationalError:
            return False
        return pgconn.status == ConnStatus.OK

    def prepared_cursor(self):
        """A cursor like `cursor()` (health check, error wrapping, query logging) whose
        queries are bound on the server, and so prepared once per connection."""
        wrapper = self.cursor()
        wrapper.cursor = base.ServerBindingCursor(self.connection)
        return wrapper
