"""``/api/v1/certificates`` (the bureau and the project's parties) and
``/api/v1/verify`` (public): acceptance certificates and their verification.

A certificate's data is what was printed on it (``contents``); the PDF is
served as issued, byte for byte. Revocation is the ``revoke`` transition
(``POST /certificates/<id>/transitions/revoke`` with a ``comment``).
"""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask_babel import gettext as _
from flask_smorest.fields import Upload

from grants.api.auth import body_limit, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import ApiSchema, IdField, QuerySchema, UtcDateTime
from grants.certificates import services, verification
from grants.certificates.models import Certificate, CertificateState
from grants.certificates.views import being_prepared, pdf_response
from grants.core.errors import NotFound, Refused
from grants.core.permissions import can, require
from grants.extensions import db, limiter

blp = api_blueprint("certificates", __name__, "/certificates",
                    description="Acceptance certificates (验收证书) of projects that passed acceptance.")
verify_blp = api_blueprint("verify", __name__, "/verify",
                           description="Public verification of acceptance certificates, by number or by PDF file.")
blueprints = [blp, verify_blp]


class IndicatorSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "The challenge indicator's id"})
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    target = ma.fields.String(required=True)
    promised = ma.fields.String(required=True)
    reached = ma.fields.String(required=True)
    binding = ma.fields.Boolean(required=True)


class ContentsSchema(ma.Schema):
    """What the certificate says, as printed."""

    project_title = ma.fields.String(required=True)
    challenge_title = ma.fields.String(required=True)
    enterprise = ma.fields.String(required=True, metadata={"description": "The organisation that posted the challenge"})
    organization = ma.fields.String(required=True, metadata={"description": "The lead organisation"})
    lead_name = ma.fields.String(required=True)
    award_fen = ma.fields.Integer(required=True)
    released_fen = ma.fields.Integer(required=True)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorSchema), required=True)
    conclusion = ma.fields.String(required=True)
    issued_on = ma.fields.String(required=True)
    verify_url = ma.fields.String(required=True)


class PublicCertificateSchema(ma.Schema):
    number = ma.fields.String(required=True, metadata={"description": "XN-JB-<year>-<sequence>"})
    state = ma.fields.String(required=True, metadata={"enum": [s.value for s in CertificateState]})
    state_label = ma.fields.String(required=True)
    issued_at = UtcDateTime(required=True)
    revoked_at = UtcDateTime(allow_none=True)
    revoked_reason = ma.fields.String(allow_none=True)
    pdf_sha256 = ma.fields.String(required=True, allow_none=True,
                                  metadata={"description": "null while the signed PDF is being prepared"})
    pdf_ready = ma.fields.Boolean(required=True, attribute="is_rendered",
                                  metadata={"description": "false while the job queue renders and signs the PDF"})
    contents = ma.fields.Nested(ContentsSchema, required=True)


class CertificateSchema(PublicCertificateSchema):
    id = ma.fields.Integer(required=True)
    version = ma.fields.Integer(required=True)
    project_id = ma.fields.Integer(required=True)
    signer = ma.fields.String(required=True)
    pdf_size = ma.fields.Integer(required=True, allow_none=True)


class CertificateFilters(QuerySchema):
    state = ma.fields.String(validate=ma.validate.OneOf([s.value for s in CertificateState]))
    project_id = IdField()


class IssueSchema(ApiSchema):
    project_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=2**31 - 1))
    conclusion = ma.fields.String(required=True, metadata={"description": "The acceptance panel's conclusion"})
    reached = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), load_default=dict, metadata={
        "description": "Value reached per indicator: challenge indicator id → value"})


class CertificateUploadSchema(ApiSchema):
    file = Upload(required=True, metadata={"description": "A PDF copy of a certificate, at most 20 MB"})


class SignatureSchema(ma.Schema):
    present = ma.fields.Boolean(required=True)
    valid = ma.fields.Boolean(required=True, metadata={"description": "Intact and covering the whole file"})
    by_bureau = ma.fields.Boolean(required=True, metadata={"description": "Made with the bureau's key"})
    signer = ma.fields.String(allow_none=True)


