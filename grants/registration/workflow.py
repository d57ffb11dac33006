"""The two waiting lists of self-service registration: an organisation's registration and
an expert's application. Each waits for the bureau, which approves it (the organisation
and its manager's account, or the expert's account and pool profile, come into being)
or rejects it with the reason. Both are audited transitions fired through ``fire``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import Role
from grants.core.workflow import Workflow, transition
from grants.integrity.check import Subject, integrity_guard
from grants.integrity.models import SubjectType
from grants.registration import rules, services
from grants.registration.models import APPLICATION_STATE_LABELS, ApplicationState, ExpertApplication, OrgRegistration

S = ApplicationState
STATES = {state.value: label for state, label in APPLICATION_STATE_LABELS.items()}


def _organisation(attempt):
    reg = attempt.obj
    return [Subject(SubjectType.organization, reg.credit_code, reg.name, "organization")]


def _expert(attempt):
    application = attempt.obj
    return [Subject(SubjectType.person, application.id_number, application.name, "reviewer")]


_organisation.__name__ = "organisation"
_expert.__name__ = "expert"

REGISTRATION_WORKFLOW = Workflow("org_registration", STATES, S.submitted.value, [
    transition("approve", S.submitted, S.approved, roles=Role.BUREAU, label=_l("Approve"),
               guards=[rules.email_confirmed, rules.code_still_free, rules.email_still_free,
                       integrity_guard(_organisation, _l("register"))],
               effects=[services.open_organisation]),
    transition("reject", S.submitted, S.rejected, roles=Role.BUREAU, label=_l("Reject"),
               comment_required=True, effects=[services.record_decision], style="danger"),
])
OrgRegistration.__workflow__ = REGISTRATION_WORKFLOW

EXPERT_WORKFLOW = Workflow("expert_application", STATES, S.submitted.value, [
    transition("approve", S.submitted, S.approved, roles=Role.BUREAU, label=_l("Approve"),
               guards=[rules.email_confirmed, rules.email_still_free, rules.id_number_still_free,
                       integrity_guard(_expert, _l("join the expert pool"))],
               effects=[services.admit_expert]),
    transition("reject", S.submitted, S.rejected, roles=Role.BUREAU, label=_l("Reject"),
               comment_required=True, effects=[services.record_decision], style="danger"),
])
ExpertApplication.__workflow__ = EXPERT_WORKFLOW
