"""The public pages, as one list shared by the header, security, privacy and visibility tests.

PUBLIC_PAGES: every public page, the directory's and the legal ones. Each answers 200 to
an anonymous visitor, whether or not it has a signatory to show (the tests make one in
Saint-Étienne, 42218, a commune of Loire, 42, in Auvergne-Rhône-Alpes, 84, and add its
own page and a search for its name: `pages_about`). SIGN_IN_PAGES: the other pages
anyone may open (signing in, the verification form), never cached and naming nobody.
"""

from pledges.directory.sitemaps import SITEMAPS

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
    "/api/communes/42218/signataires/",
    "/sitemap.xml",
    *(f"/sitemap-{section}.xml" for section in SITEMAPS),
]
# The pages that say who publishes the site (with its contact address) and how.
LEGAL_PAGES = ["/mentions-legales/", "/donnees-personnelles/", "/accessibilite/"]
PUBLIC_PAGES = [*DIRECTORY_PAGES, *LEGAL_PAGES]

# The pages a browser shows as HTML (the others are data: CSV, JSON, XML).
HTML_PAGES = [
    path
    for path in PUBLIC_PAGES
    if not path.startswith(("/api/", "/sitemap")) and not path.endswith((".csv", ".json"))
]

SIGN_IN_PAGES = [
    "/signer/",  # redirects an anonymous visitor to the login page
    "/compte/login/",
    "/compte/signup/",
    "/compte/password/reset/",
    "/admin/login/",
    "/verifier/",
]


def pages_about(signature, *searches: str) -> list[str]:
    """DIRECTORY_PAGES, the signatory's own page, and a search for each of `searches`."""
    return [
        *DIRECTORY_PAGES,
        signature.get_absolute_url(),
        *(f"/recherche/?q={words}" for words in searches),
    ]
