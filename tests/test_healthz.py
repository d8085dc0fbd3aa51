from django.db import connections

import forum.views


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_when_the_database_is_unreachable(client, db, monkeypatch):
    default = connections["default"]
    unreachable = {**default.settings_dict, "HOST": "/nonexistent-socket-dir", "PORT": "1"}
    down = type(default)(unreachable, alias="down")
    monkeypatch.setattr(forum.views, "connection", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database unavailable" in response.content
