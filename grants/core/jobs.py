"""Work no request waits for: rendering certificates, sending e-mail, ``flask tick``.

With ``JOB_QUEUE_URL`` set (e.g. ``redis://127.0.0.1:6379/0``), :func:`dispatch`
puts the call on an RQ queue in Redis once the current transaction commits
(a rollback drops it: a worker never looks for rows that were not kept), and
``flask worker`` runs it in an application context of its own, committing
when the call returns. Without it (the SQLite trial, the tests) the call runs
inline, at once, in the caller's transaction, as it always did: the work is
the same function either way, only the dispatch differs.

A job names its function by import path (``"grants.certificates.services:render_job"``),
so the worker imports the same code as the web process; arguments are plain
values (ids), never ORM objects.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from grants.extensions import db

QUEUE_NAME = "grants"
_PENDING = "grants_pending_jobs"
_worker_app: Flask | None = None  # the app `flask worker` runs jobs in


def queue_url() -> str | None:
    return current_app.config.get("JOB_QUEUE_URL") or None if has_app_context() else None


def queue_configured() -> bool:
    return bool(queue_url())


def path_of(func: Callable) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def _resolve(path: str) -> Callable:
    module, _, name = path.partition(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


_clients: dict[str, object] = {}


def connection(url: str | None = None):
    """One Redis client (and connection pool) per URL and process."""
    from redis import Redis

    url = url or queue_url()
    if url not in _clients:
        _clients[url] = Redis.from_url(url)
    return _clients[url]


def queue(url: str | None = None):
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connection(url))


def dispatch(func: Callable, *args, run_inline: bool = True, retries: int = 3) -> None:
    """Run ``func(*args)`` on the queue after this transaction commits, or, without
    a queue, now (``run_inline``; otherwise not at all: e.g. e-mail, which
    ``flask tick`` and ``flask mail send`` deliver anyway)."""
    if not queue_configured():
        if run_inline:
            func(*args)
        return
    pending = db.session.info.setdefault(_PENDING, [])
    if (path_of(func), args, retries) not in pending:  # e.g. one e-mail run for ten notices
        pending.append((path_of(func), args, retries))


@contextmanager
def exclusive(name: str, *, wait: float = 0, timeout: float = 3600) -> Iterator[bool]:
    """Hold a lock in Redis named ``name`` across every process (True), or learn that
    another holds it (False, after waiting up to ``wait`` seconds). Without a queue
    there is one process doing the work, and the lock is always held."""
    if not queue_configured():
        yield True
        return
    lock = connection().lock(f"grants:{name}", timeout=timeout, blocking=wait > 0,
                             blocking_timeout=wait or None)
    held = lock.acquire()
    try:
        yield bool(held)
    finally:
        if held:
            lock.release()


def enqueue(func: Callable, *args, retries: int = 3, job_id: str | None = None):
    """Put ``func(*args)`` on the queue now (outside any transaction: a command, a timer)."""
    from rq import Retry

    retry = Retry(max=retries, interval=[10, 60, 300][:retries]) if retries else None
    return queue().enqueue(run_job, path_of(func), list(args), retry=retry, job_id=job_id,
                           description=f"{func.__qualname__}{tuple(args)!r}")


@sa.event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for path, args, retries in pending:
        try:
            enqueue(_resolve(path), *args, retries=retries)
        except Exception:  # Redis away: the rows are committed; the tick catches up (see each job)
            current_app.logger.exception("could not queue %s%r", path, tuple(args))


@sa.event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def run_job(path: str, args: list):
    """What the worker runs: the function in an app context, committed when it returns."""
    app = _worker_app
    if app is None:  # a plain `rq worker`: build the app from the environment
        from grants import create_app

        app = create_app()
    with app.app_context():
        try:
            result = _resolve(path)(*args)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def start_worker(app: Flask, *, burst: bool = False, url: str | None = None) -> bool:
    """Process jobs until stopped (or, with ``burst``, until the queue is empty).

    Jobs run one after another in the worker's own process (RQ's
    SimpleWorker, no fork per job), so a database connection pool is never
    shared across a fork; run several ``flask worker`` processes for more.
    The worker also moves retries that wait (10 s, 1 min, 5 min) back onto the
    queue when they are due."""
    from rq import SimpleWorker

    global _worker_app
    _worker_app = app
    with app.app_context():
        url = url or queue_url()
    redis = connection(url)
    worker = SimpleWorker([queue(url)], connection=redis)
    return worker.work(burst=burst, with_scheduler=True)
