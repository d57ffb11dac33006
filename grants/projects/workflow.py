"""The project lifecycle. So far: creation (in ``contracting``, by the award)
and suspension of a project in contracting or under way (a black entry
against one of its parties, or the officer). The task agreement, resumption and acceptance transitions come
with their areas."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.workflow import Workflow, transition
from grants.projects.models import PROJECT_STATE_LABELS, Project, ProjectState

P = ProjectState

PROJECT_WORKFLOW = Workflow(
    "project", {s.value: label for s, label in PROJECT_STATE_LABELS.items()}, P.contracting.value,
    [
        # Suspension from contracting too: a party black-listed between the award and
        # the task agreement must not sign it (DESIGN lists active ↔ suspended only).
        transition("suspend", (P.contracting, P.active), P.suspended, roles={"officer", "system"},
                   label=_l("Suspend"),
                   comment_required=True, style="danger"),
    ],
)
Project.__workflow__ = PROJECT_WORKFLOW
