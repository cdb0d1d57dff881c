"""After the vote, in a real browser: staff import the elected (an RNE-shaped file through
`manage.py import_elus`); the head of the elected list reports on commitment 3.1 from
« Mon espace », with a link (a bad link first: said, and nothing typed lost); staff approve
the update in the admin; a voter reads the list's public follow-up, the commune's bilan and
the commitment's national bilan, and downloads its PDF, read back with pdftotext."""

import re
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from candidates.models import ListOutcome
from communes.models import Commune
from pledges.lists.services import link_official_list
from pledges.models import FollowUpStatus, FollowUpUpdate, SignedCommitment
from tests.browser.conftest import RESULTS
from tests.browser.journeys import log_in
from tests.browser.test_accessibility import assert_no_findings, axe_findings
from tests.candidates.official.elected_files import elu, rne_file_bytes
from tests.factories import (
    PASSWORD,
    approve,
    make_candidate,
    make_moderator,
    make_official_list,
    make_pledge,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)
expect = pytest.importorskip("playwright.sync_api").expect

LIST_NAME = "Ambérieu écologique et solidaire"
HEAD_EMAIL = "helene.dupre@exemple.test"
LINK = "https://www.ville-amberieuenbugey.fr/deliberations/2020-114"
EXPLANATION = (
    "Le conseil municipal du 12 octobre 2020 a voté la gratuité des deux lignes de bus, "
    "à partir du 1er janvier 2021."
)


def new_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    return page


def the_signed_list():
    """Ambérieu-en-Bugey: the list of Hélène Dupré signed 3.1 and 1.1, approved, and tied to
    its official list (as the roster matching leaves it)."""
    commune = Commune.objects.get(insee_code="01004")
    official = make_official_list(
        commune,
        panel_number=1,
        name=LIST_NAME,
        head=("Hélène", "Dupré"),
        colistiers=(("François", "Lefèvre"),),
    )
    head = make_candidate(
        user=make_user(HEAD_EMAIL),
        commune=commune,
        first_name="Hélène",
        last_name="Dupré",
        list_name=LIST_NAME,
    )
    pledge = approve(make_pledge(head, codes=("3.1", "1.1")))
    link_official_list(electoral_list=pledge.electoral_list, official_list=official)
    return pledge


def staff_import_the_elected(tmp_path, pledge) -> None:
    path = tmp_path / "elus-municipaux-cm.txt"
    path.write_bytes(
        rne_file_bytes(
            [
                elu("004", "01", "DUPRÉ", "Hélène", function="Maire", born="12/06/1968"),
                elu("004", "01", "LEFÈVRE", "François", sex="M", function="Adjoint au maire"),
            ]
        )
    )
    call_command("import_elus", str(path), stdout=StringIO(), stderr=StringIO())
    pledge.electoral_list.refresh_from_db()
    assert pledge.electoral_list.outcome == ListOutcome.MAJORITY


