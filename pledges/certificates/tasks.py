"""The certificate jobs: a version's PDF rendered in the background when it is issued."""

from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to these jobs)
from pledges.certificates.services import certificate_pdf
from pledges.models import Certificate


@task()
def render_certificate(certificate_id: int) -> str:
    """Render a version's PDF into storage unless it is there already (see
    `certificate_pdf`). A storage failure (OSError) fails the job, which config.tasks
    tries again later; a download meanwhile renders it itself."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return "certificate gone"
    if certificate.superseded_at is not None:
        return "superseded: rendered only if downloaded"
    return certificate_pdf(certificate).pdf.name
