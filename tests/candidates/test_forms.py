"""« Ma candidature » and the correction request: what assistive technologies are told of
the fields and errors, and the control characters every field refuses."""

import pytest
from django.core.exceptions import ValidationError

from candidates.forms import CandidateForm, CorrectionRequestForm
from candidates.models import Candidate
from tests.candidates.test_views import PROFILE, profile_data
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_client(client):
    client.force_login(make_user())
    return client


def test_a_help_text_and_an_error_are_tied_to_their_field_by_ids_that_exist(user_client):
    html = user_client.post(PROFILE, profile_data(first_name="", list_name="")).content.decode()
    assert 'aria-describedby="id_first_name_error"' in html
    assert '<div id="id_first_name_error"><p class="field__error">' in html
    assert 'aria-describedby="id_statement_helptext"' in html
    assert '<p class="hint" id="id_statement_helptext">' in html


def test_the_commune_error_is_announced_on_the_box_where_the_commune_is_typed(user_client):
    form = CandidateForm(data=profile_data(commune="", commune_query=""))
    assert not form.is_valid()
    box = str(form["commune_query"])
    assert 'aria-invalid="true"' in box
    assert 'aria-describedby="id_commune_query_helptext id_commune_error"' in box

    html = user_client.post(PROFILE, profile_data(commune="", commune_query="")).content.decode()
    assert '<div id="id_commune_error"><p class="field__error">' in html
    # The error summary leads there, not to the hidden input that carries the INSEE code.
    assert '<a href="#id_commune_error">' in html


def test_a_valid_commune_leaves_the_box_described_by_its_help_text_alone():
    form = CandidateForm(data=profile_data())
    assert form.is_valid(), form.errors
    box = str(form["commune_query"])
    assert "aria-invalid" not in box
    assert 'aria-describedby="id_commune_query_helptext"' in box


# ---------------------------------------------------------------- control characters

NO_CONTROL = (
    "Ce champ ne peut pas contenir de retour à la ligne, de tabulation ni de caractère de contrôle."
)
SINGLE_LINE_FIELDS = [
    "first_name", "last_name", "commune_query", "list_name", "political_label", "website", "phone",
]  # fmt: skip


def test_a_carriage_return_in_a_first_name_is_refused_and_the_rest_is_kept(user_client):
    response = user_client.post(PROFILE, profile_data(first_name="Camille\rX"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["first_name"] == [NO_CONTROL]
    assert list(form.errors) == ["first_name"]
    html = response.content.decode()
    assert NO_CONTROL.replace("’", "&#x27;") in html or NO_CONTROL in html
    assert 'value="Durand"' in html
    assert 'value="Saint-Étienne solidaire"' in html
    assert "Pour une ville inclusive." in html


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
@pytest.mark.parametrize("control", ["\r", "\n", "\t", "\x00", "\x1b", "\x85", "\u2028"])
def test_single_line_fields_refuse_control_characters(field, control):
    value = profile_data()[field]
    form = CandidateForm(data=profile_data(**{field: value[:3] + control + value[3:]}))
    assert not form.is_valid()
    # NUL is caught first by Django's own validator, with its own French message.
    assert {NO_CONTROL, "Le caractère nul n’est pas autorisé."} & set(form.errors[field])


def test_the_statement_keeps_its_line_breaks_but_refuses_other_controls():
    assert CandidateForm(data=profile_data(statement="Un.\r\nDeux.\tTrois.")).is_valid()
    form = CandidateForm(data=profile_data(statement="Un.\x1bDeux."))
    assert form.errors["statement"] == ["Ce texte ne peut pas contenir de caractère de contrôle."]


def test_the_correction_request_refuses_control_characters_but_keeps_line_breaks():
    assert CorrectionRequestForm(data={"message": "Mon nom :\r\nMartin"}).is_valid()
    form = CorrectionRequestForm(data={"message": "Mon nom\x07"})
    assert form.errors["message"] == ["Ce texte ne peut pas contenir de caractère de contrôle."]


def test_the_model_refuses_control_characters_wherever_it_is_edited():
    # The admin's forms and any full_clean() go through the model field's validators.
    candidate = Candidate(first_name="Jean\r\nBcc: x@exemple.test", last_name="Dupont")
    with pytest.raises(ValidationError) as error:
        candidate.full_clean(exclude=["user", "commune", "role"])
    assert error.value.message_dict["first_name"] == [NO_CONTROL]
