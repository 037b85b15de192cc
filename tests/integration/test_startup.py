"""Start-up: settings are read when the app is built, and production refuses half a set-up.

In-process: create_app reads the environment when it runs, so each test sets the environment
it wants (monkeypatch) and builds the production app right here.
"""

import pytest

from app import create_app
from app.checks import StartupRefused
from app.extensions import db
from config import BY_VARIABLE, DEVELOPMENT_SECRET_KEY


@pytest.fixture
def environment(monkeypatch):
    """Start from an environment with none of the service's settings; set the ones given."""
    for variable in BY_VARIABLE:
        monkeypatch.delenv(variable, raising=False)

    def set_(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_


def refusal(capsys) -> str:
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_settings_are_read_when_the_app_is_built(environment, database_url):
    environment(DATABASE_URL=database_url, PAGE_SIZE="7", WRITE_RETRIES="2")

    built = create_app("testing")

    assert (built.config["PAGE_SIZE"], built.config["WRITE_RETRIES"]) == (7, 2)
    assert built.config["SQLALCHEMY_DATABASE_URI"] == database_url
    environment(PAGE_SIZE="9")
    assert create_app("testing").config["PAGE_SIZE"] == 9


def test_production_refuses_to_start_without_a_secret_key(environment, database_url, capsys):
    environment(DATABASE_URL=database_url)

    with pytest.raises(StartupRefused) as refused:
        create_app("production")

    assert refused.value.code == 2
    assert refusal(capsys) == (
        "citizens-analyzer refuses to start: SECRET_KEY is not set;"
        " production needs a secret of its own."
    )


def test_production_refuses_the_development_secret_key(environment, database_url, capsys):
    environment(DATABASE_URL=database_url, SECRET_KEY=DEVELOPMENT_SECRET_KEY)

    with pytest.raises(StartupRefused):
        create_app("production")

    assert "SECRET_KEY is the development default" in refusal(capsys)


def test_production_refuses_a_database_that_does_not_answer(environment, capsys):
    environment(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere", SECRET_KEY="s3cret")

    with pytest.raises(StartupRefused):
        create_app("production")

    output = capsys.readouterr().err
    last_line = output.strip().splitlines()[-1]
    assert last_line.startswith("citizens-analyzer refuses to start: the database at DATABASE_URL")
    assert "Traceback" not in output


def test_production_starts_when_set_up(environment, database_url):
    environment(DATABASE_URL=database_url, SECRET_KEY="s3cret")

    built = create_app("production")

    assert built.config["LOG_FORMAT"] == "json"
    with built.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TRUSTED_PROXIES", "-1"),
        ("PAGE_SIZE", "many"),
        ("WRITE_RETRIES", ""),
        ("RATE_LIMIT", "lots/hour"),
        ("RATE_LIMIT_ANONYMOUS", "10 per fortnight"),
    ],
)
def test_a_setting_that_does_not_parse_stops_the_start_naming_it(environment, variable, value):
    environment(**{variable: value})

    with pytest.raises(SystemExit) as refused:
        create_app("testing")

    assert variable in str(refused.value.code) and repr(value) in str(refused.value.code)


def test_production_refuses_to_start_without_a_database_url(environment, capsys):
    environment(SECRET_KEY="s3cret")

    with pytest.raises(StartupRefused):
        create_app("production")

    output = capsys.readouterr().err
    assert refusal_line(output) == (
        "citizens-analyzer refuses to start: DATABASE_URL is not set;"
        " production runs on PostgreSQL."
    )
    assert "Traceback" not in output


def refusal_line(output: str) -> str:
    return output.strip().splitlines()[-1]
