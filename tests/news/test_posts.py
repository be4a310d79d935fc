"""News posts: who writes for what, review by IME unless trusted, rejection with a reason,
the public list and its filters, a post's page (Open Graph, meta description), scoping."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.access import IME_STAFF
from members.models import Sector
from news.models import Post, TrustedAuthor
from news.services import (
    REASON_REQUIRED,
    approve_post,
    reject_post,
    submit_post,
    unique_slug,
)
from news.views import APPROVED, SUBMITTED
from tests.factories import (
    ChapterFactory,
    OfficerFactory,
    PostFactory,
    UserFactory,
    coordinator,
    member,
    with_totp,
)

pytestmark = pytest.mark.django_db


def ime_user():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    return user


def _form_data(target, **extra):
    data = {
        "target": target,
        "title_es": "Convocatoria de mentorías",
        "title_en": "Mentoring call",
        "summary_es": "Buscamos mentores en ciencia de datos.",
        "summary_en": "We are looking for data science mentors.",
        "body_es": "Más **detalles** aquí.",
        "body_en": "More **details** here.",
        "published_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "tag_names": "Mentoría, datos",
        "submit": "1",
    }
    data.update(extra)
    return data


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 104, 71)).save(buffer, "JPEG")
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_coordinators_post_goes_to_review_and_is_not_public_yet(client):
    author = coordinator("tic")
    tic = Sector.objects.get(slug="tic")
    client.force_login(author)
    response = client.post(reverse("news:create"), _form_data(f"sector:{tic.pk}"))
    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.status, post.scope, post.sector_id, post.author_id) == (
        "pending",
        "sector",
        tic.pk,
        author.pk,
    )
    assert sorted(t.name for t in post.tags.all()) == ["datos", "mentoría"]
    assert str(SUBMITTED) in [str(m) for m in response.wsgi_request._messages]
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title_es not in client.get(reverse("news:list")).content.decode()


def test_a_coordinator_cannot_write_for_another_sector(client):
    author = coordinator("tic")
    salud = Sector.objects.get(slug="salud")
    client.force_login(author)
    response = client.post(reverse("news:create"), _form_data(f"sector:{salud.pk}"))
    assert response.status_code == 200
    assert "target" in response.context["form"].errors
    assert not Post.objects.exists()


def test_an_officer_writes_for_their_chapter_only(client):
    term = OfficerFactory(chapter=ChapterFactory(slug="houston"))
    other = ChapterFactory(slug="detroit")
    client.force_login(term.user)
    response = client.post(reverse("news:create"), _form_data(f"chapter:{other.pk}"))
    assert response.status_code == 200
    assert not Post.objects.exists()
    response = client.post(reverse("news:create"), _form_data(f"chapter:{term.chapter_id}"))
    assert response.status_code == 302
    assert Post.objects.get().chapter_id == term.chapter_id


def test_a_plain_member_may_not_write_news(client):
    client.force_login(member())
    assert client.get(reverse("news:create")).status_code == 403
    assert client.post(reverse("news:create"), _form_data("network")).status_code == 403
    assert not Post.objects.exists()


def test_ime_publishes_for_the_whole_network_at_once(client):
    client.force_login(ime_user())
    client.post(reverse("news:create"), _form_data("network"))
    post = Post.objects.get()
    assert (post.scope, post.status) == ("network", "published")
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 200


def test_a_trusted_author_publishes_without_review(client):
    author = coordinator("tic")
    TrustedAuthor.objects.create(user=author)
    client.force_login(author)
    client.post(reverse("news:create"), _form_data(f"sector:{Sector.objects.get(slug='tic').pk}"))
    assert Post.objects.get().status == "published"


def test_a_draft_stays_a_draft_until_submitted(client):
    author = coordinator("tic")
    client.force_login(author)
    data = _form_data(f"sector:{Sector.objects.get(slug='tic').pk}", draft="1")
    data.pop("submit")
    client.post(reverse("news:create"), data)
    post = Post.objects.get()
    assert post.status == "draft"
    client.post(reverse("news:submit", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == "pending"


def test_ime_approves_and_can_trust_the_author(client):
    author = coordinator("tic")
    post = PostFactory(
        scope="sector", sector=Sector.objects.get(slug="tic"), status="pending", author=author
    )
    reviewer = ime_user()
    client.force_login(reviewer)
    response = client.post(
        reverse("news:review", args=[post.pk]), {"decision": "approve", "trust_author": "on"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.reviewed_by_id) == ("published", reviewer.pk)
    assert post.published_at <= timezone.now()
    assert TrustedAuthor.objects.filter(user=author).exists()
    assert str(APPROVED) in [str(m) for m in response.wsgi_request._messages]


def test_approval_never_backdates_a_post_before_it_went_live():
    post = PostFactory(status="pending", published_at=timezone.now() - timedelta(days=10))
    before = timezone.now()
    approve_post(post_id=post.pk, by=ime_user())
    post.refresh_from_db()
    assert post.published_at >= before


def test_a_future_publication_date_keeps_the_post_off_the_site_until_then(client):
    post = PostFactory(published_at=timezone.now() + timedelta(days=2))
    assert not Post.objects.published().filter(pk=post.pk).exists()
    assert client.get(post.get_absolute_url()).status_code == 404


def test_rejecting_needs_a_reason_and_the_author_reads_it(client):
    author = coordinator("tic")
    post = PostFactory(
        scope="sector", sector=Sector.objects.get(slug="tic"), status="pending", author=author
    )
    client.force_login(ime_user())
    response = client.post(reverse("news:review", args=[post.pk]), {"decision": "reject"})
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.status == "pending"
    client.post(
        reverse("news:review", args=[post.pk]),
        {"decision": "reject", "reason": "Falta la versión en inglés del resumen."},
    )
    post.refresh_from_db()
    assert (post.status, post.rejection_reason) == (
        "rejected",
        "Falta la versión en inglés del resumen.",
    )
    client.force_login(author)
    page = client.get(reverse("news:manage")).content.decode()
    assert "Falta la versión en inglés del resumen." in page
    # Corrected and sent again: back in review.
    submit_post(post_id=post.pk, by=author)
    post.refresh_from_db()
    assert post.status == "pending"


def test_the_reject_service_refuses_an_empty_reason():
    post = PostFactory(status="pending")
    with pytest.raises(Exception) as caught:
        reject_post(post_id=post.pk, by=ime_user(), reason="   ")
    assert caught.value.message == REASON_REQUIRED


def test_only_ime_reviews(client):
    post = PostFactory(status="pending")
    client.force_login(coordinator("tic"))
    assert client.get(reverse("news:review_list")).status_code == 403
    assert (
        client.post(reverse("news:review", args=[post.pk]), {"decision": "approve"}).status_code
        == 403
    )
    post.refresh_from_db()
    assert post.status == "pending"


def test_another_authors_post_answers_404_to_edit_submit_and_withdraw(client):
    post = PostFactory(
        scope="sector",
        sector=Sector.objects.get(slug="tic"),
        status="draft",
        author=coordinator("tic"),
    )
    client.force_login(coordinator("tic"))
    assert client.get(reverse("news:edit", args=[post.pk])).status_code == 404
    assert client.post(reverse("news:submit", args=[post.pk])).status_code == 404
    assert client.post(reverse("news:withdraw", args=[post.pk])).status_code == 404
    post.refresh_from_db()
    assert post.status == "draft"


def test_an_author_who_lost_the_role_cannot_submit_for_the_sector(client):
    author = coordinator("tic")
    tic = Sector.objects.get(slug="tic")
    post = PostFactory(scope="sector", sector=tic, status="draft", author=author)
    OfficerFactory(user=author)  # still an author somewhere else
    tic.pncs.coordinators.remove(author)
    client.force_login(author)
    client.post(reverse("news:submit", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == "draft"


def test_the_image_follows_the_photo_upload_rules(client):
    author = ime_user()
    client.force_login(author)
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(reverse("news:create"), _form_data("network", image=bad))
    assert response.status_code == 200
    assert not Post.objects.exists()
    client.post(reverse("news:create"), _form_data("network", image=_jpeg()))
    post = Post.objects.get()
    assert post.image.name.startswith("news/") and post.image.name.endswith(".jpg")
    client.logout()
    # Published: the image is public (link previews fetch it).
    assert client.get(post.image.url).status_code == 200


def test_the_image_of_an_unpublished_post_is_hidden(client):
    post = PostFactory(status="pending", author=coordinator("tic"))
    post.image.save("x.jpg", _jpeg(), save=True)
    assert client.get(post.image.url).status_code == 404


def test_the_body_is_sanitised_like_announcements(client):
    post = PostFactory(
        body_es="<script>alert(1)</script>[x](javascript:alert(2)) <img src=x onerror=alert(3)> **ok**"
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "javascript:alert" not in page
    assert "onerror" not in page
    assert "<strong>ok</strong>" in page


def test_the_post_page_has_open_graph_and_a_meta_description(client, settings):
    post = PostFactory(summary_es="Un resumen breve y claro.", title_es="Gran noticia")
    page = client.get(post.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Un resumen breve y claro.">' in page
    assert '<meta property="og:title" content="Gran noticia">' in page
    assert '<meta property="og:type" content="article">' in page
    url = f"{settings.SITE_URL}{post.get_absolute_url()}"
    assert f'<meta property="og:url" content="{url}">' in page


def test_the_post_page_is_in_english_under_en(client):
    post = PostFactory(title_es="Noticia en español", title_en="English headline")
    page = client.get(f"/en{post.get_absolute_url()}").content.decode()
    assert "English headline" in page
    assert "Noticia en español" not in page


def test_the_list_filters_by_sector_chapter_and_tag(client):
    tic = Sector.objects.get(slug="tic")
    chapter = ChapterFactory(slug="silicon-valley")
    sector_post = PostFactory(scope="sector", sector=tic, title_es="De TIC")
    coordinator("tic")  # its PNCS is active
    chapter_post = PostFactory(scope="chapter", chapter=chapter, title_es="Del capítulo")
    tagged = PostFactory(title_es="Con etiqueta")
    tagged.tags.create(name="becas", slug="becas")
    url = reverse("news:list")
    page = client.get(url, {"sector": "tic"}).content.decode()
    assert sector_post.title_es in page and chapter_post.title_es not in page
    page = client.get(url, {"chapter": "silicon-valley"}).content.decode()
    assert chapter_post.title_es in page and sector_post.title_es not in page
    page = client.get(url, {"tag": "becas"}).content.decode()
    assert tagged.title_es in page and sector_post.title_es not in page


def test_a_bad_filter_shows_everything_rather_than_failing(client):
    PostFactory(title_es="Visible")
    response = client.get(reverse("news:list"), {"sector": "no-existe", "page": "x"})
    assert response.status_code == 200


def test_the_list_runs_the_same_queries_whatever_the_number_of_posts(
    client,
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("news:list")).status_code == 200
        return len(ctx.captured_queries)

    PostFactory.create_batch(2)
    few = count()
    for post in PostFactory.create_batch(8):
        post.tags.create(name=f"t{post.pk}", slug=f"t{post.pk}")
    assert count() == few


def test_the_sector_and_chapter_pages_show_their_latest_posts_and_feed_links(client):
    coordinator("tic")
    tic = Sector.objects.get(slug="tic")
    PostFactory(scope="sector", sector=tic, title_es="Novedad de TIC")
    chapter = ChapterFactory(slug="houston")
    PostFactory(scope="chapter", chapter=chapter, title_es="Novedad de Houston")
    sector_page = client.get(reverse("pncs:sector", args=["tic"])).content.decode()
    assert "Novedad de TIC" in sector_page
    assert f'href="{reverse("news:sector_feed", args=["tic"])}"' in sector_page
    chapter_page = client.get(reverse("chapters:detail", args=["houston"])).content.decode()
    assert "Novedad de Houston" in chapter_page
    assert 'rel="alternate" type="application/atom+xml"' in chapter_page


def test_slugs_never_take_a_reserved_path():
    assert unique_slug("Manage") == "manage-2"
    PostFactory(slug="hola")
    assert unique_slug("Hola") == "hola-2"


def test_a_members_posts_are_in_their_data_export():
    from news.personal_data import export

    author = coordinator("tic")
    PostFactory(author=author, title_es="Mi noticia", status="rejected", rejection_reason="Falta")
    data = export(author)
    assert [(p["title_es"], p["status"], p["rejection_reason"]) for p in data["posts"]] == [
        ("Mi noticia", "rejected", "Falta")
    ]
    assert data["trusted_author"] is False


def test_the_list_pages_through_older_posts(client):
    PostFactory.create_batch(13)
    page = client.get(reverse("news:list")).content.decode()
    assert 'class="pagination"' in page and "page=2" in page
    assert client.get(reverse("news:list"), {"page": "2"}).status_code == 200


def test_the_author_is_mailed_the_decision_in_their_language(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail

    author = coordinator("tic")
    author.preferred_language = "en"
    author.save(update_fields=["preferred_language"])
    tic = Sector.objects.get(slug="tic")
    published = PostFactory(
        scope="sector", sector=tic, status="pending", author=author, title_en="Grid news"
    )
    returned = PostFactory(
        scope="sector", sector=tic, status="pending", author=author, title_en="Draft news"
    )
    client.force_login(ime_user())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("news:review", args=[published.pk]), {"decision": "approve"})
        client.post(
            reverse("news:review", args=[returned.pk]),
            {"decision": "reject", "reason": "Add the English summary."},
        )
    assert [m.to for m in mail.outbox] == [[author.email], [author.email]]
    approved, rejected = mail.outbox
    assert approved.subject.endswith("Your post is published: Grid news")
    assert f"/en/news/{published.slug}/" in approved.body
    assert rejected.subject.endswith("Your post came back with comments: Draft news")
    assert "Add the English summary." in rejected.body
    assert f"/en/news/manage/{returned.pk}/edit/" in rejected.body
    assert "Hola" not in approved.body + rejected.body


def test_a_refused_decision_mails_no_one(django_capture_on_commit_callbacks):
    from django.core import mail

    from news.services import NewsError

    post = PostFactory(status="pending", author=coordinator("tic"))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(NewsError):
            reject_post(post_id=post.pk, by=ime_user(), reason="")
        approve_post(post_id=post.pk, by=ime_user())
        with pytest.raises(NewsError):
            approve_post(post_id=post.pk, by=ime_user())  # no longer pending
    assert len(mail.outbox) == 1  # the one approval
