"""Words for audit events: what a history table shows instead of codes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.workflow import WORKFLOWS

# Events that are not transitions of a workflow.
ACTION_LABELS = {
    "create": _l("Record created"),
    "update": _l("Updated"),
    "login": _l("Signed in"),
    "activate": _l("Activated"),
    "deactivate": _l("Deactivated"),
    "add": _l("Added"),
    "revoke": _l("Revoked"),
    "import": _l("Imported"),
    "apply_effects": _l("Effects on live work applied"),
    "integrity_flag": _l("Integrity flag raised"),
    "add_attachment": _l("Attachment added"),
    "set_cofunding_ratio": _l("Co-funding ratio set"),
    "save_draft": _l("Draft saved"),
    "confirm_partner": _l("Partnership confirmed"),
    "objection_filed": _l("Objection filed"),
    "assign": _l("Assigned"),
    "draw_reviewers": _l("Panel drawn"),
    "note": _l("Note"),
}


def action_label(event) -> str:
    workflow = WORKFLOWS.get(event.object_type)
    if workflow is not None and event.action in workflow.transitions:
        return str(workflow.transitions[event.action].label)
    label = ACTION_LABELS.get(event.action)
    return str(label) if label is not None else event.action


# Objects whose events carry a status that is not a workflow state (an integrity
# entry's "in force", derived from its dates): their area registers the words.
STATE_LABELS: dict[str, dict] = {}


def add_state_labels(object_type: str, labels: dict) -> None:
    STATE_LABELS.setdefault(object_type, {}).update({str(k): v for k, v in labels.items()})


def state_label(event, state: str | None) -> str:
    if not state:
        return ""
    workflow = WORKFLOWS.get(event.object_type)
    if workflow is not None and state in workflow.states:
        return workflow.state_label(state)
    label = STATE_LABELS.get(event.object_type, {}).get(state)
    return str(label) if label is not None else state