def test_the_follow_up_journey(browser, live_server, reference_data, tmp_path, mailoutbox):
    pledge = the_signed_list()
    make_moderator("nadia")
    commitment = SignedCommitment.objects.get(pledge=pledge, commitment__proposal__number=3)

    # 1. Staff import the elected: the list is in the council, its follow-up opens.
    staff_import_the_elected(tmp_path, pledge)

    # 2. The head reports on 3.1 from « Mon espace ».
    head = new_page(browser, live_server)
    log_in(head, HEAD_EMAIL)
    head.get_by_role("link", name="Mettre à jour le suivi des engagements").click()
    head.get_by_role("heading", name="Le suivi de nos engagements", level=1).wait_for()
    article = head.locator(f"#engagement-{commitment.pk}")
    article.get_by_text("Proposer une mise à jour de l’engagement 3.1").click()
    article.get_by_label("en cours").check()
    article.get_by_label(re.compile("^Ce qui a été fait")).fill(EXPLANATION)
    article.get_by_label("Lien (facultatif)").fill("ftp://ville.example/deliberation.pdf")
    article.get_by_label("Source (facultative)").fill("Délibération n° 2020-114")
    article.get_by_role("button", name="Envoyer la mise à jour de l’engagement 3.1").click()
    # A bad link: said in French, at the form, and what was typed is still there.
    head.get_by_text("Votre saisie est gardée, mais il reste à corriger").wait_for()
    expect(head.get_by_role("alert")).to_contain_text("Seuls les liens web sont acceptés")
    article = head.locator(f"#engagement-{commitment.pk}")
    expect(article.get_by_label(re.compile("^Ce qui a été fait"))).to_have_value(EXPLANATION)
    expect(article.get_by_label("Source (facultative)")).to_have_value("Délibération n° 2020-114")
    checked = {"« Mon espace », suivi, with its error": axe_findings(head)}
    article.get_by_label("Lien (facultatif)").fill(LINK)
    article.get_by_role("button", name="Envoyer la mise à jour de l’engagement 3.1").click()
    head.get_by_text("Votre mise à jour de l’engagement 3.1 est envoyée").wait_for()
    expect(head.locator(f"#engagement-{commitment.pk}")).to_contain_text("en attente de modération")
    head.screenshot(path=str(RESULTS / "follow-up-mon-espace.png"), full_page=True)
    update = FollowUpUpdate.objects.get()
    assert update.state == FollowUpUpdate.State.PENDING
    commitment.refresh_from_db()
    assert commitment.follow_up_status == FollowUpStatus.NOT_STARTED  # not before approval

    # 3. Staff approve it in the admin's queue.
    staff = new_page(browser, live_server)
    staff.goto(staff.base_url + "/admin/")
    staff.get_by_label("Nom d’utilisateur").fill("nadia")
    staff.get_by_label("Mot de passe").fill(PASSWORD)
    staff.get_by_role("button", name="Connexion").click()
    staff.get_by_role("link", name="Mises à jour du suivi").first.click()
    row = staff.locator("#result_list tbody tr").first
    expect(row).to_contain_text(LIST_NAME)
    expect(row).to_contain_text("en attente de modération")
    row.locator("th a").first.click()
    expect(staff.locator("body")).to_contain_text(EXPLANATION)
    mailoutbox.clear()
    staff.get_by_role("button", name="Publier cette mise à jour").click()
    staff.get_by_text("Mise à jour publiée.").wait_for()
    staff.screenshot(path=str(RESULTS / "follow-up-admin.png"), full_page=True)
    (told,) = [m for m in mailoutbox if m.to == [HEAD_EMAIL]]
    assert "publiée" in told.subject
    commitment.refresh_from_db()
    assert commitment.follow_up_status == FollowUpStatus.IN_PROGRESS

    # 4. A voter reads the follow-up from the list's page, then the bilans.
    voter = new_page(browser, live_server)
    voter.goto(voter.base_url + "/communes/01004/")
    voter.get_by_role("link", name=LIST_NAME).first.click()
    voter.get_by_role("heading", name=LIST_NAME, level=1).wait_for()
    expect(voter.get_by_role("link", name="suivi : en cours")).to_be_visible()
    voter.get_by_role("link", name="Après le vote : le suivi public de chaque engagement").click()
    voter.get_by_role(
        "heading", name=re.compile("^Le suivi des engagements de la liste")
    ).wait_for()
    section = voter.locator("#engagement-3\\.1")
    expect(section).to_contain_text(EXPLANATION)
    expect(section).to_contain_text("en cours")
    expect(section).to_contain_text("Délibération n° 2020-114")
    expect(section.get_by_role("link", name=LINK)).to_have_attribute("href", LINK)
    voter.screenshot(path=str(RESULTS / "follow-up-public.png"), full_page=True)
    checked["public follow-up"] = axe_findings(voter)

    voter.goto(voter.base_url + "/communes/01004/")
    voter.get_by_role("link", name="Le bilan des élu·es : où en sont leurs engagements").click()
    voter.get_by_role("heading", level=1).wait_for()
    bilan = voter.locator(".bilan-signatory")
    expect(bilan).to_contain_text(LIST_NAME)
    expect(bilan.get_by_role("row", name=re.compile("^3\\.1"))).to_contain_text("en cours")
    voter.get_by_role("link", name=re.compile("^3\\.1 — ")).first.click()
    voter.get_by_role("heading", level=1).wait_for()
    expect(voter.locator(".bilan-statement")).to_contain_text("en cours pour 1")
    voter.screenshot(path=str(RESULTS / "follow-up-bilan-commitment.png"), full_page=True)
    # The PDF opens in the browser (inline): fetched as the browser would, with its cookies.
    href = voter.get_by_role("link", name="Télécharger ce bilan (PDF, A4)").get_attribute("href")
    response = voter.context.request.get(voter.base_url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf_path = tmp_path / "bilan-3-1.pdf"
    pdf_path.write_bytes(response.body())
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    assert_no_findings(checked)
    if shutil.which("pdftotext") is None:
        pytest.skip("reading the bilan back needs pdftotext (apt-get install poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, text=True
    ).stdout
    words = " ".join(text.split()).replace("\u202f", " ")
    assert "3.1" in words
    assert "en cours pour 1" in words
