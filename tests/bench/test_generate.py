"""The synthetic member generator writes consistent members straight into PostgreSQL."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from members.models import ExpertiseTag, Profile, ProfileSector, Sector, User
from tests.bench import generate as generate_module
from tests.bench.generate import (
    BENCH_EMAIL_DOMAIN,
    BENCH_PASSWORD,
    MEMBER_TABLES,
    check_database_name,
    generate,
    rare_surname_ids,
)
from tests.bench.vocabulary import BROAD_TAG, RARE_SURNAME

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MEMBERS = 400


def _quiet(message):
    return None


def test_generated_members_are_complete_consistent_and_can_sign_in(bench_database_url):
    report = generate(bench_database_url, MEMBERS, log=_quiet)

    assert report.members == MEMBERS
    assert report.rows["members_user"] == MEMBERS
    assert report.rows["members_profile"] == MEMBERS
    assert report.rows["account_emailaddress"] == MEMBERS
    assert report.total_rows == sum(report.rows.values()) > 4 * MEMBERS
    assert report.rows_per_second > 0

    users = User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}")
    assert users.count() == MEMBERS
    assert users.filter(email_verified=True, is_active=True, is_staff=False).count() == MEMBERS
    assert users.values("password").distinct().count() == 1
    assert (
        EmailAddress.objects.filter(user__in=users, verified=True, primary=True).count() == MEMBERS
    )
    # The shared password works through Django's authentication.
    first = users.order_by("id").first()
    assert authenticate(email=first.email, password=BENCH_PASSWORD) == first

    profiles = Profile.objects.filter(user__in=users)
    assert profiles.filter(given_names="").count() == 0
    assert profiles.filter(headline="").count() == 0
    assert profiles.filter(bio="").count() == 0
    assert profiles.exclude(country="").count() == MEMBERS
    # Mostly the United States and Canada, with other countries too.
    north_america = profiles.filter(country__in=["US", "CA"]).count()
    assert 0.5 * MEMBERS < north_america < 0.9 * MEMBERS
    assert profiles.values("country").distinct().count() >= 5
    assert profiles.exclude(state_of_origin="").count() == MEMBERS
    assert profiles.values("directory_visibility").distinct().count() == 3
    contact = profiles.filter(pncs_contact=True).count()
    assert 0.55 * MEMBERS < contact < 0.85 * MEMBERS
    # Spanish and English text.
    assert (
        profiles.filter(bio__contains="Trabajo en").exists()
        or profiles.filter(bio__contains="Estudié en").exists()
    )
    assert (
        profiles.filter(bio__contains="I studied at").exists()
        or profiles.filter(bio__contains="I have worked in").exists()
    )

    # 1 to 3 sectors each, exactly one of them primary.
    per_profile = (
        ProfileSector.objects.filter(profile__in=profiles)
        .values("profile")
        .annotate(n=Count("id"), primary=Count("id", filter=Q(is_primary=True)))
    )
    assert len(per_profile) == MEMBERS
    assert {row["primary"] for row in per_profile} == {1}
    assert {row["n"] for row in per_profile} <= {1, 2, 3}
    assert all(p.expertise.exists() for p in profiles.order_by("pk")[:20])
    assert all(p.languages.exists() for p in profiles.order_by("pk")[:20])
    assert all(p.contributions.exists() for p in profiles.order_by("pk")[:20])

    # The search scenarios' words: "python" on about 9%, "Hamilton" on a handful only.
    python = ExpertiseTag.objects.get(name=BROAD_TAG)
    share = profiles.filter(expertise=python).count() / MEMBERS
    assert 0.04 < share < 0.15
    hamiltons = profiles.filter(paternal_surname=RARE_SURNAME)
    assert hamiltons.count() == len(rare_surname_ids(report.first_id, MEMBERS)) == 3
    assert not profiles.filter(maternal_surname=RARE_SURNAME).exists()
    assert not profiles.filter(bio__icontains="python").exists()


REFERENCES = [
    ("account_emailaddress", "user_id", "members_user", "id"),
    ("members_profile", "user_id", "members_user", "id"),
    ("members_profilesector", "profile_id", "members_profile", "user_id"),
    ("members_profilesector", "sector_id", "members_sector", "id"),
    ("members_profile_expertise", "profile_id", "members_profile", "user_id"),
    ("members_profile_expertise", "expertisetag_id", "members_expertisetag", "id"),
    ("members_profile_languages", "profile_id", "members_profile", "user_id"),
    ("members_profile_languages", "language_id", "members_language", "id"),
    ("members_profile_contributions", "profile_id", "members_profile", "user_id"),
    ("members_profile_contributions", "contribution_id", "members_contribution", "id"),
    ("chapters_membership", "chapter_id", "chapters_chapter", "id"),
    ("chapters_membership", "user_id", "members_user", "id"),
    ("pncs_pncs", "sector_id", "members_sector", "id"),
    ("pncs_opportunity", "pncs_id", "pncs_pncs", "id"),
    ("pncs_opportunity", "sector_id", "members_sector", "id"),
    ("pncs_opportunity_expertise", "opportunity_id", "pncs_opportunity", "id"),
    ("pncs_opportunity_expertise", "expertisetag_id", "members_expertisetag", "id"),
    ("pncs_opportunity_contributions", "opportunity_id", "pncs_opportunity", "id"),
    ("pncs_opportunity_contributions", "contribution_id", "members_contribution", "id"),
    ("pncs_interest", "opportunity_id", "pncs_opportunity", "id"),
    ("pncs_interest", "member_id", "members_user", "id"),
    ("programs_program_partners", "program_id", "programs_program", "id"),
    ("programs_program_partners", "partner_id", "programs_partner", "id"),
    ("programs_stage", "program_id", "programs_program", "id"),
    ("programs_stage", "certifying_partner_id", "programs_partner", "id"),
    ("programs_application", "program_id", "programs_program", "id"),
    ("programs_application", "user_id", "members_user", "id"),
    ("programs_enrolment", "application_id", "programs_application", "id"),
    ("programs_enrolment", "stage_id", "programs_stage", "id"),
    ("programs_selection", "source_stage_id", "programs_stage", "id"),
    ("programs_selection", "target_stage_id", "programs_stage", "id"),
    ("chapters_jornada", "chapter_id", "chapters_chapter", "id"),
    ("chapters_agendaitem", "jornada_id", "chapters_jornada", "id"),
    ("chapters_speaker", "agenda_item_id", "chapters_agendaitem", "id"),
    ("chapters_registration", "jornada_id", "chapters_jornada", "id"),
    ("chapters_registration", "user_id", "members_user", "id"),
]


def test_every_reference_holds_although_the_load_skips_foreign_key_triggers(
    bench_database_url,
):
    generate(bench_database_url, 200, log=_quiet)
    with connection.cursor() as cursor:
        for table, column, target, key in REFERENCES:
            cursor.execute(
                f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {target} r WHERE r.{key} = t.{column})"
            )
            assert cursor.fetchone()[0] == 0, (table, column)
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
            assert cursor.fetchone()[0] >= 1, (table, column)
        for table in MEMBER_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] >= 200, table


def test_opportunities_programs_and_jornadas_are_generated_around_the_members(
    bench_database_url,
):
    from chapters.models import AgendaItem, Jornada, Registration, Speaker
    from pncs.models import Interest, Opportunity, Pncs
    from programs.models import Application, Enrolment, Program, Selection, Stage
    from tests.bench import hooks

    generate(bench_database_url, MEMBERS, log=_quiet)

    # PNCS: one per sector; opportunities of every status, tagged; interest in non-drafts.
    assert Pncs.objects.filter(is_active=True).count() == Sector.objects.count()
    opportunities = Opportunity.objects.filter(title_es__startswith=hooks.BENCH_OPPORTUNITY_TITLE)
    assert opportunities.count() == hooks.opportunity_count(MEMBERS)
    assert set(opportunities.values_list("status", flat=True)) == {"open", "draft", "closed"}
    assert Opportunity.objects.open().exists()
    assert not opportunities.filter(expertise__isnull=True).exists()
    assert not opportunities.filter(contributions__isnull=True).exists()
    assert all(o.sector_id == o.pncs.sector_id for o in opportunities.select_related("pncs"))
    interests = Interest.objects.all()
    assert interests.exists()
    assert not interests.filter(opportunity__status="draft").exists()

    # Programs: the calls, two stages, ~half the members applying to each at this size.
    programs = Program.objects.filter(slug__startswith="bench-program-")
    assert programs.count() == hooks.BENCH_PROGRAMS
    assert sum(p.call_is_open() for p in programs) == hooks.OPEN_PROGRAMS
    assert Stage.objects.filter(program__in=programs).count() == 2 * hooks.BENCH_PROGRAMS
    for program in programs:
        applications = Application.objects.filter(program=program)
        assert 0.3 * MEMBERS < applications.count() < 0.7 * MEMBERS, program.slug
        if program.call_is_open():
            assert set(applications.values_list("status", flat=True)) == {"applied"}
            continue
        accepted = applications.filter(status="accepted")
        first, second = Stage.objects.filter(program=program).order_by("order")
        # Every accepted applicant is in stage 1; the best who completed it in stage 2.
        assert Enrolment.objects.filter(stage=first).count() == accepted.count() > 0
        assert set(
            Enrolment.objects.filter(stage=first).values_list("application", flat=True)
        ) == set(accepted.values_list("pk", flat=True))
        promoted = Enrolment.objects.filter(stage=second)
        completed = Enrolment.objects.filter(stage=first, completed=True)
        assert promoted.count() == min(second.seats, completed.count())
        left_behind = completed.exclude(application__in=promoted.values("application"))
        if left_behind.exists():
            assert min(promoted.values_list("score", flat=True)) >= max(
                left_behind.values_list("score", flat=True)
            )
        assert Selection.objects.get(target_stage=second).selected_count == promoted.count()

    # Jornadas: past and upcoming, an agenda with speakers, never more confirmed than room.
    jornadas = Jornada.objects.filter(slug__startswith="bench-jornada-")
    assert jornadas.count() == hooks.BENCH_JORNADAS
    assert jornadas.upcoming().exists()
    assert jornadas.filter(ends_at__lt=timezone.now()).count() > jornadas.count() / 2
    assert AgendaItem.objects.filter(jornada__in=jornadas).count() == 4 * hooks.BENCH_JORNADAS
    assert Speaker.objects.filter(agenda_item__jornada__in=jornadas).exclude(name="").count() == (
        4 * hooks.BENCH_JORNADAS
    )
    registrations = Registration.objects.filter(jornada__in=jornadas)
    assert registrations.exists()
    assert not registrations.filter(jornada__registration_opens_at__gt=F("queued_at")).exists()
    for jornada in jornadas.exclude(capacity=None):
        confirmed = registrations.filter(jornada=jornada, status="confirmed").count()
        assert confirmed <= jornada.capacity, jornada.slug

    # Generating more members adds their rows, never a second copy of the catalogue.
    generate(bench_database_url, 50, log=_quiet)
    assert opportunities.count() == hooks.opportunity_count(MEMBERS)
    assert Program.objects.filter(slug__startswith="bench-program-").count() == hooks.BENCH_PROGRAMS
    assert Jornada.objects.filter(slug__startswith="bench-jornada-").count() == hooks.BENCH_JORNADAS
    assert AgendaItem.objects.filter(jornada__in=jornadas).count() == 4 * hooks.BENCH_JORNADAS


def test_generating_again_appends_and_reset_starts_over(bench_database_url):
    first = generate(bench_database_url, 50, log=_quiet)
    second = generate(bench_database_url, 30, log=_quiet)
    assert second.first_id == first.last_id + 1
    assert User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}").count() == 80

    again = generate(bench_database_url, 20, reset_first=True, log=_quiet)
    assert again.first_id == 1
    assert User.objects.count() == 20
    assert Profile.objects.count() == 20


def test_a_post_generation_hook_runs_when_its_tables_exist_and_is_skipped_otherwise(
    bench_database_url, monkeypatch
):
    calls = []
    hooks = []
    monkeypatch.setattr(generate_module, "POST_GENERATION_HOOKS", hooks)

    def count_profiles(ctx):
        calls.append((ctx.first_id, ctx.last_id))
        return ctx.conn.execute(
            "SELECT count(*) FROM members_profile WHERE user_id BETWEEN %s AND %s",
            [ctx.first_id, ctx.last_id],
        ).fetchone()[0]

    hooks.append(generate_module.Hook("present", ("members_profile",), count_profiles))
    hooks.append(generate_module.Hook("absent", ("pncs_not_there_yet",), count_profiles))
    report = generate(bench_database_url, 10, log=_quiet)

    assert calls == [(report.first_id, report.last_id)]
    assert report.rows["hook:present"] == 10
    assert report.hooks["absent"] == "skipped: missing tables pncs_not_there_yet"


def test_the_generator_refuses_a_database_that_is_not_a_bench_or_test_database():
    with pytest.raises(SystemExit, match="refusing"):
        check_database_name("postgres://postgres@127.0.0.1:5432/talentnet")
    check_database_name("postgres://postgres@127.0.0.1:5432/talentnet_bench")
    check_database_name("postgres://postgres@127.0.0.1:5432/test_talentnet")
    check_database_name("postgres://postgres@127.0.0.1:5432/talentnet", force=True)
