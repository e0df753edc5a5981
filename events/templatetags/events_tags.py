from django import template
from django.utils.safestring import mark_safe

from pricing.money import format_gbp

from ..richtext import render_html

register = template.Library()


@register.filter
def sanitise_html(value) -> str:
    """Staff rich text, sanitised again here: safe to output only because of this cleaning."""
    return mark_safe(render_html(value))  # noqa: S308 - the output of nh3 with a strict allow-list


@register.filter
def gbp(value) -> str:
    return format_gbp(value)
