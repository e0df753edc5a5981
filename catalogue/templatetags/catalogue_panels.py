from django import template

from catalogue.selectors import package_list_for_school

register = template.Library()


@register.simple_tag
def school_packages(school):
    """{% school_packages acting_school as packages %}: what the dashboard's packages panel lists."""
    return package_list_for_school(school)
