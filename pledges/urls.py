from django.contrib.sitemaps import views as sitemaps
from django.urls import path, re_path
from django.views.generic import TemplateView

from communes.urls import INSEE_CODE
from config.http import public_cache
from pledges.alerts import urls as alerts
from pledges.bilans import urls as bilans
from pledges.certificates import views as certificates
from pledges.directory import areas, badges, list_page, open_data_roster, share
from pledges.directory import views as directory
from pledges.directory.poster import list_poster, signatory_poster
from pledges.directory.share_image import list_share_image, signatory_share_image
from pledges.directory.sitemaps import SITEMAPS
from pledges.follow_up import urls as follow_up
from pledges.lists import urls as lists
from pledges.mailings import urls as mailings
from pledges.relays import urls as relays
from pledges.reminders import urls as reminders
from pledges.roster import urls as roster
from pledges.signing import views as signing

app_name = "pledges"

urlpatterns = [
    # The public directory (pledges/directory/).
    path("", directory.home, name="home"),
    path("propositions/<int:number>/", directory.proposal, name="proposal"),
    re_path(rf"^communes/{INSEE_CODE}/$", areas.commune, name="commune"),
    re_path(
        rf"^communes/{INSEE_CODE}-(?P<slug>[-\w]+)/$", areas.commune_with_slug, name="commune_slug"
    ),
    re_path(r"^regions/(?P<code>[0-9]{2,3})/$", areas.region, name="region"),
    re_path(r"^departements/(?P<code>[0-9]{2,3}|2[AB])/$", areas.departement, name="departement"),
    path("signataires/<int:pk>/", directory.signatory, name="signatory"),
    path("listes/<int:pk>/", list_page.electoral_list, name="list"),
    # The share image and the poster of a public list or signatory (share_image.py, poster.py).
    path("listes/<int:pk>/partage.png", list_share_image, name="list_share_image"),
    path("signataires/<int:pk>/partage.png", signatory_share_image, name="share_image"),
    path("listes/<int:pk>/affiche.pdf", list_poster, name="list_poster"),
    path("signataires/<int:pk>/affiche.pdf", signatory_poster, name="poster"),
    path("recherche/", directory.search, name="search"),
    path("donnees/", directory.open_data_page, name="open_data"),
    path("donnees/signataires.csv", directory.open_data_csv, name="open_data_csv"),
    path("donnees/signataires.json", directory.open_data_json, name="open_data_json"),
    path("donnees/listes.csv", directory.open_data_lists_csv, name="open_data_lists_csv"),
    path("donnees/listes.json", directory.open_data_lists_json, name="open_data_lists_json"),
    path(
        "donnees/listes-officielles.csv",
        open_data_roster.roster_csv,
        name="open_data_roster_csv",
    ),
    re_path(
        rf"^api/communes/{INSEE_CODE}/signataires/$",
        directory.commune_signatories_api,
        name="api_commune_signatories",
    ),
    re_path(
        rf"^api/communes/{INSEE_CODE}/listes/$",
        directory.commune_lists_api,
        name="api_commune_lists",
    ),
    path(
        "sitemap.xml",
        public_cache(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "pledges:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_cache(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    # Sharing a page, and the badge other sites may show (pledges/directory/share.py, badges.py).
    path("partager/mastodon/", share.share_mastodon, name="share_mastodon"),
    path("badges/<str:reference>.svg", badges.badge, name="badge"),
    path("badges/<str:reference>/widget/", badges.widget, name="badge_widget"),
    # The legal pages: templates only, the publisher's identity from a context processor.
    path(
        "mentions-legales/",
        public_cache(TemplateView.as_view(template_name="pledges/directory/legal_notice.html")),
        name="legal_notice",
    ),
    path(
        "donnees-personnelles/",
        public_cache(TemplateView.as_view(template_name="pledges/directory/privacy.html")),
        name="privacy",
    ),
    path(
        "regles-de-publication/",
        public_cache(
            TemplateView.as_view(template_name="pledges/directory/publication_rules.html")
        ),
        name="publication_rules",
    ),
    path(
        "accessibilite/",
        public_cache(TemplateView.as_view(template_name="pledges/directory/accessibility.html")),
        name="accessibility",
    ),
    # The candidate's side (pledges/signing/).
    path("ma-candidature/", signing.profile, name="profile"),
    path("signer/", signing.sign, name="sign"),
    path("mon-espace/", signing.space, name="space"),
    path(
        "mon-espace/engagements/<int:commitment_id>/ajouter/",
        signing.change_commitment,
        {"action": "ajouter"},
        name="add_commitment",
    ),
    path(
        "mon-espace/engagements/<int:commitment_id>/retirer/",
        signing.change_commitment,
        {"action": "retirer"},
        name="withdraw_commitment",
    ),
    path("mon-espace/retirer-ma-signature/", signing.withdraw, name="withdraw"),
    path("mon-espace/mes-donnees.json", signing.export_data, name="export_data"),
    path("mon-espace/supprimer-mon-compte/", signing.delete_account_view, name="delete_account"),
    # Lists, the candidate's side (pledges/lists/): invitation, joining, decisions.
    *lists.urlpatterns,
    *roster.urlpatterns,  # the invitation letter's short link, /l/<code>/
    *relays.urlpatterns,  # relays: « Espace relais », /relais/…, their links /r/<code>/
    *reminders.urlpatterns,  # the reminders' unsubscribe, /rappels/… (pledges/reminders/)
    *bilans.urlpatterns,  # the bilans of the elected and /donnees/suivi.csv (pledges/bilans/)
    *alerts.urlpatterns,  # voters' alerts and the communes' Atom feeds (pledges/alerts/)
    *mailings.urlpatterns,  # the campaign messages' unsubscribe (pledges/mailings/)
    *follow_up.urlpatterns,  # the follow-up of elected signatures (pledges/follow_up/)
    # Certificates (pledges/certificates/).
    path("verifier/", certificates.verify_form, name="verify_form"),
    path("verifier/<str:reference>/", certificates.verify_page, name="verify"),
    path(
        "signataires/<int:pk>/attestation.pdf",
        certificates.public_download,
        name="certificate_download",
    ),
    path("mon-espace/attestation.pdf", certificates.my_download, name="my_certificate"),
    path(
        "mon-espace/attestation-de-ma-liste.pdf",
        certificates.my_list_download,
        name="my_list_certificate",
    ),
]
