"""The news images (members' `<app>.files` extension point, members.files): seen by who may
see the post (`Post.objects.visible_to(user)`); a published post's image is public (anyone,
and link previews through Open Graph, may fetch it)."""

from members.files import PrivateFiles

from .models import Post


def _posts(user):
    return Post.objects.visible_to(user)


def _shareable(post):
    return Post.objects.published().filter(pk=post.pk).exists()


PRIVATE_FILES = [
    PrivateFiles(directory="news/", rows=_posts, file_field="image", shareable=_shareable)
]
