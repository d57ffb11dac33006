"""certificates rendered by the job queue: the PDF, its size and SHA-256 are empty until the worker signs it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 22:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

PDF_COMPLETE = ("(pdf IS NULL AND pdf_sha256 IS NULL AND pdf_size IS NULL) OR "
                "(pdf IS NOT NULL AND pdf_sha256 IS NOT NULL AND pdf_size IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('pdf_size', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f('ck_certificates_pdf_complete'), PDF_COMPLETE)


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_certificates_pdf_complete'), type_='check')
        batch_op.alter_column('pdf_size', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
