"""Demo expert pool: the demo reviewer and three more experts with profiles."""
from __future__ import annotations

from grants.auth import services as accounts
from grants.core.codes import complete_id_number
from grants.core.demo import DEMO_PASSWORD
from grants.core.permissions import Role
from grants.reviews.profiles import save_reviewer_profile

EXPERTS = [
    ("expert2@demo.cn", "刘工程师", "高级工程师", ["smart_manufacturing", "electronic_information"], "61011319700202004"),
    ("expert3@demo.cn", "周研究员", "研究员", ["smart_manufacturing", "new_materials"], "61011319720303005"),
    ("expert4@demo.cn", "吴教授", "教授", ["biomedicine"], "61011319740404006"),
]


def seed_reviewer_pool(orgs, users) -> None:
    save_reviewer_profile(users["reviewer@demo.cn"], fields=["smart_manufacturing"], title="教授级高级工程师")
    for email, name, title, fields, id_body in EXPERTS:
        user = accounts.create_user(email=email, display_name=name, password=DEMO_PASSWORD, role=Role.reviewer,
                                    organization=None, id_number=complete_id_number(id_body))
        save_reviewer_profile(user, fields=fields, title=title)
