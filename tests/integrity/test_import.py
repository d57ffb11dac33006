import hashlib

import pytest
import sqlalchemy as sa

from grants.core.models import AuditEvent
from grants.extensions import db
from grants.integrity import imports
from grants.integrity.check import check, org_subject
from grants.integrity.imports import FileRefused, import_entries
from grants.integrity.models import IntegrityEntry, IntegrityImport
from tests.factories import INTEGRITY_HEADER, credit_code, integrity_csv, integrity_row


def entry_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(IntegrityEntry.id)))


def run_import(app, tmp_path, data: bytes, *args):
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["integrity", "import", str(path), *args])


def test_good_file_is_imported_with_one_audit_event_naming_its_hash(app, make, tmp_path):
    org = make.org()
    person = make.person()
    data = integrity_csv([integrity_row(org), integrity_row(person, list_kind="red", end_on="")])
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 added, 0 already present" in result.output
    assert check([org_subject(org)]).blocked
    red = db.session.scalar(sa.select(IntegrityEntry).where(IntegrityEntry.subject_code == person.id_number))
    assert red.end_on is None and red.import_id is not None
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "integrity_import")).all()
    assert len(events) == 1
    assert events[0].evidence["sha256"] == hashlib.sha256(data).hexdigest()
    assert events[0].evidence["added"] == 2
    # no per-entry audit events for a bulk import
    assert not db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                                 .where(AuditEvent.object_type == "integrity_entry"))


def test_bad_rows_are_reported_by_line_and_nothing_is_written(app, tmp_path):
    good = credit_code()
    bad_code = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = integrity_csv([
        integrity_row(),
        ["black", "organization", bad_code, "坏代码公司", "理由", "咸科技发〔2026〕1号", "市科学技术局", "2026-01-01", ""],
        integrity_row(start_on="2026/01/01"),
        integrity_row(list_kind="grey"),
        integrity_row(start_on="2026-05-01", end_on="2026-04-01"),
    ])
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 1
    out = result.output
    assert "第 3 行" in out and "校验码不正确" in out
    assert "第 4 行" in out and "YYYY-MM-DD" in out
    assert "第 5 行" in out and "第 6 行" in out and "第 2 行" not in out
    assert "nothing was imported" in out
    assert entry_count() == 0
    assert not db.session.scalar(sa.select(sa.func.count(IntegrityImport.id)))


def test_skip_invalid_imports_the_good_rows(app, tmp_path):
    data = integrity_csv([integrity_row(), integrity_row(list_kind="grey"), integrity_row()])
    result = run_import(app, tmp_path, data, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "3 rows: 2 added, 0 already present, 1 invalid skipped" in result.output
    assert entry_count() == 2


def test_reimporting_the_same_file_adds_nothing_twice(app, tmp_path):
    row = integrity_row()
    data = integrity_csv([row, integrity_row(), row])  # the file itself repeats a row
    first = run_import(app, tmp_path, data)
    assert "3 rows: 2 added, 1 already present" in first.output
    second = run_import(app, tmp_path, data)
    assert second.exit_code == 0
    assert "3 rows: 0 added, 3 already present" in second.output
    assert entry_count() == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_utf8_with_or_without_bom_and_gbk_are_read(app, encoding):
    data = integrity_csv([integrity_row(name="秦川智能装备有限公司")], encoding=encoding)
    report = import_entries(data, file_name="list.csv")
    assert report.written and report.added == 1
    assert db.session.scalar(sa.select(IntegrityEntry.subject_name)) == "秦川智能装备有限公司"


def test_wrong_encoding_is_refused_clearly(app, tmp_path):
    data = integrity_csv([integrity_row()]).decode().encode("utf-16")
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 2
    assert "既不是 UTF-8 也不是 GBK" in result.output
    assert entry_count() == 0


def test_missing_column_is_refused(app):
    header = INTEGRITY_HEADER.replace(",authority", "")
    data = integrity_csv([integrity_row()[:6] + integrity_row()[7:]], header=header)
    with pytest.raises(FileRefused) as refused:
        import_entries(data, file_name="list.csv")
    assert "缺少：authority" in str(refused.value)


@pytest.mark.parametrize("data, message", [(b"", "文件是空的"), (b"\xef\xbb\xbf\n\n", "文件是空的"),
                                           (INTEGRITY_HEADER.encode() + b"\n", "没有任何条目")])
def test_empty_file_is_refused(app, data, message):
    with pytest.raises(FileRefused) as refused:
        import_entries(data, file_name="list.csv")
    assert message in str(refused.value)


def test_too_many_rows_are_refused_before_anything_is_written(app, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 20)
    data = integrity_csv([integrity_row() for _ in range(21)])
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 2
    assert "超过 20 行" in result.output
    assert entry_count() == 0


def test_overlong_fields_are_reported_not_crashed_on(app):
    data = integrity_csv([integrity_row(name="名" * 10_000), integrity_row(reason="理" * 20_000)])
    report = import_entries(data, file_name="list.csv")
    assert not report.written
    assert [e.line for e in report.errors] == [2, 3]
    assert "200" in report.errors[0].message
    assert "10000" in report.errors[1].message
    assert entry_count() == 0


def test_a_field_beyond_the_csv_limit_is_refused(app):
    data = integrity_csv([integrity_row(reason="x" * 200_000)])
    with pytest.raises(FileRefused) as refused:
        import_entries(data, file_name="list.csv")
    assert "第 2 行" in str(refused.value)


def test_export_round_trips_through_import(app, make, tmp_path):
    org = make.org(name="导出单位")
    make.black(org)
    make.red(make.person())
    revoked = make.black(make.org())
    from grants.integrity.services import revoke_entry

    revoke_entry(revoked, actor=None, reason="更正")
    out = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["integrity", "export", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == INTEGRITY_HEADER and "导出单位" in text
    assert len(text.splitlines()) == 3  # header + two entries in force, the revoked one left out
    # the same file imported again is all "already present"
    report = import_entries(out.read_bytes(), file_name="out.csv")
    assert report.written and report.added == 0 and report.already_present == 2


def test_large_files_compare_with_the_whole_table(app, make, monkeypatch):
    monkeypatch.setattr(imports, "WHOLE_TABLE_ABOVE", 2)
    make.black(make.org())  # an unrelated stored entry
    rows = [integrity_row() for _ in range(4)]
    assert import_entries(integrity_csv(rows), file_name="a.csv").added == 4
    report = import_entries(integrity_csv(rows + [integrity_row()]), file_name="b.csv")
    assert (report.added, report.already_present) == (1, 4)


def test_the_sample_file_imports(app):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "docs" / "integrity-sample.csv"
    report = import_entries(sample.read_bytes(), file_name=sample.name)
    assert report.written and report.added == 4 and not report.errors


def test_a_million_rows_are_refused_quickly_and_nothing_is_written(app, tmp_path):
    data = (INTEGRITY_HEADER + "\n").encode() + b"black,organization,x,x,x,x,x,2026-01-01,\n" * 1_000_000
    result = run_import(app, tmp_path, data)
    assert result.exit_code == 2
    assert "超过 200,000 行" in result.output
    assert entry_count() == 0
