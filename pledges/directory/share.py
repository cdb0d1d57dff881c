"""Share links: plain links to each network's own share page, built here once.

No third-party script, no cookie, no request to another site until the person clicks:
each link is an ordinary `<a href>` to the network's share address, with the page's
absolute URL (config.site.absolute_url) and a short text, percent-encoded as RFC 3986
wants (spaces as %20, which mailto: requires, not +). Mastodon has no single address: the
link goes to `/partager/mastodon/`, which asks for the person's instance (remembered by
static/js/share.js in localStorage, never in a cookie) and redirects there
(`mastodon_share_url`). « Copier le lien » is the include's readonly field and button.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.http import public_cache
from config.site import absolute_url
from config.typography import french_text

# A host name as DNS writes it (after IDNA): labels of letters, digits and inner hyphens,
# at least two of them, the last one not all digits (no bare IP address).
HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class ShareLink:
    """One network's link: `name` for the CSS class and tests, `label` as shown."""

    name: str
    label: str
    url: str


def _q(value: str) -> str:
    return quote(value, safe="")


def share_links(url: str, text: str) -> list[ShareLink]:
    """The share links of the page at `url` (absolute), offered with `text`."""
    text = french_text(text)
    together = f"{text} {url}"
    mastodon = reverse("pledges:share_mastodon")
    return [
        ShareLink(
            "facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={_q(url)}"
        ),
        ShareLink(
            "x", "X (Twitter)", f"https://twitter.com/intent/tweet?text={_q(text)}&url={_q(url)}"
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?url={_q(url)}",
        ),
        ShareLink(
            "mastodon", "Mastodon", absolute_url(f"{mastodon}?url={_q(url)}&text={_q(text)}")
        ),
        ShareLink("whatsapp", "WhatsApp", f"https://wa.me/?text={_q(together)}"),
        ShareLink(
            "email",
            _("Courriel"),
            f"mailto:?subject={_q(text)}&body={_q(together)}",
        ),
    ]


def normalize_instance(typed: str) -> str | None:
    """A Mastodon instance as people type it (« mastodon.social », « https://piaille.fr/ »,
    « @moi@mamot.fr ») → its host name in ASCII, or None if it is not one."""
    host = typed.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)  # a scheme
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in host:  # an address: @moi@instance
        host = host.rsplit("@", 1)[1]
    host = host.rstrip(".")
    if not host or len(host) > 253:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return None
    if not all(HOST_LABEL.fullmatch(label) for label in labels):
        return None
    return host


def mastodon_share_url(instance: str, *, text: str, url: str) -> str:
    """The instance's own share page (« /share?text= »), with the text and the link."""
    return f"https://{instance}/share?text={_q(f'{text} {url}'.strip())}"


def is_site_url(url: str) -> bool:
    """Whether `url` is a page of this site: the Mastodon route shares nothing else."""
    return url == absolute_url("/") or url.startswith(absolute_url("/"))


def pledge_share_url(pledge) -> str:
    """The public page a signatory shares: their list's for a list's signature."""
    if pledge.electoral_list_id:
        return absolute_url(pledge.electoral_list.get_absolute_url())
    return absolute_url(pledge.get_absolute_url())


def pledge_share_text(pledge) -> str:
    """What the signatory says when sharing their own signature."""
    if pledge.electoral_list_id:
        return _(
            "Notre liste « %(name)s » a signé les engagements Coorace #Municipales2020 "
            "pour des territoires inclusifs."
        ) % {"name": pledge.electoral_list.name}
    return _("J’ai signé les engagements Coorace #Municipales2020 pour des territoires inclusifs.")


# Longest `url` and `text` the Mastodon route passes on (a toot holds 500 characters).
MAX_SHARED = 500


@public_cache
def share_mastodon(request):
    """« Partager sur Mastodon »: asks for the person's instance, then redirects to its own
    share page. Shares pages of this site only (any other `url` is refused)."""
    url = request.GET.get("url", "")[:MAX_SHARED].strip() or absolute_url("/")
    text = request.GET.get("text", "")[:MAX_SHARED].strip()
    typed = request.GET.get("instance")
    context = {"url": url, "text": text, "typed": (typed or "")[:100]}
    if not is_site_url(url):
        context["error"] = _("Ce lien ne mène pas à une page du site : il n’est pas partagé.")
        context["url"] = ""
        return render(request, "pledges/directory/share_mastodon.html", context, status=400)
    if typed is None:
        return render(request, "pledges/directory/share_mastodon.html", context)
    instance = normalize_instance(typed)
    if instance is None:
        context["error"] = _(
            "« %(typed)s » n’est pas le nom d’une instance Mastodon : écrivez son adresse, "
            "par exemple « mastodon.social »."
        ) % {"typed": context["typed"]}
        return render(request, "pledges/directory/share_mastodon.html", context, status=400)
    return redirect(mastodon_share_url(instance, text=text, url=url))
