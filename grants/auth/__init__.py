from flask import Blueprint

bp = Blueprint("auth", __name__)


def init_app(app):
    from grants.auth import cli
    from grants.auth.models import User
    from grants.extensions import db, login_manager

    cli.register(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        # Sessions outlive a deactivation: check on every request.
        return user if user is not None and user.is_active else None


from grants.auth import views  # noqa: E402,F401  (routes)
