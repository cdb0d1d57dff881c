"""The admin's header names a regional moderator's scope (« Périmètre : Hauts-de-France »)."""

from django import template

from pledges.moderation.scope import is_scoped, scope_label

register = template.Library()


@register.simple_tag
def moderator_scope(user) -> str:
    """The régions a scoped staff account sees, « » for an account that sees them all."""
    if not getattr(user, "is_staff", False) or not is_scoped(user):
        return ""
    return scope_label(user)
