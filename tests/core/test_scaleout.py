"""The settings and commands of the scale-out shape (docs/deployment.md): the job queue,
shared rate-limit counters, and one module for every uploaded file."""
import re
from pathlib import Path

import pytest

GRANTS = Path(__file__).resolve().parents[2] / "grants"


def test_production_with_a_job_queue_refuses_per_process_rate_limits(monkeypatch):
    from config import ConfigError, ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(ProductionConfig, "WEB_CONCURRENCY", 1)
    monkeypatch.setattr(ProductionConfig, "JOB_QUEUE_URL", "redis://127.0.0.1:6379/1")
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(ConfigError, match="JOB_QUEUE_URL is set"):
        ProductionConfig.validate()
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    ProductionConfig.validate()


def test_the_worker_and_a_queued_tick_need_a_queue_and_say_so(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "JOB_QUEUE_URL is not set" in result.output
    result = runner.invoke(args=["tick", "--queue"])
    assert result.exit_code != 0 and "--queue needs JOB_QUEUE_URL" in result.output


def test_without_a_queue_dispatched_work_runs_inline_or_is_left_to_the_tick(app):
    from grants.core import jobs
    from grants.extensions import db

    done = []
    jobs.dispatch(done.append, "inline")
    jobs.dispatch(done.append, "later", run_inline=False)
    assert done == ["inline"] and "grants_pending_jobs" not in db.session.info


# Reading or writing a file outside grants/core/files.py, and the places that may: key and
# font files of one host, and files an operator names on the command line.
FILE_ACCESS = re.compile(r"send_file\(|\.read_bytes\(|\.write_bytes\(|\.read_text\(|\.write_text\(|"
                         r"\bopen\([^)]*[\"'][rwa]b?[\"']|[\"']UPLOAD_FOLDER[\"']")
ALLOWED = {"core/files.py", "certificates/signing.py", "certificates/fonts.py", "certificates/pdf.py",
           "core/checkpoint.py", "core/backup.py",
           "integrity/cli.py", "acceptance/api.py", "acceptance/views.py"}


def test_every_uploaded_file_is_read_and_written_through_one_module():
    offenders = []
    for path in GRANTS.rglob("*.py"):
        relative = path.relative_to(GRANTS).as_posix()
        if relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FILE_ACCESS.search(line) and not line.lstrip().startswith(("#", '"', "'")):
                offenders.append(f"grants/{relative}:{number}: {line.strip()}")
    assert offenders == [], "open uploads through grants/core/files.py:\n" + "\n".join(offenders)
