from flask import Blueprint

bp = Blueprint("auth", __name__)


def init_app(app):
    from grants.auth import cli
    from grants.auth.models import user_for_session
    from grants.auth.views import require_new_password
    from grants.extensions import login_manager

    cli.register(app)
    # Checked on every request: a deactivation or a sign-out elsewhere ends this session.
    login_manager.user_loader(user_for_session)
    app.before_request(require_new_password)


from grants.auth import views  # noqa: E402,F401  (routes)
