"""How a certificate names the candidate's role and place, from its frozen content.

The content (pledges.certificates.services.certified_content) holds the role as it was
displayed when issued (« Tête de liste », « Colistier·e (candidat·e sur une liste) »…);
the certificate and its verification page phrase it with the list or group name once:
« Tête de liste de « X » », never « Tête de liste de la liste « X » ».
"""

from django.utils.translation import gettext as _

from candidates.models import Candidate


def role_line(candidate: dict) -> str:
    """« Tête de liste de « X » », « Colistier·e de la liste « X » », « Candidat·e à titre
    individuel, groupe « X » », or the role alone; an unknown (older) role as it was."""
    role, name = candidate.get("role", ""), candidate.get("liste", "")
    Role = Candidate.Role
    if role == str(Role.HEAD_OF_LIST.label):
        return _("Tête de liste de « %(name)s »") % {"name": name} if name else role
    if role == str(Role.CANDIDATE.label):
        return _("Colistier·e de la liste « %(name)s »") % {"name": name} if name else role
    if role == str(Role.INDIVIDUAL.label):
        role = _("Candidat·e à titre individuel")
        return _("%(role)s, groupe « %(name)s »") % {"role": role, "name": name} if name else role
    return _("%(role)s, liste « %(name)s »") % {"role": role, "name": name} if name else role
