"""The official roster's journey in a real browser (issue 13): staff import a round-1 file of
the Ministry's with three lists in Saint-Étienne, one of which had signed before the files
were out; the commune page shows the three lists, one signed; staff mark another invited in
the admin and print its letter; that list's head follows the letter's link, signs up and
signs; once staff approve, the commune page says « 2 listes sur 3 ont signé »."""

import re
import subprocess

import pytest
from django.core.management import call_command

from candidates.models import Candidate, OfficialList, RosterImport, RosterMatch
from communes.models import Commune
from pledges.models import ElectoralList, ListInvitation, Signature
from tests.browser.journeys import consent_and_submit
from tests.candidates.official.files import list_file_bytes, list_row
from tests.factories import PASSWORD, make_candidate, make_moderator, make_pledge, make_user

pytestmark = pytest.mark.django_db(transaction=True)
expect = pytest.importorskip("playwright.sync_api").expect

# Saint-Étienne (42218, 170,000 inhabitants) as the Ministry writes it: « Code commune » is
# the three characters after the département's code, names of people in capitals.
SAINT_ETIENNE = {"dep_name": "Loire", "commune_name": "Saint-Étienne"}
SIGNED_EARLY = "Saint-Étienne en commun"
INVITED = "Agir pour Saint-Étienne"
SILENT = "Saint-Étienne demain"
LISTS = [
    # panel, name, short name, nuance, candidates (last, first), the head first
    (1, SIGNED_EARLY, "SE EN COMMUN", "LDVG", [("DUPRÉ", "Léa"), ("FAURE", "Hugo")]),
    (2, INVITED, "AGIR", "LDVC", [("BENALI", "Nadia"), ("ROUX", "Éric"), ("BLANC", "Inès")]),
    (3, SILENT, "SE DEMAIN", "LDVD", [("MOREL", "Paul"), ("GIRAUD", "Zoé")]),
]
HEAD_EMAIL = "nadia.benali@exemple.test"


def round_one_file(tmp_path):
    rows = [
        list_row(
            "218",
            "42",
            panel,
            number,
            last,
            first,
            short_name=short_name,
            name=name,
            nuance=nuance,
            **SAINT_ETIENNE,
        )
        for panel, name, short_name, nuance, candidates in LISTS
        for number, (last, first) in enumerate(candidates, start=1)
    ]
    path = tmp_path / "livre-des-listes-et-candidats-t1.txt"
    path.write_bytes(list_file_bytes(rows))
    return path


def new_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    return page


def admin_log_in(page, username: str) -> None:
    page.goto(page.base_url + "/admin/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("link", name="Signatures").first.wait_for()


def admin_approves(page, candidate_name: str) -> None:
    """From the queue of pending signatures, « Valider » one."""
    page.goto(page.base_url + "/admin/pledges/signature/?status__exact=pending")
    page.get_by_role("link", name=candidate_name).click()
    page.get_by_role("button", name="Valider", exact=True).click()
    page.get_by_text(
        "Signature validée : la personne candidate est prévenue par courriel."
    ).wait_for()


def official_lists_action(page, list_name: str, action: str) -> None:
    """Tick one list on the official lists' changelist (searched by name), choose an action
    and run it."""
    page.goto(page.base_url + "/admin/candidates/officiallist/")
    page.locator("#searchbar").fill(list_name)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"\?q="))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(list_name)
    rows.first.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action)
    page.get_by_role("button", name="Envoyer").click()


def commune_page(browser, live_server, commune):
    """The commune's page for a voter, each time in a fresh browser (nothing cached)."""
    voter = new_page(browser, live_server)
    voter.goto(live_server.url + commune.get_absolute_url())
    voter.get_by_role("heading", name=commune.name, level=1).wait_for()
    return voter


def roster_row(page, name: str):
    rows = page.locator("table.roster-table tbody tr", has_text=name)
    expect(rows).to_have_count(1)
    return rows.first


