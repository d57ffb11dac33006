"""Exports for spreadsheet programs: text that a spreadsheet would run as a
formula goes out as text, in CSV and in XLSX, on every export."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from grants.core.exports import csv_bytes, safe_cell, unneutralised, xlsx_bytes
from grants.extensions import db
from grants.integrity.imports import import_entries
from tests.challenges.test_pages import signed_in
from tests.projects.helpers import awarded

ATTACKS = ["=HYPERLINK(\"http://evil.example\",\"点此\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_cell_that_would_run_goes_out_as_text(text):
    assert safe_cell(text) == "'" + text
    assert unneutralised(safe_cell(text)) == text


@pytest.mark.parametrize("value", ["合肥光源", "-12.5", "+3", 42, -7, "a=b", "user@example.cn"])
def test_plain_text_and_numbers_are_left_alone(value):
    assert safe_cell(value) == value


def test_xlsx_cells_are_strings_never_formulas():
    book = load_workbook(io.BytesIO(xlsx_bytes("表", [ATTACKS + [5]], header=["a"] * 7)))
    row = list(book.active.iter_rows(min_row=2, values_only=False))[0]
    assert [c.data_type for c in row] == ["s"] * 6 + ["n"]
    assert [c.value for c in row[:6]] == ["'" + t for t in ATTACKS]


def test_csv_rows_are_neutralised():
    rows = list(csv.reader(io.StringIO(csv_bytes(["标题"], [[ATTACKS[0]]]).decode("utf-8-sig"))))
    assert rows == [["标题"], ["'" + ATTACKS[0]]]


def test_the_monitoring_export_in_csv_and_xlsx(app, make):
    project = awarded(make).project
    project.title = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    client = signed_in(app, make.user("officer"))
    body = client.get("/projects/monitor.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body and "\n=HYPERLINK" not in body
    response = client.get("/projects/monitor.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)
    assert "导出 XLSX" in client.get("/projects/monitor").get_data(as_text=True)


def test_the_integrity_export_is_neutralised_and_still_imports(app, make, login, client, tmp_path):
    officer = make.user("officer")
    entry = make.black(make.org(name="@恶意单位"))
    login(officer)
    body = client.get("/integrity/export.csv").get_data().decode("utf-8-sig")
    assert ",'@恶意单位," in body
    report = import_entries(body.encode("utf-8"), file_name="again.csv")
    assert report.already_present == 1 and entry.subject_name == "@恶意单位"


def test_the_ranking_export_is_neutralised(make, login, client):
    from tests.reviews.helpers import accepted_panel, reviewing, score_all

    challenge, officer, bids = reviewing(make, n_bids=1)
    bids[0].title = "=1+1"
    db.session.commit()
    for assignment in accepted_panel(make, challenge, officer, n=3):
        score_all(assignment, bids[0], 80)
    login(officer)
    body = client.get(f"/reviews/challenges/{challenge.id}/export.csv").data.decode("utf-8-sig")
    assert ",'=1+1," in body
    sheet = load_workbook(io.BytesIO(client.get(f"/reviews/challenges/{challenge.id}/export.xlsx").data)).active
    titles = [c for row in sheet.iter_rows() for c in row if c.value == "'=1+1"]
    assert titles and all(c.data_type == "s" for c in titles)