class VerdictSchema(ma.Schema):
    sha256 = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    identical = ma.fields.Boolean(required=True, metadata={"description": "Byte-identical to an issued certificate"})
    genuine = ma.fields.Boolean(required=True, metadata={"description": "Identical and signed by the bureau"})
    in_force = ma.fields.Boolean(required=True, metadata={"description": "Genuine and not revoked"})
    signature = ma.fields.Nested(SignatureSchema, required=True)
    certificate = ma.fields.Nested(PublicCertificateSchema, allow_none=True)


def load_certificate(certificate_id: int, user) -> Certificate | None:
    """The certificate if the caller may see it (401 without a token), else None."""
    user = require_user()
    certificate = db.session.get(Certificate, certificate_id)
    return certificate if certificate is not None and can("certificates.view", certificate, user) else None


def _not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


@blp.route("", methods=["GET"])
@blp.arguments(CertificateFilters, location="query")
@blp.response(200, CertificateSchema(many=True))
@blp.paginate(SelectPage)
def list_certificates(filters):
    """Certificates the caller may see, newest first"""
    query = services.certificates_visible_to(require_user())
    if filters.get("state"):
        query = query.where(Certificate.state == filters["state"])
    if filters.get("project_id") is not None:
        query = query.where(Certificate.project_id == filters["project_id"])
    return query


@blp.route("", methods=["POST"], permission="certificates.issue", say_why=True)
@blp.arguments(IssueSchema)
@blp.response(201, CertificateSchema)
def issue_certificate(data):
    """Issue the certificate of a project that passed acceptance (the bureau)"""
    from grants.projects.models import Project

    user = require_user()
    require("certificates.issue", user)
    project = db.session.get(Project, data["project_id"])
    if project is None:
        raise _not_found()
    certificate = services.issue_certificate(project, user, conclusion=data["conclusion"], reached=data["reached"])
    db.session.commit()
    return certificate


@blp.route(f"/<{ID}:certificate_id>", methods=["GET"])
@blp.response(200, CertificateSchema)
def get_certificate(certificate_id: int):
    """One certificate"""
    certificate = load_certificate(certificate_id, None)
    if certificate is None:
        raise _not_found()
    return certificate


PDF_RESPONSE = {"200": {"description": "The signed PDF, exactly as issued",
                        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@blp.route(f"/<{ID}:certificate_id>/pdf", methods=["GET"])
@blp.doc(responses=PDF_RESPONSE)
def download_certificate(certificate_id: int):
    """The certificate's signed PDF"""
    certificate = load_certificate(certificate_id, None)
    if certificate is None:
        raise _not_found()
    if not certificate.is_rendered:
        raise Refused(being_prepared(certificate))
    return pdf_response(certificate)


add_transitions(blp, Certificate, load_certificate)
add_history(blp, Certificate, load_certificate)


def _verify_limit() -> str:
    return current_app.config["CERT_VERIFY_RATE_LIMIT"]


@verify_blp.route("/<string(maxlength=40):number>", methods=["GET"])
@verify_blp.response(200, PublicCertificateSchema)
def verify_number(number: str):
    """A certificate's data and status (valid, or revoked with date and reason), by its number"""
    certificate = services.certificate_by_number(number)
    if certificate is None:
        raise NotFound(_("No certificate with number %(number)s was issued.", number=number))
    return certificate


@verify_blp.route("", methods=["POST"])
@body_limit(21 * 1024 * 1024)
@limiter.limit(_verify_limit, key_func=lambda: f"verify:{request.remote_addr}")
@verify_blp.arguments(CertificateUploadSchema, location="files")
@verify_blp.response(200, VerdictSchema)
def verify_file(data):
    """Is this PDF byte-identical to an issued certificate, and signed by the bureau?"""
    return verification.verify_pdf(data["file"].read())
