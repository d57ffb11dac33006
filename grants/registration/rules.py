"""Guards of the registration workflows (who may fire them: ``workflow.py`` and ``permissions.py``)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.auth.models import Organization, Person, User
from grants.extensions import db


def email_confirmed(attempt):
    if attempt.obj.email_confirmed_at is None:
        return _l("The e-mail address %(email)s is not confirmed yet; approve once its owner has "
                  "followed the confirmation link.", email=attempt.obj.email)
    return None


def code_still_free(attempt):
    code = attempt.obj.credit_code
    if db.session.scalar(sa.select(Organization.id).where(Organization.credit_code == code)):
        return _l("The credit code %(code)s has been registered in the meantime.", code=code)
    return None


def email_still_free(attempt):
    email = attempt.obj.email
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        return _l("%(email)s has been given to another account in the meantime.", email=email)
    return None


def id_number_still_free(attempt):
    number = attempt.obj.id_number
    taken = db.session.scalar(sa.select(User.id).join(Person, User.person_id == Person.id)
                              .where(Person.id_number == number))
    if taken:
        return _l("The resident ID number already belongs to another account.")
    return None
