"""demo clock: one row holding the offset from real time

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "demo_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offset_seconds", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_demo_clock_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_clock")),
    )


def downgrade():
    op.drop_table("demo_clock")
