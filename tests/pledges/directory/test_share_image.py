"""The share image of a public list or signatory (pledges/directory/share_image.py): a
1200 by 630 PNG drawn by a job (pledges/directory/tasks.py) once per version of what it
shows, stored, referenced by og:image; a request never draws it.

Jobs run when the transaction that enqueued them commits (tests/conftest.py): a first
request for a new version serves the generic card and its job draws the image at once;
the tests about the queue itself (`database_tasks`) run the worker in-process."""

import errno
import io
import re
import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from PIL import Image

from candidates.models import Candidate
from pledges.certificates.services import write_whole
from pledges.directory import share_image
from pledges.directory.share_image import HEIGHT, MARGIN, WIDTH, Kind, ShareContent, layout
from pledges.models import Signature
from pledges.moderation.services import edit_list
from pledges.signing.services import add_commitment, withdraw_pledge
from tests.concurrency import at_once, concurrent_bodies
from tests.config.test_tasks import due_now
from tests.factories import a_moderator, commitments, make_candidate, make_pledge
from tests.jobs import run_worker
from tests.pledges.directory.lists_data import make_individual, make_list

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LONG_NAME = ("Œuvrer ensemble à L’Haÿ-les-Roses, " * 10)[:200]
Status = Signature.Status


def image_url(the_list) -> str:
    return f"/listes/{the_list.pk}/partage.png"


GENERIC_CARD = share_image.FALLBACK.read_bytes()


def body(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    data = b"".join(response.streaming_content)
    assert data.startswith(PNG_SIGNATURE)
    return data


def png(response) -> Image.Image:
    return Image.open(io.BytesIO(body(response)))


def is_generic_card(response) -> bool:
    """The campaign's card, served while the image is drawn: kept by no cache."""
    generic = body(response) == GENERIC_CARD
    if generic:
        assert response["Cache-Control"] == "no-cache, max-age=0"
        assert not response.has_header("ETag")
    return generic


def served(client, url: str):
    """The image of a version not drawn yet, as served once its job has run: the first
    request serves the generic card and enqueues the job (run at once here)."""
    assert is_generic_card(client.get(url))
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=60"
    return response


def stored_bytes(settings, name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / "partage" / name).read_bytes()


def jobs(task: str = "render_share_image") -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=f"pledges.directory.tasks.{task}"))


def count_renders(monkeypatch) -> list:
    renders = []
    render = share_image.render_png

    def counted(content):
        renders.append(content)
        return render(content)

    monkeypatch.setattr(share_image, "render_png", counted)
    return renders


def stored(settings) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "partage"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def keep_screenshot(tmp_path_factory, name: str, data: bytes) -> None:
    """The issue asks for screenshots kept under the test output folder (pytest's
    basetemp): screenshots/<name>."""
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)


# ------------------------------------------------------------------ the PNG


def test_a_public_list_has_a_1200_by_630_png(client, settings, tmp_path_factory):
    the_list = make_list("Saint-Étienne d’abord", codes=("1.1", "2.1", "3.2"))
    response = served(client, image_url(the_list))
    image = png(response)
    assert image.size == (1200, 630)
    assert image.format == "PNG"
    assert response["Cache-Control"] == "public, max-age=60"
    digest = response["ETag"].strip('"')
    assert stored(settings) == [f"liste-{the_list.pk}-{digest}.png"]
    with open(Path(settings.MEDIA_ROOT) / "partage" / stored(settings)[0], "rb") as file:
        keep_screenshot(tmp_path_factory, "partage-liste.png", file.read())


def test_a_public_signatory_has_a_1200_by_630_png(client, settings):
    pledge = make_individual(commune="01001", last_name="Dupré", codes=("1.1",))
    image = png(served(client, f"/signataires/{pledge.pk}/partage.png"))
    assert image.size == (WIDTH, HEIGHT) == (1200, 630)
    assert stored(settings)[0].startswith(f"signataire-{pledge.pk}-")


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.UNPUBLISHED])
def test_what_is_not_public_has_no_image(client, settings, status):
    the_list = make_list(status=status)
    assert client.get(image_url(the_list)).status_code == 404
    assert client.get(f"/signataires/{the_list.signature.pk}/partage.png").status_code == 404
    assert client.get("/listes/999999/partage.png").status_code == 404
    assert stored(settings) == []


# ------------------------------------------------------------------ drawn by a job


