"""Demo list entries: a few red and black entries for a first look."""
from __future__ import annotations

from datetime import timedelta

from grants.core import clock
from grants.core.codes import complete_credit_code, complete_id_number
from grants.integrity.services import add_entry


def seed_integrity(orgs, users) -> None:
    today = clock.today()
    officer = users.get("officer@demo.cn")
    rows = [
        ("red", "organization", orgs["enterprise"].credit_code, orgs["enterprise"].name,
         "连续三年科技项目绩效评价优秀", "咸科技发〔2025〕12号", today - timedelta(days=200), today + timedelta(days=530)),
        ("red", "organization", orgs["university"].credit_code, orgs["university"].name,
         "科研诚信建设示范单位", "咸科技发〔2025〕13号", today - timedelta(days=100), None),
        ("black", "organization", complete_credit_code("91610100MA6W00009"), "关中虚拟科技有限公司",
         "申报材料弄虚作假，骗取财政科研经费", "咸科技发〔2021〕1号", today - timedelta(days=400),
         today + timedelta(days=330)),
        ("black", "person", complete_id_number("61010419790101055"), "孙某某",
         "论文数据造假（学术不端）", "咸科技发〔2024〕7号", today - timedelta(days=60), today + timedelta(days=20)),
        ("black", "person", complete_id_number("61010519850303066"), "周某某",
         "项目验收材料抄袭", "咸科技发〔2022〕3号", today - timedelta(days=900), today - timedelta(days=170)),
    ]
    for list_kind, subject_type, code, name, reason, basis, start_on, end_on in rows:
        add_entry(actor=officer, list_kind=list_kind, subject_type=subject_type, code=code, name=name,
                  reason=reason, basis=basis, authority="市科学技术局", start_on=start_on, end_on=end_on,
                  source="demo")
