"""The public pages, as one list shared by the header, security, privacy and visibility tests.

PUBLIC_PAGES: every public page, the directory's and the legal ones. Each answers 200 to
an anonymous visitor, whether or not it has a signatory to show (the tests make one in
Saint-Étienne, 42218, a commune of Loire, 42, in Auvergne-Rhône-Alpes, 84, and add its
own page, its list's page when it signs for one, and a search for its name: `pages_about`;
for a list, its page and its members' pages: `pages_about_list`). SIGN_IN_PAGES: the other pages
anyone may open (signing in, the verification form), never cached and naming nobody.
"""

from pledges.directory.sitemaps import SITEMAPS
from pledges.models import Signature

# The pages that show what the database holds: signatories, counts, communes.
DIRECTORY_PAGES = [
    "/",
    "/propositions/1/",
    "/propositions/3/",
    "/communes/42218/",
    "/communes/75056/",
    "/communes/?q=saint",
    "/api/communes/?q=saint",
    "/regions/84/",
    "/regions/84/?tri=nom",
    "/departements/42/",
    "/departements/42/?q=saint",
    "/departements/42/?q=saint-etienne&tri=population",
    "/recherche/?q=saint etienne",
    "/donnees/",
    "/donnees/signataires.csv",
    "/donnees/signataires.json",
    "/donnees/listes.csv",
    "/donnees/listes.json",
    "/api/communes/42218/signataires/",
    "/api/communes/42218/listes/",
    "/communes/42218/flux.atom",
    "/bilans/",
    "/bilans/regions/84/",
    "/bilans/departements/42/",
    "/bilans/communes/42218/",
    "/bilans/engagements/3.1/",
    "/donnees/suivi.csv",
    "/sitemap.xml",
    *(f"/sitemap-{section}.xml" for section in SITEMAPS),
]
# The pages that say who publishes the site (with its contact address) and how.
LEGAL_PAGES = ["/mentions-legales/", "/donnees-personnelles/", "/accessibilite/"]
# The pages that share a page of the site (pledges/directory/share.py).
SHARE_PAGES = ["/partager/mastodon/", "/partager/mastodon/?url=http://127.0.0.1:8000/&text=Signé"]
PUBLIC_PAGES = [*DIRECTORY_PAGES, *LEGAL_PAGES, *SHARE_PAGES]

# The pages a browser shows as HTML (the others are data: CSV, JSON, XML).
HTML_PAGES = [
    path
    for path in PUBLIC_PAGES
    if not path.startswith(("/api/", "/sitemap")) and not path.endswith((".csv", ".json", ".atom"))
]

SIGN_IN_PAGES = [
    "/signer/",  # redirects an anonymous visitor to the login page
    "/compte/connexion/",
    "/compte/inscription/",
    "/compte/mot-de-passe/oubli/",
    "/admin/login/",
    "/verifier/",
    "/communes/42218/alertes/",  # the alerts' form, apart from the cached commune page
]


def pages_about(signature, *searches: str) -> list[str]:
    """DIRECTORY_PAGES, the signatory's own page (and their list's, for a head), and a
    search for each of `searches`."""
    own = [signature.get_absolute_url()]
    if signature.electoral_list_id:
        own.append(f"/listes/{signature.electoral_list_id}/")
    return [*DIRECTORY_PAGES, *own, *(f"/recherche/?q={words}" for words in searches)]


def pages_about_list(electoral_list, *searches: str) -> list[str]:
    """DIRECTORY_PAGES, the list's page, its head's page and the public pages of those who
    asked to join it, its commune's page and APIs, and a search for each of `searches`."""
    members = (
        Signature.objects.public()
        .filter(candidate__list_memberships__electoral_list=electoral_list)
        .values_list("pk", flat=True)
    )
    return [
        *DIRECTORY_PAGES,
        electoral_list.get_absolute_url(),
        electoral_list.commune.get_absolute_url(),
        f"/api/communes/{electoral_list.commune.insee_code}/listes/",
        f"/api/communes/{electoral_list.commune.insee_code}/signataires/",
        *(f"/signataires/{pk}/" for pk in [electoral_list.signature.pk, *members]),
        *(f"/recherche/?q={words}" for words in searches),
    ]
