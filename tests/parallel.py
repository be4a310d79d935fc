"""Real concurrent transactions in tests: each call runs in its own thread, hence on its
own database connection and in its own transaction, all released at the same moment."""

import threading

from django.db import close_old_connections, connection


def run_at_once(calls, *, timeout=30):
    """Run each zero-argument callable of `calls` in its own thread, all started together
    (a barrier). Returns their results and the exceptions they raised (order: as they end)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:  # handed to the test, which asserts there is none
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    close_old_connections()
    return results, errors
