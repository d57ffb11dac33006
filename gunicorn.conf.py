"""Gunicorn reads this file from the folder it starts in (``gunicorn wsgi:app``).

Sign-in and API rate limits live in RATELIMIT_STORAGE_URI (or REDIS_URL). The
in-memory default counts per process, so with more than one worker an attacker
would get each worker's allowance: the server refuses to start that way.
"""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)


def on_starting(server):
    from config import ConfigError, check_rate_limit_storage

    storage = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    try:
        check_rate_limit_storage(storage, server.cfg.workers, queue=os.environ.get("JOB_QUEUE_URL"))
    except ConfigError as exc:
        raise SystemExit(f"Error: {exc}") from None


def post_worker_init(worker):
    """The application is loaded: its modules, compiled templates and translations live as
    long as the worker. Frozen, they are left out of every later garbage collection, so a
    full collection walks only what requests made (it paused a certificate render for about
    200 ms at a time; a fifth of that frozen, docs/performance.md)."""
    import gc

    gc.freeze()
