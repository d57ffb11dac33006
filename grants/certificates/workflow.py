"""The certificate lifecycle: issued (by :func:`grants.certificates.services.issue_certificate`,
audited as ``issue``) → revoked, by the bureau with a reason (e.g. misconduct
found later). Nothing is deleted: a revoked certificate stays on record and
verification says it was revoked, when and why."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.certificates.models import CERTIFICATE_STATE_LABELS, Certificate, CertificateState
from grants.core.history import ACTION_LABELS
from grants.core.permissions import Role
from grants.core.workflow import Workflow, transition

C = CertificateState

# Issuing creates the certificate (the "issue" audit event); it is not a transition.
ACTION_LABELS.setdefault("issue", _l("Certificate issued"))
# With a job queue the worker renders and signs the PDF after the issue (grants/core/jobs.py).
ACTION_LABELS.setdefault("render", _l("Certificate PDF signed"))


def _record_revocation(attempt) -> None:
    attempt.obj.revoked_at = attempt.now
    attempt.obj.revoked_reason = attempt.comment


CERTIFICATE_WORKFLOW = Workflow(
    "certificate", {s.value: label for s, label in CERTIFICATE_STATE_LABELS.items()}, C.issued.value,
    [
        transition("revoke", C.issued, C.revoked, roles=Role.BUREAU, label=_l("Revoke"),
                   effects=[_record_revocation], comment_required=True, style="danger"),
    ],
)
Certificate.__workflow__ = CERTIFICATE_WORKFLOW
