"""The project lifecycle. Only creation (in ``contracting``) exists so far;
the task agreement, suspension and acceptance transitions come with their
areas."""
from __future__ import annotations

from grants.core.workflow import Workflow
from grants.projects.models import PROJECT_STATE_LABELS, Project, ProjectState

PROJECT_WORKFLOW = Workflow("project", {s.value: label for s, label in PROJECT_STATE_LABELS.items()},
                            ProjectState.contracting.value, [])
Project.__workflow__ = PROJECT_WORKFLOW