@pytest.mark.parametrize("kind", [Kind.LIST, Kind.SIGNATORY])
def test_a_request_never_draws_the_image_its_job_does(
    client, settings, monkeypatch, database_tasks, kind
):
    the_list = make_list("Saint-Étienne d’abord", codes=("1.1", "2.1", "3.2"))
    DBTaskResult.objects.all().delete()  # the approval's e-mails
    pk = the_list.pk if kind == Kind.LIST else the_list.signature.pk
    url = image_url(the_list) if kind == Kind.LIST else f"/signataires/{pk}/partage.png"
    renders = count_renders(monkeypatch)

    first = client.get(url)
    assert is_generic_card(first)
    assert "public" not in first["Cache-Control"]  # neither nginx nor a browser keeps it
    assert renders == []
    assert stored(settings) == []
    (job,) = jobs()
    assert job.args_kwargs["args"] == [kind, pk]
    assert is_generic_card(client.get(url))  # still not drawn: the worker has not run

    run_worker()  # two jobs queued for one image: drawn once
    assert len(renders) == 1
    assert {job.status for job in jobs()} == {TaskResultStatus.SUCCESSFUL}
    (name,) = stored(settings)
    assert name == f"{kind}-{pk}-{renders[0].digest}.png"

    response = client.get(url)
    data = body(response)
    assert data == stored_bytes(settings, name) != GENERIC_CARD
    assert response["ETag"] == f'"{renders[0].digest}"'
    assert response["Cache-Control"] == "public, max-age=60"
    assert Image.open(io.BytesIO(data)).size == (1200, 630)
    assert len(renders) == 1
    assert len(jobs()) == 2  # a request that finds the file enqueues nothing


