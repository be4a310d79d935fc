"""Bench-only middleware: how many SQL queries a request ran, and how long they took.

Installed only by tests/bench/settings.py, the settings module of the benchmark's
gunicorn (production settings plus this middleware); nothing else uses it. It is the
outermost middleware so the session, authentication and messages queries are counted.

Response headers:
    X-Query-Count      queries executed before the response was returned
    X-SQL-Time-Ms      their total database time
    X-Django-Time-Ms   the whole Django request time (middleware in, view, middleware out)

For a streaming response (CSV export) the queries run while the body is sent, after
the headers: they are not in these figures (the load generator measures rows/s instead).
"""

from time import perf_counter

from django.db import connection


class _QueryCounter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += perf_counter() - started


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        started = perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed = perf_counter() - started
        response["X-Query-Count"] = str(counter.count)
        response["X-SQL-Time-Ms"] = f"{counter.seconds * 1000:.3f}"
        response["X-Django-Time-Ms"] = f"{elapsed * 1000:.3f}"
        return response
