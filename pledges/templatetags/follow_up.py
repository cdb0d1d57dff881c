"""The follow-up on the pages that show a signature (list page, signatory page) and in
« Mon espace », without touching their views.

    {% load follow_up %}
    {% follow_up_url pledge as follow_up_url %}   {# "" unless the signature is elected #}
    {% reports_follow_up user as reports %}        {# the account reports for an elected list #}
"""

from django import template
from django.urls import reverse

from pledges.follow_up.services import is_elected, list_side_signatures

register = template.Library()


@register.simple_tag
def follow_up_url(signature) -> str:
    """The public follow-up page of `signature` if it is elected, else "" (no query: its
    list and candidate are already loaded by the pages that show it)."""
    if signature is None or not is_elected(signature):
        return ""
    return reverse("pledges:follow_up_signature", kwargs={"pk": signature.pk})


@register.simple_tag
def reports_follow_up(user) -> bool:
    """Whether `user` reports on an elected signature as the list or the candidate."""
    return list_side_signatures(user).exists()
