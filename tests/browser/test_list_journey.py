"""A list's whole journey in a real browser: its head creates and signs it in a secteur of
Marseille, invites two colistiers who join through the link (one confirmed, one refused),
staff approve, and a voter on a phone finds the list on the commune page, opens its page
and checks its certificate."""

import re

import pytest

from candidates.models import Candidate
from communes.models import Secteur
from pledges.lists.services import decide_join, request_join
from pledges.models import ElectoralList, ListMembership, Signature
from tests.browser.conftest import RESULTS
from tests.browser.journeys import consent_and_submit, log_in, sign_up_and_verify
from tests.browser.test_accessibility import assert_no_findings, axe_findings
from tests.factories import PASSWORD, approve, make_candidate, make_pledge, make_user

pytestmark = pytest.mark.django_db(transaction=True)
expect = pytest.importorskip("playwright.sync_api").expect

LIST_NAME = "Marseille en commun"
SECTEUR = "Marseille 1er secteur (1er et 7e arrondissements)"


def new_page(browser, live_server, *, width=1280, height=900, bypass_csp=False):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": height}, bypass_csp=bypass_csp
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    return page


def head_creates_and_signs_the_list(page, mailoutbox) -> None:
    sign_up_and_verify(page, mailoutbox, "camille.tete@exemple.test")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label(re.compile(r"^Nom( \*)?$")).fill("Durand")
    commune = page.get_by_role("combobox", name=re.compile("Commune où vous êtes candidat"))
    secteur = page.get_by_label("Secteur (Paris, Lyon et Marseille)")
    # Elsewhere than Paris, Lyon and Marseille, the script hides the secteur.
    commune.press_sequentially("saint etien", delay=30)
    page.get_by_role("option", name=re.compile("^Saint-Étienne Loire")).click()
    expect(secteur).to_be_hidden()
    commune.fill("")
    commune.press_sequentially("marseille", delay=30)
    page.get_by_role("option", name=re.compile("^Marseille Bouches-du-Rhône")).click()
    assert commune.input_value() == "Marseille (13)"
    # The script offers Marseille's secteurs only.
    expect(secteur).to_be_visible()
    assert page.locator("optgroup[data-commune='75056']").evaluate("group => group.disabled")
    assert not page.locator("optgroup[data-commune='13055']").evaluate("group => group.disabled")
    secteur.select_option(label=SECTEUR)
    page.get_by_label("Tête de liste").check()
    page.get_by_label("Nom de la liste").fill(LIST_NAME)
    page.get_by_role("button", name="Continuer vers les engagements").click()
    page.get_by_role("heading", name="Signer les engagements").wait_for()
    expect(page.locator(".signing-for")).to_contain_text(
        f"Vous signez pour la liste « {LIST_NAME} »."
    )
    page.get_by_label(re.compile(r"^1\.1 Je m’engage à généraliser")).check()
    page.get_by_label(re.compile(r"^2\.1 ")).check()
    consent_and_submit(page)


def colistier_joins_through_the_link(page, mailoutbox, link, *, email, first, last) -> None:
    page.goto(link)
    page.get_by_role("heading", name=f"Rejoindre la liste « {LIST_NAME} »").wait_for()
    page.get_by_role("link", name="Créer mon compte").click()
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation) :").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Vérifiez votre adresse électronique").wait_for()
    (message,) = [m for m in mailoutbox if m.to == [email]]
    # The link is on SITE_URL; the live server listens elsewhere.
    page.goto(page.base_url + re.search(r"https?://[^/\s]+(/\S*)", message.body).group(1))
    page.get_by_role("button", name="Confirmer").click()
    # Back to the invitation, which first asks who they are: « Ma candidature », filled in.
    page.get_by_role("heading", name="Ma candidature").wait_for()
    expect(
        page.get_by_text(f"Vous êtes invité·e à rejoindre la liste « {LIST_NAME} »")
    ).to_be_visible()
    expect(page.get_by_label("Colistier·e (candidat·e sur une liste)")).to_be_checked()
    expect(page.get_by_label("Secteur (Paris, Lyon et Marseille)")).to_have_value(
        str(ElectoralList.objects.get().secteur_id)
    )
    page.get_by_label("Prénom").fill(first)
    page.get_by_label(re.compile(r"^Nom( \*)?$")).fill(last)
    page.get_by_role("button", name="Continuer vers les engagements").click()
    page.get_by_role("heading", name=f"Rejoindre la liste « {LIST_NAME} »").wait_for()
    page.get_by_label(
        re.compile(
            f"^J’accepte que mon nom, ma commune et ma place sur la liste «\u202f{LIST_NAME}\u202f»"
        )
    ).check()
    page.get_by_role("button", name="Demander à rejoindre la liste").click()
    page.get_by_text("Votre demande est envoyée à la tête de liste").wait_for()
    expect(page.locator("#ma-liste .status-badge")).to_have_text("en attente")


