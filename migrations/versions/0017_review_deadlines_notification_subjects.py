"""review deadlines (a due date per assignment, reminders sent for it) and the subject a
notification asks about, so answering the request settles it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 22:40:00

"""
from datetime import datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

REVIEW_DAYS = 14


def upgrade():
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_3_days_reminded_for', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('overdue_reminded_for', sa.Date(), nullable=True))
    conn = op.get_bind()
    assignments = sa.table('review_assignments', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                           sa.column('due_on', sa.Date))
    for row_id, created_at in conn.execute(sa.select(assignments.c.id, assignments.c.created_at)).all():
        if isinstance(created_at, str):
            created_at = datetime.fromisoformat(created_at)
        conn.execute(assignments.update().where(assignments.c.id == row_id)
                     .values(due_on=(created_at + timedelta(days=REVIEW_DAYS)).date()))
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.alter_column('due_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_review_assignments_due_on'), ['due_on'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_subject'), ['subject'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_subject'))
        batch_op.drop_column('subject')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_assignments_due_on'))
        batch_op.drop_column('overdue_reminded_for')
        batch_op.drop_column('due_3_days_reminded_for')
        batch_op.drop_column('due_on')
