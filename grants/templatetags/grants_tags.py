from django import template

register = template.Library()


@register.filter
def section(sections, key):
    """A report version's text for one section (``version.sections|section:"1"``)."""
    return sections.get(str(key), "")