def test_a_head_creates_signs_and_fills_a_list_that_a_voter_then_checks_on_a_phone(
    browser, live_server, page, mailoutbox, screenshot, settings
):
    settings.SITE_URL = live_server.url  # the invitation link and the QR code point here

    # The head: sign up, « Ma candidature » in Marseille's 1st secteur, sign for the list.
    head_creates_and_signs_the_list(page, mailoutbox)
    electoral_list = ElectoralList.objects.get()
    assert electoral_list.name == LIST_NAME
    assert electoral_list.secteur.name == SECTEUR
    head = Candidate.objects.get(user__email="camille.tete@exemple.test")
    assert electoral_list.head == head
    assert Signature.objects.get(candidate=head).electoral_list == electoral_list

    # « Mon espace » → the printable invitation, with its link and QR code.
    ma_liste = page.locator("#ma-liste")
    expect(ma_liste).to_contain_text("aucun membre confirmé pour l’instant")
    page.get_by_role("link", name="Page d’invitation à imprimer (avec QR code)").click()
    page.get_by_role("heading", name=f"Rejoignez la liste « {LIST_NAME} »").wait_for()
    link = page.locator(".invitation__url a").get_attribute("href")
    assert link == f"{live_server.url}/listes/rejoindre/{electoral_list.invitation_token}/"
    expect(page.locator("svg.segno")).to_be_visible()
    screenshot("list-invitation-1280")
    page.emulate_media(media="print")
    expect(page.locator(".invitation__back")).to_be_hidden()
    expect(page.locator("svg.segno")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # one sheet
    page.emulate_media(media="screen")

    # Two colistiers follow the link, each in their own browser.
    colistiers = [
        ("sacha.colistier@exemple.test", "Sacha", "Lefèvre"),
        ("noa.colistiere@exemple.test", "Noa", "Girard"),
    ]
    pages = {}
    for email, first, last in colistiers:
        pages[first] = new_page(browser, live_server)
        colistier_joins_through_the_link(
            pages[first], mailoutbox, link, email=email, first=first, last=last
        )
    requests = ListMembership.objects.filter(electoral_list=electoral_list)
    assert sorted((m.candidate.first_name, m.via_invitation) for m in requests) == [
        ("Noa", True),
        ("Sacha", True),
    ]

    # The head confirms one and refuses the other from « Mon espace ».
    page.goto(page.base_url + "/mon-espace/")
    expect(ma_liste).to_contain_text("2 demandes en attente")
    page.get_by_role("button", name="Confirmer Sacha Lefèvre").click()
    page.get_by_text("Sacha Lefèvre est confirmé·e sur la liste.").wait_for()
    page.get_by_role("button", name="Refuser Noa Girard").click()
    page.get_by_text("La demande de Noa Girard est refusée.").wait_for()
    expect(ma_liste).to_contain_text("1 membre confirmé·e")
    screenshot("list-mon-espace-head")
    statuses = dict(requests.values_list("candidate__first_name", "status"))
    assert statuses == {"Sacha": "confirmed", "Noa": "refused"}
    pages["Sacha"].goto(page.base_url + "/mon-espace/")
    expect(pages["Sacha"].locator("#ma-liste .status-badge")).to_have_text("membre")
    pages["Noa"].goto(page.base_url + "/mon-espace/")
    expect(pages["Noa"].locator("#ma-liste")).to_contain_text("demande refusée")
    for other in pages.values():
        other.context.close()

    # Staff approve the list's signature (the moderation service; its admin screens have
    # their own journey).
    approve(Signature.objects.get(electoral_list=electoral_list))

    # A voter on a 375-px-wide phone.
    voter = new_page(browser, live_server, width=375, height=800)
    voter.goto(voter.base_url + "/")
    voter.get_by_label("Commune, candidat·e ou liste").fill("marseille")
    voter.get_by_role("button", name="Rechercher").first.click()
    voter.get_by_role("region", name="Communes").get_by_role(
        "link", name="Marseille", exact=True
    ).click()
    voter.get_by_role("heading", name="Marseille", level=1).wait_for()
    rows = voter.locator("table.grid tbody tr", has_text=LIST_NAME)
    expect(rows).to_have_count(1)
    row = rows.first
    text = row.inner_text()
    assert "Liste conduite par Camille Durand" in text
    assert "2 engagements signés sur 20" in text
    assert "1.1 généraliser l’intégration des clauses…" in text  # a readable label
    assert row.bounding_box()["width"] <= 375
    assert voter.evaluate("document.documentElement.scrollWidth") <= 375
    voter.screenshot(path=str(RESULTS / "list-commune-375.png"), full_page=True)

    # The list's page: its head, its member who was confirmed, not the one refused.
    row.get_by_role("link", name=LIST_NAME).click()
    voter.get_by_role("heading", name=LIST_NAME, level=1).wait_for()
    assert voter.url.endswith(f"/listes/{electoral_list.pk}/")
    expect(voter.locator("main")).to_contain_text("Camille Durand")
    expect(voter.get_by_role("heading", name="Sacha Lefèvre")).to_be_visible()
    expect(voter.locator("main")).not_to_contain_text("Noa Girard")
    assert voter.evaluate("document.documentElement.scrollWidth") <= 375

    # Its certificate, verified online.
    voter.get_by_role("link", name="Vérifier l’attestation de la liste").click()
    voter.wait_for_url(re.compile(r"/verifier/CRC-[0-9A-Z]{4}-[0-9A-Z]{4}/$"))
    expect(voter.locator("main")).to_contain_text("valide et à jour")
    expect(voter.locator("main")).to_contain_text(LIST_NAME)
    voter.context.close()


def test_the_list_pages_pass_axe_core(browser, live_server, reference_data):
    """The head's « Mon espace » and invitation, the invitation signed out, « Trouver ma
    liste », the consent to join, and signing as a colistier, with real data on them."""
    secteur = Secteur.objects.get(commune__insee_code="13055", number=1)
    place = {"commune": secteur.commune, "secteur": secteur}
    head = make_candidate(user=make_user("tete@exemple.test"), list_name=LIST_NAME, **place)
    electoral_list = make_pledge(head).electoral_list
    member = make_candidate(
        user=make_user("membre@exemple.test"), role="candidate", list_name="", **place
    )
    membership = request_join(candidate=member, electoral_list=electoral_list, consent=True)
    decide_join(membership=membership, user=head.user, accept=True)
    make_candidate(user=make_user("attente@exemple.test"), role="candidate", list_name="", **place)
    request_join(
        candidate=Candidate.objects.get(user__email="attente@exemple.test"),
        electoral_list=electoral_list,
        consent=True,
    )
    make_candidate(user=make_user("seul@exemple.test"), role="candidate", list_name="", **place)
    invitation = f"/listes/rejoindre/{electoral_list.invitation_token}/"

    pages = []

    def visitor(email=None, width=1280):
        page = new_page(browser, live_server, width=width, bypass_csp=True)
        pages.append(page)
        if email:
            log_in(page, email)
        return page

    base = live_server.url
    checked = {}
    page = visitor("tete@exemple.test")
    checked["« Mon espace » of a head"] = axe_findings(page, base + "/mon-espace/")
    assert page.get_by_role("button", name=re.compile("^Confirmer ")).is_visible()
    checked["invitation page"] = axe_findings(page, base + "/mon-espace/liste/invitation/")
    checked["invitation, signed out"] = axe_findings(visitor(), base + invitation)
    page = visitor("seul@exemple.test")
    checked["« Trouver ma liste »"] = axe_findings(page, base + "/listes/rejoindre/?q=commun")
    checked["joining"] = axe_findings(page, base + invitation)
    page.get_by_role("button", name="Demander à rejoindre la liste").click()
    page.get_by_role("heading", name=re.compile("il reste à corriger")).wait_for()
    checked["joining, with its error"] = axe_findings(page)
    checked["signing, no list yet"] = axe_findings(page, base + "/signer/")
    page = visitor("membre@exemple.test")
    checked["signing as a colistier"] = axe_findings(page, base + "/signer/")
    checked["« Mon espace » of a colistier"] = axe_findings(page, base + "/mon-espace/")
    phone = visitor("membre@exemple.test", width=375)
    checked["« Ma candidature » (375 px)"] = axe_findings(phone, base + "/ma-candidature/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    for page in pages:
        page.context.close()
    assert_no_findings(checked)
