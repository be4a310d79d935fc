"""Demo of duplicates and merges (issue 26): the last demo member is made a likely
duplicate of the first (the same name, country and ORCID, as someone who signed up twice),
and the pair is flagged for staff review (admin: likely duplicate accounts)."""

from members.models import DuplicateCandidate, Profile, User
from members.services.duplicates import flag_duplicates

from .members import _demo_email

DEMO_ORCID = "0000-0002-1825-0097"  # ORCID's own documentation example, nobody's


def seed(*, stdout, rng, members=300, **kwargs):
    if members < 2:
        return
    first = User.objects.filter(email=_demo_email(1)).first()
    twin = User.objects.filter(email=_demo_email(members)).first()
    if first is None or twin is None:
        return
    original = Profile.objects.get(user=first)
    Profile.objects.filter(user__in=[first, twin]).update(orcid=DEMO_ORCID)
    Profile.objects.filter(user=twin).update(
        given_names=original.given_names,
        paternal_surname=original.paternal_surname,
        maternal_surname=original.maternal_surname,
        country=original.country,
    )
    flag_duplicates(user_id=twin.pk)
    pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count()
    stdout.write(f"duplicates: {pairs} likely duplicate pair(s) for staff review")
