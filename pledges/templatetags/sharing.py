"""`{% load sharing %}`: the share links and the badge's snippets, for any template."""

from django import template

from config.typography import french_text
from pledges.directory.badges import badge_snippets as snippets_of
from pledges.directory.share import pledge_share_text, pledge_share_url, share_links

register = template.Library()


@register.inclusion_tag("includes/_share.html")
def share(url: str, text: str, heading: str = "h2"):
    """The share links of the page at `url` (absolute), offered with `text`."""
    return {
        "links": share_links(url, text),
        "url": url,
        "text": french_text(text),
        "heading": heading,
    }


@register.inclusion_tag("includes/_share.html")
def share_pledge(pledge, heading: str = "h2"):
    """What a signatory shares of their own signature (their list's page for a list's)."""
    return share(pledge_share_url(pledge), pledge_share_text(pledge), heading)


@register.simple_tag
def badge_snippets(pledge):
    return snippets_of(pledge)
