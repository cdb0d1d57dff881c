"""French typography (config/typography.py), checked where readers see it: every public page,
« Mon espace », the signing pages, every e-mail the site sends and the certificate's PDF.

The check reads the displayed text only (text between tags, and the attributes a browser
shows), as a reader would, and lists every breakable space (or none) before ; : ! ? » or
after «, every day and month, « n° » and group of thousands that may split, and every
straight apostrophe.
"""

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from candidates.services import request_correction
from communes.models import Commune
from config.typography import NBSP, NNBSP, TypographyMiddleware, french_html, french_text
from pledges.alerts.services import confirm, queue_digests, subscribe
from pledges.follow_up.services import approve_update, post_update, reject_update
from pledges.lists.services import ListAlreadyHeaded, remove_member
from pledges.mailings.services import save_draft, send_mailing
from pledges.models import Certificate, Mailing, Proposal, Relay, Signature
from pledges.relays.services import invite_relay
from pledges.reminders.schedule import add_years
from pledges.reminders.services import queue_reminders, queue_staff_digests
from pledges.roster.invitations import send_letter_by_email
from pledges.signing.account import delete_account
from pledges.signing.emails import DIGEST_MARGIN, queue_staff_digest
from tests.config.pdf_glyphs import glyph_text
from tests.factories import (
    PASSWORD,
    a_moderator,
    make_candidate,
    make_moderator,
    make_official_list,
    make_pledge,
    make_user,
)
from tests.pages import HTML_PAGES, SIGN_IN_PAGES
from tests.pledges.directory.lists_data import add_member, make_list
from tests.pledges.outcomes.factories import make_elected_list

pytestmark = pytest.mark.django_db

Status = Signature.Status
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
SPACES = f"{NNBSP}{NBSP}"
FAULTS = [
    (
        "espace sécable (ou aucune) avant le signe",
        re.compile(rf"(?<=[^{SPACES}\n;:!?])[;:!?](?![\w/=&])"),
    ),
    ("espace sécable (ou aucune) après «", re.compile(rf"«(?![{SPACES}])")),
    ("espace sécable (ou aucune) avant »", re.compile(rf"(?<=[^{SPACES}\n])»")),
    ("apostrophe droite", re.compile("'")),
    ("jour et mois séparables", re.compile(rf"\b(?:\d{{1,2}}|1er)[ \t\n]+(?:{MONTHS})\b")),
    ("« n° » séparable de son numéro", re.compile(r"\b[nN]°[ \t\n]*\d")),
    ("milliers séparables", re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d,])")),
]
APOSTROPHE = FAULTS[3]
# In a PDF, a line that starts with a sign, or breaks where a no-break space stands.
PDF_LINE_FAULTS = [
    ("ligne commençant par un signe", re.compile(r"\n[ \t]*[;:!?»]")),
    ("jour et mois sur deux lignes", re.compile(rf"\b(?:\d{{1,2}}|1er)\s*\n\s*(?:{MONTHS})\b")),
    ("« n° » et son numéro sur deux lignes", re.compile(r"\b[nN]°\s*\n\s*\d")),
    ("milliers sur deux lignes", re.compile(r"(?<![\d.,])\d{1,3}\s*\n\s*\d{3}(?![\d,])")),
]
NOT_PROSE = re.compile(r"(?:https?://|www\.)\S+|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")

# Elements whose content is not prose, and elements after which text starts afresh.
RAW = {"script", "style", "pre", "code", "kbd", "samp", "textarea"}
INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "cite",
    "data",
    "dfn",
    "em",
    "i",
    "mark",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
DISPLAYED_ATTRIBUTES = {"title", "alt", "aria-label", "aria-description", "placeholder", "label"}
META_SHOWN = {"description", "og:title", "og:description"}


class _DisplayedText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.raw_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in INLINE:
            self.parts.append("\n")
        for name in DISPLAYED_ATTRIBUTES & attrs.keys():
            self.parts.append(f"\n{attrs[name]}\n")
        if tag == "meta" and (attrs.get("name") or attrs.get("property")) in META_SHOWN:
            self.parts.append(f"\n{attrs.get('content', '')}\n")
        if tag in RAW:
            self.raw_depth += 1

    def handle_endtag(self, tag):
        if tag in RAW:
            self.raw_depth = max(0, self.raw_depth - 1)
        if tag not in INLINE:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.raw_depth:
            self.parts.append(data)


