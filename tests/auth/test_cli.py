import sqlalchemy as sa

from grants.auth.models import Organization, User
from grants.extensions import db
from tests.factories import credit_code, id_number


def test_orgs_and_users_can_be_created_from_the_command_line(app):
    runner = app.test_cli_runner()
    code = credit_code()
    result = runner.invoke(args=["orgs", "create", "--name", "西北理工大学", "--kind", "university",
                                 "--credit-code", code])
    assert result.exit_code == 0, result.output
    ident = id_number()
    result = runner.invoke(args=["users", "create", "--email", "pi@example.cn", "--name", "张三",
                                 "--role", "applicant", "--org", code, "--id-number", ident],
                           input="a-long-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "pi@example.cn"))
    assert user.check_password("a-long-password")
    assert user.organization.credit_code == code and user.person.id_number == ident


def test_bad_credit_code_exits_non_zero_with_the_reason(app):
    result = app.test_cli_runner().invoke(args=["orgs", "create", "--name", "X", "--kind", "enterprise",
                                                "--credit-code", "91610100MA6TAB0010"])
    assert result.exit_code == 2
    assert "校验码不正确" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0


def test_user_for_unknown_org_or_short_password_is_refused(app, make):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "a@example.cn", "--name", "A",
                                 "--role", "enterprise", "--org", credit_code()], input="long-password\n")
    assert result.exit_code == 2 and "no organisation with credit code" in result.output
    org = make.org()
    result = runner.invoke(args=["users", "create", "--email", "a@example.cn", "--name", "A",
                                 "--role", "enterprise", "--org", org.credit_code], input="short\n")
    assert result.exit_code == 2 and "密码至少需要 8 个字符" in result.output


def test_users_deactivate(app, make):
    make.user("officer", email="bye@example.cn")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "deactivate", "--email", "bye@example.cn"]).exit_code == 0
    assert db.session.scalar(sa.select(User.active).where(User.email == "bye@example.cn")) is False
    result = runner.invoke(args=["users", "deactivate", "--email", "nobody@example.cn"])
    assert result.exit_code == 2 and "no user" in result.output


def test_demo_seed_creates_one_account_per_role_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    roles = set(db.session.scalars(sa.select(User.role)).all())
    assert roles == {"admin", "officer", "enterprise", "applicant", "reviewer"}
    second = runner.invoke(args=["demo", "seed"])
    assert "already present" in second.output
    assert "officer@demo.cn" in second.output
