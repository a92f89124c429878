"""goods items: the short list of things a donor may buy (a dinner ticket, an auction
item) with their fair market value, kept by the lead; a gift names one or none

Revision ID: 0013_goods_items
Revises: 0012_alert_notices

Before this, `[event] goods_value` was put on every gift's receipt. Goods now belong to
the gift that bought them; `station_options.goods_saved` says the lead has saved a list
(until then the config's single item is offered, see services/goods.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_goods_items"
down_revision = "0012_alert_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goods_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("value_cents", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("station_options") as batch:
        batch.add_column(sa.Column("goods_saved", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("station_options") as batch:
        batch.drop_column("goods_saved")
    op.drop_table("goods_items")
