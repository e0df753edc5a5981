"""Emails read as typed: plain-text parts are never HTML-escaped; HTML parts always are."""

from types import SimpleNamespace

import pytest

from notifications.services import email_render, email_send

NAME = "St Mary's & All Saints <C of E>"


def test_subjects_and_bodies_are_not_html_escaped():
    """Several subject templates have no {% autoescape off %}; an apostrophe in a school's name
    must not arrive as &#x27; in the subject line."""
    school = SimpleNamespace(name=NAME)
    event = SimpleNamespace(title="Maths & English: <Year 6>")
    subject, _, _ = email_render(
        "membership_ordered",
        {
            "membership": SimpleNamespace(year_label="2026/27"),
            "school": school,
            "order": SimpleNamespace(number="HEP-1"),
        },
    )
    assert subject == f"Membership 2026/27 ordered for {NAME} (HEP-1)"
    subject, _, _ = email_render("delegate_ticket", {"event": event})
    assert subject == "Your place: Maths & English: <Year 6>"


@pytest.mark.django_db
def test_html_part_is_autoescaped(outbox, settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "probe_subject.txt").write_text("Hello {{ name }}")
    (tmp_path / "emails" / "probe.txt").write_text("Hello {{ name }}")
    (tmp_path / "emails" / "probe.html").write_text("<p>Hello {{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    email_send(
        template="probe", to=["a@b.test"], context={"name": "<script>x()</script> & co"}, on_commit=False
    )
    [mail] = outbox.to("a@b.test")
    assert mail.subject == "Hello <script>x()</script> & co"
    assert mail.body == "Hello <script>x()</script> & co"
    assert mail.html_body == "<p>Hello &lt;script&gt;x()&lt;/script&gt; &amp; co</p>"
