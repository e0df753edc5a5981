"""Staff-entered rich text (event descriptions): the one list of what HTML is allowed.

Descriptions are cleaned when staff save them (events.services) and again when a page
renders them (the `sanitise_html` template filter), so a row written some other way (a
fixture, a shell, an old import) can never put script on a public page."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset({"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "br"})
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # Only a[href]; "*": set() also drops nh3's default generic attributes (lang, title).
    attributes={"a": {"href"}, "*": set()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    clean_content_tags={"script", "style"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitise_html(html: str | None) -> str:
    """The allowed subset of `html`: p, ul, ol, li, strong, em, a[href], h2-h4, br. Other tags
    are removed (their text kept); script and style are removed with their content."""
    if not html:
        return ""
    return _cleaner.clean(html).strip()


# At render time the same cleaning also gives each element its GOV.UK Frontend class, so the
# description reads like the rest of the page (the stored HTML stays free of classes).
_GOVUK_CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "a": "govuk-link",
}
_render_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={"a": {"href"}, "*": set()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    clean_content_tags={"script", "style"},
    link_rel="noopener noreferrer",
    strip_comments=True,
    set_tag_attribute_values={tag: {"class": css} for tag, css in _GOVUK_CLASSES.items()},
)


def render_html(html: str | None) -> str:
    """Sanitise again (defence in depth) and add GOV.UK classes, for templates."""
    if not html:
        return ""
    return _render_cleaner.clean(html).strip()
