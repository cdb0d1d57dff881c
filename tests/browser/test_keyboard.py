"""A candidate signs with the keyboard alone: Tab, Shift+Tab, arrows, Space, Enter, typing.

No click, check or fill: the page is only read, to know where the focus is.
"""

import re

import pytest

from candidates.models import Candidate
from pledges.models import Signature
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, target, *, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if is_focused(target):
            return
    raise AssertionError(f"{target} never got the focus after {limit} presses")


def assert_focus_is_visible(page) -> None:
    outline = page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                focusVisible: element.matches(":focus-visible"),
                style: style.outlineStyle,
                width: parseFloat(style.outlineWidth),
            };
        }"""
    )
    assert outline["focusVisible"]
    assert outline["style"] != "none"
    assert outline["width"] >= 2


def test_a_candidate_logs_in_fills_the_profile_and_signs_with_the_keyboard_alone(page):
    make_user("claude@exemple.test")  # an account whose address is already verified
    page.goto(page.base_url + "/")

    # The skip link is the first tab stop, shows itself, and moves the focus to the content.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    assert is_focused(skip_link)
    assert skip_link.is_visible()
    assert skip_link.bounding_box()["y"] >= 0
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'contenu'")

    # Back into the header, to « Candidat·e ? Signez » (sign-up first), then its link to the
    # login form.
    sign_link = page.get_by_role("link", name="Candidat·e ? Signez")
    tab_to(page, sign_link, backwards=True)
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Créer mon compte").wait_for()
    tab_to(page, page.get_by_role("link", name="Connectez-vous"))
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Connexion").wait_for()
    tab_to(page, page.get_by_label("Adresse électronique"))
    page.keyboard.type("claude@exemple.test")
    tab_to(page, page.get_by_label("Mot de passe"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # « Ma candidature », the commune chosen in the combobox with the arrows and Enter.
    page.get_by_role("heading", name="Ma candidature").wait_for()
    tab_to(page, page.get_by_label("Prénom"))
    page.keyboard.type("Claude")
    tab_to(page, page.get_by_label(re.compile(r"^Nom( \*)?$")))
    page.keyboard.type("Fontaine")
    commune = page.get_by_role("combobox", name=re.compile("Commune où vous êtes candidat"))
    tab_to(page, commune)
    assert_focus_is_visible(page)
    page.keyboard.type("saint etien", delay=30)
    page.get_by_role("listbox", name="Communes proposées").wait_for()
    for _ in range(8):
        page.keyboard.press("ArrowDown")
        active = page.locator("#" + commune.get_attribute("aria-activedescendant"))
        if re.match(r"^Saint-Étienne Loire", active.inner_text()):
            break
    page.keyboard.press("Enter")
    assert commune.input_value() == "Saint-Étienne (42)"
    assert commune.get_attribute("aria-expanded") == "false"
    head_of_list = page.get_by_role("radio", name="Tête de liste")
    tab_to(page, head_of_list)
    page.keyboard.press("Space")
    assert head_of_list.is_checked()
    tab_to(page, page.get_by_label("Nom de la liste"))
    page.keyboard.type("Saint-Étienne ensemble")
    tab_to(page, page.get_by_role("button", name="Continuer vers les engagements"))
    page.keyboard.press("Enter")

    # The signing page: sent with nothing ticked, the error summary leads to what to fix.
    page.get_by_role("heading", name="Signer les engagements").wait_for()
    send = page.get_by_role("button", name="Signer et envoyer")
    tab_to(page, send)
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    summary.get_by_role("heading", name=re.compile("il reste à corriger")).wait_for()
    tab_to(page, summary.get_by_role("link", name=re.compile("^Engagements : Cochez au moins")))
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'id_commitments'")

    # Commitments ticked with Space, a whole proposal with « Tout cocher », both consents.
    first = page.get_by_role("checkbox", name=re.compile(r"^1\.1 Je m’engage à généraliser"))
    tab_to(page, first)
    assert_focus_is_visible(page)
    page.keyboard.press("Space")
    assert first.is_checked()
    check_all = page.get_by_role("button", name="Tout cocher (proposition #2)")
    tab_to(page, check_all)
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    for code in ("2.1", "2.2", "2.3"):
        assert page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(code)} ")).is_checked()
    assert page.get_by_role("button", name="Tout décocher (proposition #2)").is_visible()
    for consent in ("^Je certifie être candidat·e", "^J’accepte que mon nom"):
        box = page.get_by_role("checkbox", name=re.compile(consent))
        tab_to(page, box)
        page.keyboard.press("Space")
        assert box.is_checked()
    tab_to(page, send)
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")

    page.get_by_text("Votre signature est enregistrée").wait_for()
    assert page.get_by_role("heading", name=re.compile("en attente de validation")).is_visible()
    candidate = Candidate.objects.get(user__email="claude@exemple.test")
    assert (candidate.first_name, candidate.last_name) == ("Claude", "Fontaine")
    assert candidate.commune.insee_code == "42218"
    assert candidate.role == Candidate.Role.HEAD_OF_LIST
    pledge = Signature.objects.get(candidate=candidate)
    assert pledge.status == Signature.Status.PENDING
    codes = sorted(s.commitment.code for s in pledge.active_signatures())
    assert codes == ["1.1", "2.1", "2.2", "2.3"]
