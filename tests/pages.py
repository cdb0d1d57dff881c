"""The public pages, as one list shared by the header, security, privacy and visibility tests.

Each path answers 200 to an anonymous visitor once `tests.factories.make_signatory()` has
made a public signatory in Saint-Étienne (42218); the signatory's own page is added by the
tests that make one.
"""

PUBLIC_PAGES = [
    "/",
    "/propositions/3/",
    "/communes/42218/",
    "/communes/75056/",
    "/communes/?q=saint",
    "/api/communes/?q=saint",
    "/regions/84/",
    "/regions/84/?tri=nom",
    "/departements/42/",
    "/departements/42/?q=saint&tri=population",
    "/recherche/?q=saint etienne",
    "/donnees/",
    "/donnees/signataires.csv",
    "/donnees/signataires.json",
    "/api/communes/42218/signataires/",
    "/sitemap.xml",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/accessibilite/",
]
