"""Hooks for django-allauth."""


def user_display(user) -> str:
    """How allauth names the account in its messages: by its e-mail address."""
    return user.email
