"""The UI's pieces that need no server: CSRF tokens, safe redirects, and templates that escape
user data."""

from __future__ import annotations

from types import SimpleNamespace

from ferag.security import csrf_matches, csrf_token
from ferag.web.session import local_path
from ferag.web.templating import CONTENT_SECURITY_POLICY, make_environment


def test_a_csrf_token_belongs_to_its_session_and_secret() -> None:
    token = csrf_token("secret-one", "session-a")
    assert csrf_matches("secret-one", "session-a", token)
    assert not csrf_matches("secret-one", "session-b", token)
    assert not csrf_matches("secret-two", "session-a", token)
    assert not csrf_matches("secret-one", "session-a", None)


def test_redirects_stay_on_this_site() -> None:
    assert local_path("/ui/rags/3?x=1") == "/ui/rags/3?x=1"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example", "", None):
        assert local_path(hostile) == "/"


def test_the_policy_allows_no_inline_script() -> None:
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_user_data_in_a_template_is_escaped() -> None:
    env = make_environment("en")
    template = env.get_template("citation.html")
    citation = SimpleNamespace(
        number=1,
        title="<script>alert(1)</script>",
        path="a/<b>.txt",
        document_iri=None,
        iri="x",
        order=0,
        excerpt='<img src=x onerror="alert(2)">',
    )
    html = template.render(c=citation)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
