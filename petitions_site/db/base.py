"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django asks a kept connection `SELECT 1` before each request's
first query, so that a connection the server has dropped (a restart, a failover) is
replaced instead of failing the request. That is a round trip on every request: for a page
that is itself one indexed read, it is a third of the database's work.

A server that drops a connection says so on the socket (a goodbye message, then the end of
the stream), so reading what is waiting there, without blocking, tells the same thing for
no round trip. A connection that dies silently (a cable pulled) is not caught this way, nor
by `SELECT 1` until the network gives up; its request gets the 503 of
`petitions_site.errors`, and Django closes it for the next request.
"""

from django.db.backends.postgresql import base
from psycopg import OperationalError
from psycopg.pq import ConnStatus


class DatabaseWrapper(base.DatabaseWrapper):
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