def displayed_text(document: str) -> str:
    parser = _DisplayedText()
    parser.feed(document)
    parser.close()
    # Whitespace collapses on screen, except the no-break spaces.
    return re.sub(r"[ \t\r\f\v]*\n[\s]*", "\n", "".join(parser.parts))


def faults(text: str, *, where: str, checks=FAULTS) -> list[str]:
    """Every typographic fault of `text`, each with what surrounds it."""
    prose = NOT_PROSE.sub(" ", text)
    found = []
    for label, pattern in checks:
        for match in pattern.finditer(prose):
            context = prose[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ⏎ ")
            found.append(f"{where}: {label}: {context!r}")
    return found


def page_faults(client, path: str) -> list[str]:
    response = client.get(path, follow=True)
    assert response.status_code in (200, 404), (path, response.status_code)
    assert response["Content-Type"].startswith("text/html"), path
    return faults(displayed_text(response.content.decode()), where=path)


# ------------------------------------------------------------------ the mechanism itself


def test_plain_spaces_before_signs_and_inside_guillemets_become_narrow_no_break_spaces():
    assert french_html("<p>Attention : « Le titre » ; oui ! Pourquoi ?</p>") == (
        "<p>Attention\u202f: «\u202fLe titre\u202f»\u202f; oui\u202f! Pourquoi\u202f?</p>"
    )


def test_a_missing_space_is_added_even_across_inline_tags():
    assert french_html("<p><strong>Commune</strong>: «<a href='/x'>Paris</a>»!</p>") == (
        "<p><strong>Commune</strong>\u202f: «\u202f<a href='/x'>Paris</a>\u202f»\u202f!</p>"
    )


def test_days_and_months_numbers_and_thousands_do_not_split():
    assert french_html(
        "<p>le 28 juin 2020, le 1<sup>er</sup> juillet, n° 3, 35 051 communes</p>"
    ) == ("<p>le 28\xa0juin 2020, le 1<sup>er</sup>\xa0juillet, n°\xa03, 35\xa0051 communes</p>")


def test_straight_apostrophes_between_letters_become_typographic():
    page = '<p title="L&#x27;Abergement">L&#x27;Haÿ-les-Roses, aujourd\'hui</p>'
    assert french_html(page) == '<p title="L’Abergement">L’Haÿ-les-Roses, aujourd’hui</p>'


def test_markup_code_urls_times_and_addresses_are_left_alone():
    page = (
        '<a href="/recherche/?q=l\'ain" class="a:b">10:30</a>'
        "<script>let a = b ? c : d;</script><style>a:hover { color: red !important; }</style>"
        "<pre>x : y</pre><textarea>L'Ain ?</textarea>"
        '<input value="L&#x27;Ain ?"> https://exemple.test/a?b=c:d o\'brien@exemple.test'
    )
    assert french_html(page) == page


def test_entities_stay_entities_where_nothing_changes():
    assert french_html("<p>R&amp;D&#8239;: ok</p>") == "<p>R&amp;D&#8239;: ok</p>"
    assert french_html("<p>R&amp;D :</p>") == "<p>R&amp;D\u202f:</p>"


def test_plain_text_keeps_its_lines_and_its_links():
    text = "Bonjour Camille,\nVotre lien : https://coorace.test/cle/MQ:1kX:abc/\nÀ bientôt !\n: fin"
    assert french_text(text) == (
        "Bonjour Camille,\nVotre lien\u202f: https://coorace.test/cle/MQ:1kX:abc/\n"
        "À bientôt\u202f!\n: fin"
    )


def test_the_check_finds_each_fault():
    text = "Attention : «Titre» l'Ain, le 28 juin, n° 3, 1 000 habitants"
    found = "\n".join(faults(text, where="essai"))
    for label, _pattern in FAULTS:
        assert label in found
    assert faults(french_text(text), where="essai") == []


def through_the_middleware(response):
    return TypographyMiddleware(lambda request: response)(RequestFactory().get("/"))


def test_the_middleware_sets_html_pages_and_their_length_and_nothing_else():
    page = through_the_middleware(HttpResponse("<p>Oui !</p>", headers={"Content-Length": "12"}))
    assert page.content.decode() == "<p>Oui\u202f!</p>"
    assert page["Content-Length"] == str(len(page.content)) == "14"
    data = through_the_middleware(JsonResponse({"texte": "Oui !"}))
    assert data.content == b'{"texte": "Oui !"}'
    text = through_the_middleware(HttpResponse("Oui !", content_type="text/plain"))
    assert text.content == b"Oui !"
    stream = through_the_middleware(StreamingHttpResponse(iter(["<p>Oui !</p>"])))
    assert b"".join(stream.streaming_content) == b"<p>Oui !</p>"
    compressed = HttpResponse(b"\x1f\x8b...", headers={"Content-Encoding": "gzip"})
    assert through_the_middleware(compressed).content == b"\x1f\x8b..."
    not_utf8 = through_the_middleware(HttpResponse(b"<p>Caf\xe9 !</p>"))
    assert not_utf8.content == b"<p>Caf\xe9 !</p>"


# ------------------------------------------------------------------ the site, everywhere


def make_campaign() -> dict:
    """Signatories everywhere the directory shows them, in names with straight apostrophes
    and signs as candidates type them, with every e-mail the site sends on the way."""
    # A voter follows Saint-Étienne (the confirmation courriel), told at the end (the digest).
    alert = subscribe(
        commune=Commune.objects.get(insee_code="42218"),
        email="electrice@exemple.test",
        now=timezone.now(),
    )
    confirm(token=alert.token, now=timezone.now())
    saint_etienne = make_list("L'avenir d'abord !", commune="42218", head_name="D'Almeida")
    add_member(saint_etienne, last_name="N'Diaye")  # asked, confirmed: two e-mails
    removed = add_member(saint_etienne, last_name="Lefèvre")
    remove_member(membership=removed, user=saint_etienne.head.user)
    paris = make_list("Paris, c'est nous ?", commune="75056", secteur=12)
    small = make_candidate(
        role=Candidate.Role.INDIVIDUAL,
        last_name="L'Hôte",
        list_name="",
        commune=Commune.objects.get(insee_code="01002"),
    )
    individual = make_pledge(small, status=Status.APPROVED)
    make_pledge(status=Status.CHANGES_REQUESTED)
    make_pledge(status=Status.REJECTED)
    make_pledge(status=Status.UNPUBLISHED)
    # A second head of the same list: staff are told of the claim.
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(make_candidate(list_name="L'avenir d'abord !"))
    # A list whose head erased their account, taken over by a newcomer.
    headless = make_list("Marseille d'abord", commune="13055", secteur=1)
    delete_account(user=headless.head.user)
    make_pledge(
        make_candidate(
            list_name="Marseille d'abord", commune=headless.commune, secteur=headless.secteur
        )
    )
    request_correction(candidate=individual.candidate, message="Mon nom s'écrit L'Hôte.")
    # The invitation letter of an official list, by e-mail, its PDF attached.
    official = make_official_list(
        Commune.objects.get(insee_code="42218"), name="L'union d'abord !", head=("Anne", "D'Arc")
    )
    send_letter_by_email(official_list=official, moderator=a_moderator(), email="anne@exemple.test")
    # After the vote: an elected list reports on its commitment; one update published, one
    # refused (pledges.follow_up), each author told.
    elected = make_elected_list(codes=("3.1",), last_name="D'Almeida-Roux")
    reported = elected.signed_commitments.get()
    author = elected.candidate.user
    published = post_update(
        signed_commitment=reported,
        author=author,
        status="done",
        text="C'est fait : la ligne de bus est gratuite depuis l'an dernier !",
    )
    approve_update(published, a_moderator())
    refused = post_update(
        signed_commitment=reported, author=author, status="done", text="Voté ? Pas encore."
    )
    reject_update(refused, a_moderator(), note="Quelle délibération ? Merci d'en dire la date.")
    # A year after taking office, an elected list that reported nothing is reminded to, and
    # the moderators are sent the list of such elected (pledges.reminders).
    quiet = make_elected_list(codes=("1.1",), last_name="L'Écuyer")
    councillor = quiet.candidate.elected_councillor
    councillor.mandate_start = add_years(timezone.localdate(), -1)
    councillor.save(update_fields=["mandate_start"])
    queue_reminders(now=timezone.now())
    queue_staff_digests(now=timezone.now())
    queue_digests(now=timezone.now())
    # The moderators' digest of the new signatures (pledges.signing.emails).
    queue_staff_digest(now=timezone.now() + DIGEST_MARGIN)
    # A message to the signatories as staff type it, their names merged (pledges.mailings).
    sender = make_moderator("envoi")
    sender.user_permissions.add(Permission.objects.get(codename="send_mailing"))
    sender = type(sender).objects.get(pk=sender.pk)  # its permissions read afresh
    mailing = Mailing(
        audience=Mailing.Audience.SIGNATORIES,
        subject="Merci {prénom} !",
        body="Bonjour {prénom} {nom}: l'équipe vous écrit ; la suite ? https://coorace.org/",
    )
    send_mailing(mailing=save_draft(mailing=mailing, author=sender), actor=sender)
    # A relay's contact invited to open its account (pledges.relays).
    relay = Relay.objects.create(
        name="L'Atelier d'insertion du Forez",
        contact_name="Martine L'Hôte",
        contact_email="relais@exemple.test",
        created_at=timezone.now(),
    )
    staff = get_user_model().objects.create_superuser("relais-admin", "ra@coorace.test", "x")
    invite_relay(relay=relay, actor=staff)
    return {"lists": [saint_etienne, paris], "individual": individual, "elected": elected}


@pytest.fixture
def campaign(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@coorace.test"]
    return make_campaign()


def public_pages(campaign) -> list[str]:
    saint_etienne, paris = campaign["lists"]
    signatures = Signature.objects.public()
    certificate = Certificate.objects.filter(pledge=campaign["individual"]).first()
    return [
        "/",
        *(f"/propositions/{p.number}/" for p in Proposal.objects.all()),
        "/regions/84/",
        "/regions/11/",
        "/departements/42/",
        "/departements/01/",
        "/departements/75/",
        "/communes/42218/",
        "/communes/75056/",
        "/communes/01002/",
        "/communes/?q=abergement",
        saint_etienne.get_absolute_url(),
        paris.get_absolute_url(),
        reverse("pledges:follow_up_signature", kwargs={"pk": campaign["elected"].pk}),
        *(signature.get_absolute_url() for signature in signatures),
        "/recherche/?q=saint etienne",
        "/recherche/?q=l'abergement",
        "/recherche/?q=zzzz",
        "/donnees/",
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/regles-de-publication/",
        "/verifier/",
        f"/verifier/{certificate.reference}/",
        "/verifier/CRC-0000-0000/",
        "/cette-page-n-existe-pas/",
        "/compte/connexion/",
        "/compte/inscription/",
        "/compte/mot-de-passe/oubli/",
    ]


def test_every_public_page_is_in_french_typography(client, campaign):
    # tests/pages.py's lists too, so that a page added there is checked here.
    paths = dict.fromkeys([*public_pages(campaign), *HTML_PAGES, *SIGN_IN_PAGES])
    found = [fault for path in paths for fault in page_faults(client, path)]
    assert found == []


def test_a_place_is_found_with_a_straight_or_a_typographic_apostrophe(client):
    for query in ("L'Abergement-de-Varey", "L’Abergement-de-Varey", "l abergement de varey"):
        page = client.get("/communes/", {"q": query}).content.decode()
        assert "/communes/01002" in page, query
        assert "L’Abergement-de-Varey" in page and "L'Abergement" not in page


def test_mon_espace_and_the_signing_pages_are_in_french_typography(client, campaign):
    signed = campaign["individual"].candidate
    client.force_login(signed.user)
    found = page_faults(client, reverse("pledges:space"))
    found += page_faults(client, reverse("pledges:profile"))
    waiting = Signature.objects.filter(status=Status.CHANGES_REQUESTED).get().candidate
    client.force_login(waiting.user)
    found += page_faults(client, reverse("pledges:space"))
    found += page_faults(client, reverse("pledges:sign"))
    newcomer = make_user("sacha@exemple.test")
    client.force_login(newcomer)
    found += page_faults(client, reverse("pledges:profile"))
    # The profile refused, with its error messages.
    response = client.post(reverse("pledges:profile"), {"first_name": "Sacha"})
    found += faults(displayed_text(response.content.decode()), where="profil refusé")
    make_candidate(user=newcomer, list_name="Sacha d'abord")
    found += page_faults(client, reverse("pledges:sign"))
    response = client.post(reverse("pledges:sign"), {"commitments": []})
    found += faults(displayed_text(response.content.decode()), where="signature refusée")
    assert found == []


@pytest.fixture
def templates_rendered():
    names = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def site_email_templates() -> set[str]:
    """Every e-mail of the site's own packages (allauth's are sent in the test below)."""
    root = Path(django_settings.BASE_DIR) / "templates"
    return {
        str(path.relative_to(root))
        for path in root.glob("**/emails/*.txt")
        if path.with_suffix(".html").exists()
    }


def message_faults(message, *, where: str) -> list[str]:
    found = faults(message.subject, where=f"{where} (objet)")
    found += faults(message.body, where=f"{where} (texte)")
    for content, mimetype in getattr(message, "alternatives", []):
        assert mimetype == "text/html"
        found += faults(displayed_text(content), where=f"{where} (HTML)")
    for name, content, mimetype in message.attachments:
        assert mimetype == "application/pdf"
        found += pdf_faults(content, where=f"{where} ({name})")
    return found


def test_every_e_mail_is_in_french_typography(client, settings, mailoutbox, templates_rendered):
    # The campaign's own e-mails, sent by the services on the way.
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@coorace.test"]
    make_campaign()
    campaign_messages = list(mailoutbox)
    sent = {name for name in templates_rendered if "/emails/" in name}
    assert site_email_templates() <= sent, site_email_templates() - sent
    # allauth's: sign-up, an address already known, password resets, a new address, a
    # changed password.
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    mailoutbox.clear()
    signup = {"email": "lea@exemple.test", "password1": PASSWORD, "password2": PASSWORD}
    client.post(reverse("account_signup"), signup)
    client.logout()
    user = make_user("noe@exemple.test")
    client.post(reverse("account_signup"), {**signup, "email": "noe@exemple.test"})
    client.logout()
    client.post(reverse("account_reset_password"), {"email": "lea@exemple.test"})
    client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.test"})
    client.force_login(user)
    client.post(reverse("account_email"), {"action_add": "", "email": "noe.d@exemple.test"})
    new = "Un tout nouveau mot de passe 2020"
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    account_messages = list(mailoutbox)
    assert len(account_messages) >= 6, [m.subject for m in account_messages]
    found = []
    for number, message in enumerate([*campaign_messages, *account_messages]):
        found += message_faults(message, where=f"e-mail {number} « {message.subject} »")
    assert found == []


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


def pdf_faults(data: bytes, *, where: str) -> list[str]:
    """The faults of a PDF's text read glyph by glyph (tests/config/pdf_glyphs.py), where a
    narrow no-break space shows; a no-break space does not (Lato draws it as a space), so
    for those the PDF is checked not to have broken the line there."""
    text = glyph_text(data)
    found = faults(text, where=where, checks=FAULTS[:4] + PDF_LINE_FAULTS)
    found += faults(pdf_text(data), where=f"{where} (pdftotext)", checks=[APOSTROPHE])
    return found


def test_the_certificate_pdf_is_in_french_typography(client, campaign):
    individual = campaign["individual"]
    head = Signature.objects.get(electoral_list=campaign["lists"][0])
    found = []
    for pledge in (individual, head):
        response = client.get(reverse("pledges:certificate_download", kwargs={"pk": pledge.pk}))
        assert response.status_code == 200
        data = b"".join(response.streaming_content) if response.streaming else response.content
        assert "Attestation" in pdf_text(data)
        found += pdf_faults(data, where=f"PDF {pledge.pk}")
    assert found == []


def test_the_javascript_catalogue_sends_its_phrases_in_french_typography(client):
    # What the autocomplete writes into a page never passes the middleware: its phrases come
    # from /jsi18n/ already set (config.typography.FrenchJavaScriptCatalog).
    script = client.get("/jsi18n/").content.decode()
    translation = script[script.index('"Commune choisie : %(name)s, %(departement)s.": ') :]
    assert translation.split("\n", 1)[0].endswith(
        '"Commune choisie\\u202f: %(name)s, %(departement)s.",'
    )
