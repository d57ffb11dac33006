"""the experts' check of a mid-way milestone's report: experts, opinion, conclusion, who and when

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

EXPERT_CHECK_KNOWN = ("(expert_conclusion IS NULL AND expert_checked_at IS NULL) OR "
                      "(expert_conclusion IN ('satisfactory', 'not_satisfactory') AND expert_checked_at IS NOT NULL "
                      "AND expert_names IS NOT NULL AND expert_opinion IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('project_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expert_names', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('expert_opinion', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('expert_conclusion', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('expert_checked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('expert_checked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_project_reports_expert_checked_by_id_users'), 'users',
                                    ['expert_checked_by_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_project_reports_expert_check_known'), EXPERT_CHECK_KNOWN)


def downgrade():
    with op.batch_alter_table('project_reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_project_reports_expert_check_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_project_reports_expert_checked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('expert_checked_by_id')
        batch_op.drop_column('expert_checked_at')
        batch_op.drop_column('expert_conclusion')
        batch_op.drop_column('expert_opinion')
        batch_op.drop_column('expert_names')
