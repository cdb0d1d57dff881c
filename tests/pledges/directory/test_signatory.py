"""A signatory's public page, /signataires/<pk>/ (pledges/directory.py)."""

import pytest
from django.utils import timezone

from pledges.models import Signature, SignatureEvent
from tests.bulk import french_date, make_signatory

pytestmark = pytest.mark.django_db


def page(client, pledge) -> str:
    response = client.get(f"/signataires/{pledge.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_says_who_where_and_what_list(client):
    pledge = make_signatory(
        first_name="Dominique",
        last_name="Lefèvre",
        list_name="Saint-Étienne en commun",
        political_label="Divers gauche",
        website="https://exemple.test/dominique",
        statement="Pour une ville où chacun trouve sa place.\n\nEt son emploi.",
    )
    assert pledge.get_absolute_url() == f"/signataires/{pledge.pk}/"
    content = page(client, pledge)
    assert "<h1>Dominique Lefèvre</h1>" in content
    for text in ["Tête de liste", "Saint-Étienne en commun", "Divers gauche",
                 '<a href="/communes/42218/">Saint-Étienne</a> (Loire)',
                 '<a href="https://exemple.test/dominique" rel="nofollow ugc noopener">',
                 "<p>Pour une ville où chacun trouve sa place.</p>", "<p>Et son emploi.</p>",
                 f"<dd>{french_date(pledge.approved_at)}</dd>"]:  # fmt: skip
        assert text in content


def test_the_commitments_are_grouped_by_proposal_with_their_dates(client):
    pledge = make_signatory(codes=("1.1", "1.2", "3.2"), withdrawn_codes=("2.1",))
    content = page(client, pledge)
    assert "3 engagements signés, 1 retiré" in content
    signed_on = french_date(pledge.signed_commitments.first().signed_at)
    withdrawn = pledge.signed_commitments.get(withdrawn_at__isnull=False)
    assert content.count(f"Signé le {signed_on}") == 4
    assert f"<strong>retiré le {french_date(withdrawn.withdrawn_at)}</strong>" in content
    order = [content.index(f'<span class="commitment__code">{code}</span>')
             for code in ("1.1", "1.2", "2.1", "3.2")]  # fmt: skip
    assert order == sorted(order)
    assert content.count('<h3 class="signed-proposal">') == 3
    assert '<a href="/propositions/2/">#2.' in content


def test_a_withdrawn_signature_is_shown_with_its_date(client):
    pledge = make_signatory(status=Signature.Status.WITHDRAWN, was_approved=True)
    content = page(client, pledge)
    assert f"Signature retirée le {french_date(pledge.withdrawn_at)}" in content
    assert "0 engagement signé, 2 retirés" in content  # French: 0 is singular


def test_the_public_history_leaves_out_private_events_and_notes(client):
    pledge = make_signatory(codes=("1.1",), withdrawn_codes=("2.1",))
    SignatureEvent.objects.create(
        pledge=pledge,
        kind=SignatureEvent.Kind.CHANGES_REQUESTED,
        at=timezone.now(),
        note="Merci de préciser votre liste",
    )
    content = page(client, pledge)
    history = content[content.index('id="titre-historique"') :]
    assert "signature validée" in history
    assert "engagement retiré (2.1)" in history
    assert "signature envoyée" not in history  # before approval: not public
    assert "compléments demandés" not in history
    assert "Note privée de la modération" not in content
    assert "Merci de préciser" not in content


def test_the_page_has_sharing_tags(client):
    pledge = make_signatory(first_name="Dominique", last_name="Lefèvre")
    content = page(client, pledge)
    assert (
        '<meta property="og:title" content="Dominique Lefèvre, tête de liste à Saint-Étienne">'
    ) in content
    assert (
        '<meta property="og:description" content="Dominique Lefèvre a signé 2 engagements de la '
        'campagne #Municipales2020 de Coorace.">'
    ) in content
    assert '<meta property="og:type" content="profile">' in content
    assert (
        f'<link rel="canonical" href="http://127.0.0.1:8000/signataires/{pledge.pk}/">' in content
    )


def test_an_unknown_signatory_is_a_404(client):
    assert client.get("/signataires/999999/").status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries, database_tasks
):
    settings.SHARE_IMAGE_ON_PAGE_VIEW = True  # as in production
    pledge = make_signatory(codes=("1.1", "1.2", "2.1", "3.1", "3.2"), withdrawn_codes=("4.1",))
    # pledge with candidate, commune and campaign; signatures; public events; the charter's
    # size for the share image (then a minute in the counters' cache); the share image's
    # job, enqueued as its file is not drawn yet (once drawn, nothing:
    # tests/pledges/directory/test_share_image.py)
    with django_assert_num_queries(5):
        assert client.get(f"/signataires/{pledge.pk}/").status_code == 200
