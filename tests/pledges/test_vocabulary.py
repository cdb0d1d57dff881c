"""One vocabulary (README « Vocabulary »), checked where readers see it: the public pages,
the account and signing pages, « Mon espace », every e-mail the site sends, the admin's
moderation screens and the certificate's PDF.

Banned: « e-mail » / « email » in displayed text (« courriel », « adresse électronique »),
« sûr(e) » and the other bracketed or doubled genders (« candidates et candidats », the
generic masculine « les candidats », « le signataire »: the middle dot is the site's one
inclusive writing), « trace anonyme » (it is a « trace pseudonyme »), and « engagement »
for the two consent boxes (they are « consentements »).
"""

import re
import subprocess

import pytest
from django.urls import reverse

from candidates.models import Candidate
from communes.models import Commune
from pledges.certificates.wording import role_line
from pledges.models import Certificate, RejectionReason, Signature
from pledges.moderation.services import edit_candidate_identity, reissue_certificate, reject_pledge
from pledges.signing.services import withdraw_pledge
from tests.factories import (
    PASSWORD,
    a_moderator,
    make_candidate,
    make_moderator,
    make_pledge,
    make_user,
)
from tests.pledges.directory.lists_data import add_member, make_list

pytestmark = pytest.mark.django_db

Status = Signature.Status

