"""What assistive technologies are told about « Ma candidature »'s fields and errors."""

import pytest

from candidates.forms import CandidateForm
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
