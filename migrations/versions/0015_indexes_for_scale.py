"""indexes for scale: the board's orders, bids per challenge, integrity search by code prefix
and by the one- and two-character pieces of names

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None



def _pieces(text):
    text = (text or "").lower()
    found = {text[i:i + n] for n in (1, 2) for i in range(len(text) - n + 1)}
    return " ".join(sorted(p for p in found if not any(ch.isspace() for ch in p)))


def upgrade():
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.create_index('ix_challenges_board', [sa.text("(state != 'published')"), 'deadline_at', 'id', 'state'],
                              unique=False)
        batch_op.create_index('ix_challenges_budget', [sa.text('budget_fen DESC'), sa.text('id DESC'), 'state'],
                              unique=False)
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index('ix_bids_challenge_state', ['challenge_id', 'state'], unique=False)
    op.create_index('ix_integrity_entries_code_prefix', 'integrity_entries', ['subject_code'],
                    postgresql_ops={'subject_code': 'varchar_pattern_ops'})
    with op.batch_alter_table('integrity_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_words', sa.Text(), nullable=True))
    conn = op.get_bind()
    entries = sa.table('integrity_entries', sa.column('id', sa.Integer), sa.column('subject_name', sa.String),
                       sa.column('basis', sa.String), sa.column('search_words', sa.Text))
    rows = conn.execute(sa.select(entries.c.id, entries.c.subject_name, entries.c.basis)).all()
    if rows:
        conn.execute(entries.update().where(entries.c.id == sa.bindparam('entry_id'))
                     .values(search_words=sa.bindparam('words')),
                     [{'entry_id': r.id, 'words': _pieces(f"{r.subject_name} {r.basis}")} for r in rows])
    if conn.dialect.name == 'postgresql':
        op.create_index('ix_integrity_entries_words', 'integrity_entries',
                        [sa.text("string_to_array(search_words, ' ')")], postgresql_using='gin')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_integrity_entries_words', table_name='integrity_entries')
    with op.batch_alter_table('integrity_entries', schema=None) as batch_op:
        batch_op.drop_column('search_words')
    op.drop_index('ix_integrity_entries_code_prefix', table_name='integrity_entries')
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_index('ix_bids_challenge_state')
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index('ix_challenges_budget')
        batch_op.drop_index('ix_challenges_board')
