"""{% load french %}: the grammar of communes.grammar in templates.

- `{{ "que"|elide:candidate.first_name }}` → « qu’Alex », « que Bruno »;
- `{{ "que"|elision:name }}` → the word alone, « qu’ » or « que » and a space, for a name
  that has markup of its own (« en tant {{ que }}<strong>{{ name }}</strong> »);
- `{{ electoral_list.place|a_lieu }}` → « au Mans », « à Marseille, 1er secteur »: « à »
  before a display name, contracted with the article the name shows;
- `{{ pledge.approved_at|french_date }}` → « 1er décembre 2020 » (the one date format of
  the site's text: Django's `date:"j F Y"` cannot say « 1er »); `|french_date:"H:i"` adds
  the time in that format, « 1er décembre 2020 à 14:05 ».
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from communes import grammar

register = template.Library()


@register.filter(needs_autoescape=True)
def elide(word, following, autoescape=True):
    escape = conditional_escape if autoescape else str
    return mark_safe(escape(grammar.elide(str(word), str(following))))


@register.filter
def elision(word, following):
    """« qu’ » before « Alex », « que  » (with its space) before « Bruno »."""
    return grammar.elide(str(word), str(following))[: -len(str(following)) or None]


@register.filter
def a_lieu(place):
    """« au Mans », « aux Lilas », « à Paris »: « à » before a place's display name."""
    return grammar.a_lieu(str(place)) if place else ""


@register.filter(expects_localtime=True)
def french_date(value, arg=""):
    if not value:
        return ""
    return grammar.french_date(value, time_format=arg or None)