def test_staff_import_the_roster_invite_a_list_whose_head_signs_through_the_letter(
    browser, live_server, page, mailoutbox, settings, tmp_path
):
    settings.SITE_URL = live_server.url  # the letter's short link and QR code point here
    make_moderator("nadia.moderation", first_name="Inès", last_name="Moderatrice")
    saint_etienne = Commune.objects.get(insee_code="42218")
    assert saint_etienne.population >= 1000

    # Before the files are out, a head signs for their list (the services, as signing
    # journeys do in the browser); staff approve it in the admin.
    early_head = make_candidate(
        user=make_user("lea.dupre@exemple.test"),
        first_name="Léa",
        last_name="Dupré",
        commune=saint_etienne,
        list_name=SIGNED_EARLY,
    )
    early = make_pledge(early_head)
    admin_log_in(page, "nadia.moderation")
    admin_approves(page, "Léa Dupré")
    early.refresh_from_db()
    assert early.status == Signature.Status.APPROVED
    assert early.electoral_list.official_list is None  # nothing to match yet
    voter = commune_page(browser, live_server, saint_etienne)
    expect(voter.locator("section.roster")).to_have_count(0)  # no roster before an import
    voter.context.close()

    # Staff import the Ministry's round-1 file (no upload page: the command, on the file).
    call_command("import_candidatures", str(round_one_file(tmp_path)), tour=1, verbosity=0)
    assert RosterImport.objects.count() == 1
    assert OfficialList.objects.filter(commune=saint_etienne).count() == 3
    # The list that signed early is matched to its official record at import.
    early_list = ElectoralList.objects.get(pk=early.electoral_list_id)
    assert early_list.official_list.name == SIGNED_EARLY
    assert early_list.roster_match == RosterMatch.FOUND

    # The commune page: three official lists, one signed, which links to its page.
    voter = commune_page(browser, live_server, saint_etienne)
    roster = voter.locator("section.roster")
    expect(roster.get_by_role("heading", name="Les listes officielles")).to_be_visible()
    expect(roster.locator(".roster__count").first).to_have_text("1 liste sur 3 a signé.")
    expect(voter.locator("table.roster-table tbody tr")).to_have_count(3)
    for panel, name, _short_name, nuance, candidates in LISTS:
        row = roster_row(voter, name)
        expect(row.locator("td").first).to_have_text(str(panel))
        head_last, head_first = candidates[0]
        expect(row).to_contain_text(nuance)
        expect(row).to_contain_text(re.compile(f"{head_first} {head_last}", re.IGNORECASE))
    expect(roster_row(voter, SIGNED_EARLY)).to_contain_text("a signé · 2 engagements")
    expect(roster_row(voter, INVITED)).to_contain_text("n’a pas (encore) répondu")
    expect(roster_row(voter, SILENT)).to_contain_text("n’a pas (encore) répondu")
    roster_row(voter, SIGNED_EARLY).get_by_role("link", name="a signé").click()
    voter.get_by_role("heading", name=SIGNED_EARLY, level=1).wait_for()
    assert voter.url == live_server.url + early_list.get_absolute_url()
    expect(voter.locator("main")).to_contain_text("liste déposée en préfecture")
    voter.context.close()

    # Staff mark the second list invited: the action's intermediate page asks date and channel.
    official_lists_action(page, INVITED, "Marquer comme invitée(s)")
    page.get_by_role("heading", name="Marquer comme invitée(s)").wait_for()
    expect(page.locator("#content")).to_contain_text(f"« {INVITED} » — Saint-Étienne")
    page.get_by_label("Date de l’invitation").fill("2026-11-30")
    page.get_by_label("Moyen").select_option(label="en main propre")
    page.get_by_label("Note (facultative)").fill("Lettre remise à la permanence.")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("1 liste marquée comme invitée le 30 novembre 2026.").wait_for()
    invited = OfficialList.objects.get(name=INVITED)
    (invitation,) = ListInvitation.objects.filter(official_list=invited)
    assert (str(invitation.at), invitation.channel) == ("2026-11-30", "hand")
    assert invitation.invited_by.username == "nadia.moderation"

    # …and print its letter: one page, with the list's name and the short link to sign.
    letter = print_letter(page, tmp_path, INVITED)
    assert letter.count("\f") == 1  # pdftotext ends each page with a form feed
    assert INVITED in letter
    link = re.search(r"(https?://\S+/l/([-\w]+)/)", letter)
    assert link, letter
    assert link.group(1) == f"{live_server.url}/l/{invited.invitation_code}/"
    voter = commune_page(browser, live_server, saint_etienne)
    expect(roster_row(voter, INVITED)).to_contain_text("invitée le 30 novembre 2026")
    expect(voter.locator(".roster__count").first).to_have_text("1 liste sur 3 a signé.")
    voter.context.close()

    # The list's head opens the letter's link in their own browser and signs up there.
    head = new_page(browser, live_server)
    head.goto(link.group(1))
    head.get_by_role("heading", name="Votre liste est invitée à signer").wait_for()
    expect(head.locator("main")).to_contain_text(INVITED)
    head.get_by_role("link", name="Créer mon compte").click()
    head.get_by_label(re.compile("^(Courriel|Adresse électronique)")).fill(HEAD_EMAIL)
    head.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    head.get_by_label("Mot de passe (confirmation) :").fill(PASSWORD)
    head.get_by_role("button", name="Créer mon compte").click()
    head.get_by_role("heading", name="Vérifiez votre adresse électronique").wait_for()
    (message,) = [m for m in mailoutbox if m.to == [HEAD_EMAIL]]
    head.goto(live_server.url + re.search(r"https?://[^/\s]+(/\S*)", message.body).group(1))
    head.get_by_role("button", name="Confirmer").click()

    # Back through the letter's link to « Ma candidature », filled in for that list.
    head.get_by_role("heading", name="Ma candidature").wait_for()
    expect(
        head.get_by_text(f"Votre liste « {INVITED} » (Saint-Étienne) est invitée à signer")
    ).to_be_visible()
    commune = head.get_by_role("combobox", name=re.compile("Commune où vous êtes candidat"))
    expect(commune).to_have_value("Saint-Étienne (42)")
    expect(head.get_by_label("Tête de liste")).to_be_checked()
    expect(head.get_by_label("Nom de la liste")).to_have_value(INVITED)
    head.get_by_label("Prénom").fill("Nadia")
    head.get_by_label(re.compile(r"^Nom( \*)?$")).fill("Benali")
    head.get_by_role("button", name="Continuer vers les engagements").click()

    # Signing, as the list's head.
    head.get_by_role("heading", name="Signer les engagements").wait_for()
    expect(head.get_by_text(f"Vous signez pour la liste « {INVITED} »").first).to_be_visible()
    for code in ("1.1", "2.1", "3.1"):
        head.get_by_label(re.compile(rf"^{re.escape(code)} ")).check()
    consent_and_submit(head)
    head.context.close()
    signer = Candidate.objects.get(user__email=HEAD_EMAIL)
    signature = Signature.objects.get(candidate=signer)
    assert signature.electoral_list.head == signer
    assert signature.electoral_list.official_list == invited
    assert signature.electoral_list.roster_match == RosterMatch.CONFIRMED

    # Staff approve it in the admin; the commune page now counts two lists of three.
    admin_approves(page, "Nadia Benali")
    voter = commune_page(browser, live_server, saint_etienne)
    expect(voter.locator(".roster__count").first).to_have_text("2 listes sur 3 ont signé.")
    expect(roster_row(voter, INVITED)).to_contain_text("a signé · 3 engagements")
    expect(roster_row(voter, SIGNED_EARLY)).to_contain_text("a signé · 2 engagements")
    expect(roster_row(voter, SILENT)).to_contain_text("n’a pas (encore) répondu")
    roster_row(voter, INVITED).get_by_role("link", name="a signé").click()
    voter.get_by_role("heading", name=INVITED, level=1).wait_for()
    expect(voter.locator("main")).to_contain_text("Nadia Benali")
    expect(voter.locator("main")).to_contain_text("liste déposée en préfecture")
    voter.context.close()


def print_letter(page, tmp_path, list_name: str) -> str:
    """« Imprimer les lettres d’invitation » on one list: the PDF downloaded, as text."""
    with page.expect_download() as download_info:
        official_lists_action(page, list_name, "Imprimer les lettres d’invitation")
    download = download_info.value
    assert download.suggested_filename.startswith("lettres-invitation-")
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.replace("\u202f", " ").replace("\u00a0", " ")