def test_a_failing_storage_fails_the_job_which_is_tried_again(
    client, settings, monkeypatch, database_tasks
):
    the_list = make_list()
    DBTaskResult.objects.all().delete()

    def full(storage, name, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(share_image, "write_whole", full)
    assert is_generic_card(client.get(image_url(the_list)))
    run_worker()
    (job,) = jobs()
    assert (job.status, job.exception_class_path) == (TaskResultStatus.READY, "builtins.OSError")
    assert stored(settings) == []

    monkeypatch.setattr(share_image, "write_whole", write_whole)  # space was freed
    due_now(job)
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    (name,) = stored(settings)
    assert body(client.get(image_url(the_list))) == stored_bytes(settings, name)


# ------------------------------------------------------------------ once per version


def test_the_image_is_drawn_once_and_again_only_when_what_it_shows_changes(
    client, settings, monkeypatch
):
    renders = count_renders(monkeypatch)
    the_list = make_list("Ensemble à Saint-Étienne", codes=("1.1", "2.1"))
    first = body(served(client, image_url(the_list)))
    again = body(client.get(image_url(the_list)))
    client.get(f"/listes/{the_list.pk}/")  # the page names the same image, drawn: nothing
    assert len(renders) == 1
    assert again == first
    (name,) = stored(settings)
    assert first == stored_bytes(settings, name)

    # One more commitment: « 3 engagements sur 20 », a new file, the old one deleted.
    add_commitment(pledge=the_list.signature, commitment=commitments("3.2")[0])
    third = body(served(client, image_url(the_list)))
    assert len(renders) == 2
    assert renders[-1].count_line == "3 engagements sur 20"
    assert third != first
    (newer,) = stored(settings)
    assert newer != name
    assert third == stored_bytes(settings, newer)

    # A new name (a staff correction): drawn again; the same name again is not.
    edit_list(electoral_list=the_list, moderator=a_moderator(), changes={"name": "Cap 2020"})
    served(client, image_url(the_list))
    client.get(image_url(the_list))
    assert len(renders) == 3
    assert renders[-1].name == "Cap 2020"
    assert len(stored(settings)) == 1


def test_a_withdrawn_signature_says_so_on_its_image(client, monkeypatch):
    renders = count_renders(monkeypatch)
    the_list = make_list(codes=("1.1",))
    withdraw_pledge(pledge=the_list.signature)
    png(served(client, image_url(the_list)))
    assert renders[-1].count_line.startswith("Signature retirée le ")


def test_the_count_is_singular_for_one(client):
    content = ShareContent(kind=Kind.LIST, pk=1, name="A", place="B", count=1, total=20)
    assert content.count_line == "1 engagement sur 20"
    none = ShareContent(kind=Kind.LIST, pk=1, name="A", place="B", count=0, total=20)
    assert none.count_line == "0 engagement sur 20"
    assert content.digest == ShareContent(**{**content.__dict__}).digest
    assert content.digest != ShareContent(**{**content.__dict__, "count": 2}).digest
    assert content.digest != ShareContent(**{**content.__dict__, "name": "A."}).digest


def test_a_full_disk_serves_the_generic_card_and_keeps_nothing(client, settings, monkeypatch):
    the_list = make_list()

    def full(storage, name, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(share_image, "write_whole", full)
    for _ in range(2):  # the job fails each time: the generic card each time
        response = client.get(image_url(the_list))
        assert is_generic_card(response)
        assert "public" not in response["Cache-Control"]
    assert stored(settings) == []

    monkeypatch.setattr(share_image, "write_whole", write_whole)
    assert png(served(client, image_url(the_list))).size == (1200, 630)
    assert len(stored(settings)) == 1


def test_an_unreadable_storage_serves_the_generic_card(client, settings, monkeypatch):
    the_list = make_list()
    served(client, image_url(the_list))

    def unreadable(name, mode="rb"):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(share_image.default_storage, "open", unreadable)
    assert is_generic_card(client.get(image_url(the_list)))


# ------------------------------------------------------------------ long names and accents


def inside(box, *, left=0, top=0, right=WIDTH, bottom=HEIGHT) -> bool:
    return box[0] >= left and box[1] >= top and box[2] <= right and box[3] <= bottom


@pytest.mark.parametrize(
    "name",
    [
        LONG_NAME,
        "Œuvrer ensemble à L’Haÿ-les-Roses",
        "A" * 200,  # no space to break at
        "Liste",
    ],
)
def test_long_names_and_accents_stay_inside_the_card(name):
    content = ShareContent(
        kind=Kind.LIST,
        pk=7,
        name=name,
        place="L'Haÿ-les-Roses (94)",
        count=14,
        total=20,
        kicker="Liste conduite par Éloïse Château-Œillet",
    )
    lines = layout(content)
    assert all(inside(line.box) for line in lines)
    name_lines = [line for line in lines if line.font == "Lato-Black.ttf" and line.size >= 30]
    name_lines = [line for line in name_lines if line.text not in ("COORACE", content.count_line)]
    assert 1 <= len(name_lines) <= 4
    for line in name_lines:
        assert inside(line.box, left=MARGIN - 2, right=WIDTH - MARGIN + 2)
    # The name is above the footer, and the place below the name, neither overlapping.
    place = next(line for line in lines if line.text.startswith("L’Haÿ-les-Roses (94)"))
    assert name_lines[-1].box[3] < place.box[1]
    assert place.box[3] < HEIGHT - share_image.FOOTER
    drawn = " ".join(line.text for line in name_lines).replace(" ", "")
    assert drawn.rstrip("…") and name.replace(" ", "").startswith(drawn.rstrip("…"))
    if len(name) < 60:
        assert name_lines[0].size == 76 or drawn == name.replace(" ", "")
    count = next(line for line in lines if line.text == "14 engagements sur 20")
    assert count.box[1] > HEIGHT - share_image.FOOTER


def test_the_card_is_set_in_french_typography():
    lines = [line.text for line in layout(None)]
    assert "S’engager pour les territoires inclusifs de demain\u202f!" in lines
    content = ShareContent(
        kind=Kind.LIST, pk=1, name="L'Haÿ : d'abord !", place="L'Haÿ-les-Roses (94)", count=2,
        total=20,
    )  # fmt: skip
    texts = [line.text for line in layout(content)]
    assert "L’Haÿ\u202f: d’abord\u202f!" in texts
    assert "L’Haÿ-les-Roses (94)" in texts
    assert "testserver" not in texts and "127.0.0.1:8000" in texts  # SITE_URL's host


def test_the_site_address_is_the_site_url_host(settings):
    settings.SITE_URL = "https://engagements.coorace.org"
    content = ShareContent(kind=Kind.LIST, pk=1, name="A", place="B", count=2, total=20)
    assert "engagements.coorace.org" in [line.text for line in layout(content)]
    before = content.digest
    settings.SITE_URL = "https://autre.example"
    assert content.digest != before  # the host is drawn: another image


# ------------------------------------------------------------------ the pages' tags


def meta(content: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', content))


def test_the_list_and_signatory_pages_reference_their_image(client, settings):
    settings.SHARE_IMAGE_ON_PAGE_VIEW = True  # as in production
    the_list = make_list("Œuvrer ensemble à L’Haÿ-les-Roses", commune="94038")
    signatory = f"/signataires/{the_list.signature.pk}/"
    for page, image in [
        (f"/listes/{the_list.pk}/", f"/listes/{the_list.pk}/partage.png"),
        (signatory, f"{signatory}partage.png"),
    ]:
        tags = meta(client.get(page).content.decode())
        assert tags["og:image"].startswith(f"http://127.0.0.1:8000{image}?v=")
        assert tags["og:image:width"] == "1200"
        assert tags["og:image:height"] == "630"
        assert "L’Haÿ-les-Roses" in tags["og:image:alt"]
        assert tags["twitter:card"] == "summary_large_image"
        version = tags["og:image"].split("?v=")[1]
        # The page had it drawn (its job ran when it was enqueued): the image is served.
        assert client.get(image)["ETag"] == f'"{version}"'  # the page names the image served


@pytest.mark.parametrize("kind", [Kind.LIST, Kind.SIGNATORY])
def test_a_page_naming_an_image_not_drawn_enqueues_its_job_and_no_query_once_drawn(
    client, settings, monkeypatch, database_tasks, django_assert_num_queries, kind
):
    settings.SHARE_IMAGE_ON_PAGE_VIEW = True
    the_list = make_list("Ensemble à Saint-Étienne")
    DBTaskResult.objects.all().delete()
    pk = the_list.pk if kind == Kind.LIST else the_list.signature.pk
    page = f"/listes/{pk}/" if kind == Kind.LIST else f"/signataires/{pk}/"
    renders = count_renders(monkeypatch)
    client.get(page)  # the charter's size in the counters' cache, as on a busy site
    assert renders == []  # the page draws nothing…
    (job,) = jobs()  # …it enqueues the drawing
    assert job.args_kwargs["args"] == [kind, pk]
    with CaptureQueriesContext(connection) as missing:
        assert client.get(page).status_code == 200
    inserts = [q["sql"] for q in missing.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "django_tasks_database_dbtaskresult" in inserts[0]

    run_worker()
    assert len(renders) == 1
    with django_assert_num_queries(len(missing) - 1):  # the same page but the enqueueing
        assert client.get(page).status_code == 200
    assert len(jobs()) == 2


def test_other_pages_keep_their_summary_card(client):
    the_list = make_list()
    for page in ("/", the_list.commune.get_absolute_url(), "/propositions/1/"):
        content = client.get(page).content.decode()
        assert "og:image" not in content
        assert meta(content).get("twitter:card", "summary") == "summary"


def test_a_preview_of_a_page_not_public_names_no_image(client):
    candidate = make_candidate(role=Candidate.Role.INDIVIDUAL, list_name="")
    pledge = make_pledge(candidate)  # pending: only its owner sees the page
    client.force_login(candidate.user)
    content = client.get(f"/signataires/{pledge.pk}/").content.decode()
    assert "partage.png" not in content


def test_the_stored_file_is_copied_for_the_record(client, settings, tmp_path_factory):
    """A copy of a long-named list's card, for the eye (under the test output folder)."""
    the_list = make_list(LONG_NAME[:200], commune="94038", codes=("1.1", "2.1", "3.1", "4.1"))
    png(served(client, image_url(the_list)))
    (name,) = stored(settings)
    source = Path(settings.MEDIA_ROOT) / "partage" / name
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)
    shutil.copy(source, folder / "partage-liste-nom-long.png")
    assert (folder / "partage-liste-nom-long.png").stat().st_size > 10_000


# ------------------------------------------------------------------ erasure


def test_an_erased_account_takes_its_images_with_it(client, settings):
    from pledges.signing.account import delete_account

    the_list = make_list("Ensemble à Saint-Étienne")
    other = make_list("Une autre liste")
    png(served(client, image_url(the_list)))
    png(served(client, f"/signataires/{the_list.signature.pk}/partage.png"))
    png(served(client, image_url(other)))
    assert len(stored(settings)) == 3

    delete_account(user=the_list.head.user)  # the head: the list's signature goes too
    (left,) = stored(settings)
    assert left.startswith(f"liste-{other.pk}-")
    assert client.get(image_url(the_list)).status_code == 404


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_draw_one_image(reference_data, settings, monkeypatch):
    """Eight first requests, each enqueueing the job, which runs at once in its thread:
    eight jobs at the same time, one drawing (the others wait for the signature's row,
    then find the file)."""
    the_list = make_list()
    renders = count_renders(monkeypatch)
    requests = 8
    bodies, errors = concurrent_bodies(image_url(the_list), requests)

    assert errors == []
    assert len(bodies) == requests
    assert len(renders) == 1
    (name,) = stored(settings)
    drawn = stored_bytes(settings, name)
    assert set(bodies) <= {GENERIC_CARD, drawn}  # no request waited for the drawing
    assert body(Client().get(image_url(the_list))) == drawn


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_jobs_draw_one_image(reference_data, settings, monkeypatch):
    from pledges.directory.tasks import render_share_image

    the_list = make_list()
    renders = count_renders(monkeypatch)
    errors = at_once(6, lambda: render_share_image.call(Kind.LIST, the_list.pk))

    assert errors == []
    assert len(renders) == 1
    assert stored(settings) == [f"liste-{the_list.pk}-{renders[0].digest}.png"]