BANNED = [
    ("« e-mail » ou « email »", re.compile(r"(?i)\be-?mails?\b")),
    ("genre entre parenthèses", re.compile(r"(?i)\w\((?:e|es|ne|se)\)")),
    ("doublet", re.compile(r"(?i)\bcandidate(?:s)? (?:et|ou) (?:un )?candidats?\b")),
    ("doublet", re.compile(r"(?i)\bcandidats? (?:et|ou) (?:une )?candidates?\b")),
    (
        "masculin générique",
        re.compile(r"(?i)\b(?:les|des|aux|du|au|le|un|chaque|aucun) candidats?\b(?!·)"),
    ),
    ("masculin générique", re.compile(r"(?i)\b(?:le|du|au|un) signataire\b")),
    ("masculin générique", re.compile(r"(?i)\bélecteurs?\b(?!·)")),
    ("masculin générique", re.compile(r"(?i)\ble modérateur\b")),
    ("« trace anonyme »", re.compile(r"(?i)\btraces? anonymes?\b")),
    ("consentements appelés « engagements »", re.compile(r"(?i)engagements? de signataire")),
    ("consentements appelés « engagements »", re.compile(r"(?i)deux engagements\b")),
]
# Quoted as published: the Ministry's files' titles (« Livre des listes et candidats »),
# and Coorace's charter, word for word (its introduction « adressant aux candidats »).
OFFICIAL_TITLES = re.compile(
    r"Livre des (?:listes et )?candidats|en adressant aux candidats aux élections municipales"
)
# Addresses and links are not prose: « ne-pas-repondre@… », « /compte/email/ ».
NOT_PROSE = re.compile(r"(?:https?://|www\.|/)\S+|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def displayed(document: str) -> str:
    """What a reader sees of an HTML document: no tags, scripts or styles; one space."""
    document = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", document)
    document = re.sub(r"(?s)<!--.*?-->", " ", document)
    shown = " ".join(re.findall(r'(?:title|alt|aria-label|placeholder)="([^"]*)"', document))
    return re.sub(r"[\s\u00a0\u202f]+", " ", re.sub(r"<[^>]+>", " ", document) + " " + shown)


def faults(text: str, *, where: str) -> list[str]:
    prose = OFFICIAL_TITLES.sub(" ", NOT_PROSE.sub(" ", re.sub(r"[\u00a0\u202f]", " ", text)))
    found = []
    for label, pattern in BANNED:
        for match in pattern.finditer(prose):
            context = prose[max(0, match.start() - 40) : match.end() + 30]
            found.append(f"{where}: {label}: {context!r}")
    return found


def page_faults(client, path: str, *, method="get", data=None) -> list[str]:
    response = getattr(client, method)(path, data or {})
    assert response.status_code in (200, 302, 403, 404), (path, response.status_code)
    return faults(displayed(response.content.decode()), where=path)


def test_the_check_finds_each_banned_variant():
    for bad in (
        "Votre adresse e-mail",
        "un Email",
        "Êtes-vous sûr(e) ?",
        "les candidates et candidats",
        "Les candidats signent",
        "le signataire a retiré",
        "les électeurs verront",
        "une trace anonyme",
        "Vos deux engagements de signataire",
    ):
        assert faults(bad, where="t"), bad
    for good in (
        "Votre adresse électronique",
        "un courriel",
        "les candidat·es signent",
        "la personne signataire",
        "les électeur·rices",
        "une trace pseudonyme",
        "Vos deux consentements",
        "écrivez à ne-pas-repondre@coorace.org",
        "Livre des listes et candidats",
    ):
        assert not faults(good, where="t"), good


@pytest.fixture
def campaign(settings, mailoutbox):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@coorace.test"]
    saint_etienne = make_list("Saint-Étienne solidaire", commune="42218")
    add_member(saint_etienne)
    individual = make_pledge(
        make_candidate(
            role=Candidate.Role.INDIVIDUAL,
            list_name="Ensemble",
            commune=Commune.objects.get(insee_code="01002"),
        ),
        status=Status.APPROVED,
    )
    make_pledge(status=Status.CHANGES_REQUESTED)
    make_pledge(status=Status.UNPUBLISHED)
    withdrawn = make_pledge(status=Status.APPROVED)
    withdraw_pledge(pledge=withdrawn)
    reason = RejectionReason.objects.get(code="inapproprie")
    reject_pledge(pledge=make_pledge(), moderator=a_moderator(), reason=reason)
    reissue_certificate(pledge=individual, moderator=a_moderator())
    return {"list": saint_etienne, "individual": individual, "withdrawn": withdrawn}


def test_public_pages_speak_one_vocabulary(client, campaign):
    individual = campaign["individual"]
    paths = [
        "/",
        "/propositions/1/",
        "/regions/84/",
        "/departements/42/",
        "/communes/42218/",
        "/communes/01002/",
        "/communes/75056/",
        campaign["list"].get_absolute_url(),
        *(signature.get_absolute_url() for signature in Signature.objects.public()),
        "/recherche/?q=saint",
        "/donnees/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/regles-de-publication/",
        "/accessibilite/",
        "/verifier/",
        *(c.get_absolute_url() for c in Certificate.objects.filter(pledge=individual)),
        campaign["withdrawn"].certificates.first().get_absolute_url(),
        "/cette-page-n-existe-pas/",
        "/compte/connexion/",
        "/compte/inscription/",
        "/compte/mot-de-passe/oubli/",
        "/compte/mot-de-passe/oubli/fait/",
    ]
    found = [fault for path in paths for fault in page_faults(client, path)]
    # A refused form shows Django's and allauth's messages too.
    found += page_faults(
        client, "/compte/inscription/", method="post", data={"email": "pas-une-adresse"}
    )
    found += page_faults(client, "/compte/connexion/", method="post", data={"login": "x"})
    wrong = {"login": "lea@exemple.test", "password": "pas le bon"}
    found += page_faults(client, "/compte/connexion/", method="post", data=wrong)
    assert found == [], "\n".join(found)


def test_the_candidates_pages_speak_one_vocabulary(client, campaign):
    newcomer = make_user("sacha@exemple.test")
    client.force_login(newcomer)
    found = page_faults(client, reverse("pledges:profile"))
    found += page_faults(client, reverse("pledges:profile"), method="post", data={"x": "1"})
    found += page_faults(client, reverse("account_email"))
    found += page_faults(client, reverse("account_change_password"))
    unverified = make_user("noe@exemple.test", verified=False)
    client.force_login(unverified)
    found += page_faults(client, reverse("pledges:profile"))
    for pledge in Signature.objects.all():
        client.force_login(pledge.candidate.user)
        found += page_faults(client, reverse("pledges:space"))
        found += page_faults(client, reverse("pledges:sign"))
        found += page_faults(client, reverse("pledges:sign"), method="post", data={"x": "1"})
        found += page_faults(client, reverse("pledges:delete_account"))
    client.force_login(campaign["individual"].candidate.user)
    found += page_faults(client, reverse("pledges:withdraw"))
    found += page_faults(client, reverse("candidates:correction"))
    assert found == [], "\n".join(found)


def test_the_moderation_screens_speak_one_vocabulary(client, campaign):
    client.force_login(make_moderator())
    found = page_faults(client, "/admin/pledges/signature/")
    for pledge in Signature.objects.all():
        found += page_faults(client, f"/admin/pledges/signature/{pledge.pk}/change/")
    found += page_faults(client, "/admin/candidates/candidate/")
    found += page_faults(
        client, f"/admin/candidates/candidate/{campaign['individual'].candidate_id}/change/"
    )
    found += page_faults(client, "/admin/pledges/rejectionreason/")
    assert found == [], "\n".join(found)


def test_every_e_mail_speaks_one_vocabulary(client, settings, campaign, mailoutbox):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    signup = {"email": "lea@exemple.test", "password1": PASSWORD, "password2": PASSWORD}
    client.post(reverse("account_signup"), signup)
    client.logout()
    client.post(reverse("account_signup"), signup)
    client.logout()
    client.post(reverse("account_reset_password"), {"email": "lea@exemple.test"})
    client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.test"})
    user = make_user("noe@exemple.test")
    client.force_login(user)
    client.post(reverse("account_email"), {"action_add": "", "email": "noe.d@exemple.test"})
    assert len(mailoutbox) >= 10
    found = []
    for number, message in enumerate(mailoutbox):
        where = f"courriel {number} « {message.subject} »"
        found += faults(message.subject, where=where)
        found += faults(message.body, where=where)
        for content, _mimetype in getattr(message, "alternatives", []):
            found += faults(displayed(content), where=f"{where} (HTML)")
    assert found == [], "\n".join(found)


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return re.sub(r"[\s\u00a0\u202f]+", " ", result.stdout.decode())


def download(client, pledge) -> str:
    response = client.get(reverse("pledges:certificate_download", kwargs={"pk": pledge.pk}))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return pdf_text(data)


def test_the_certificate_speaks_one_vocabulary_without_nested_parentheses(client, campaign):
    head = Signature.objects.get(electoral_list=campaign["list"])
    found = []
    for pledge in (campaign["individual"], head):
        text = download(client, pledge)
        found += faults(text, where=f"PDF {pledge.pk}")
        assert not re.search(r"\([^()]*\(", text), text  # « (code INSEE 75056, Paris (75)) »
    assert found == [], "\n".join(found)
    assert "Candidat·e à titre individuel, groupe « Ensemble »" in download(
        client, campaign["individual"]
    )


def test_a_head_without_a_list_record_is_tete_de_liste_de_its_list():
    """Versions issued before lists were records name the list in the role line."""
    head = {"role": "Tête de liste", "liste": "Saint-Étienne solidaire"}
    assert role_line(head) == "Tête de liste de « Saint-Étienne solidaire »"
    colistier = {"role": str(Candidate.Role.CANDIDATE.label), "liste": "Unis"}
    assert role_line(colistier) == "Colistier·e de la liste « Unis »"
    assert role_line({"role": str(Candidate.Role.INDIVIDUAL.label), "liste": ""}) == (
        "Candidat·e à titre individuel"
    )
    assert role_line({"role": "Candidat sur une liste", "liste": "Unis"}) == (
        "Candidat sur une liste, liste « Unis »"
    )


def test_a_staff_re_issue_says_so_on_the_old_certificate(client, campaign):
    individual = campaign["individual"]
    old, new = individual.certificates.order_by("version")[:2]
    page = displayed(client.get(old.get_absolute_url()).content.decode())
    assert "L’équipe Coorace a réémis cette attestation le" in page
    assert "ce qu’elle certifie n’a pas changé" in page
    assert "ont changé" not in page
    assert new.reference in page


def test_a_change_of_what_it_certifies_names_it(client):
    pledge = make_pledge(status=Status.APPROVED)
    old = pledge.certificates.get()
    edit_candidate_identity(
        candidate=pledge.candidate, moderator=a_moderator(), changes={"first_name": "Zoé"}
    )
    assert pledge.certificates.count() == 2
    page = displayed(client.get(old.get_absolute_url()).content.decode())
    assert "parce que ce qu’elle certifie a changé : l’identité de la personne signataire" in page
    assert "réémis" not in page
