"""Forms of the news app; every ModelForm lists its fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import is_ime_staff
from core.choices import name_empty_choices
from core.images import process_photo

from .access import writable_chapters, writable_sectors
from .models import Post
from .services import MAX_TAGS

TOO_MANY_TAGS = _("Usa como máximo %(max)s etiquetas.")
TAG_TOO_LONG = _("Cada etiqueta puede tener hasta 40 caracteres.")
NETWORK = "network"


class PostForm(forms.ModelForm):
    """A post: who it speaks for (among what the author may write for), both languages,
    summary, Markdown body, an optional image (the photo upload rules), tags and date."""

    target = forms.ChoiceField(label=_("Publicar en nombre de"))
    tag_names = forms.CharField(
        label=_("Etiquetas"),
        required=False,
        max_length=400,
        help_text=_("Separadas por comas, por ejemplo: becas, inteligencia artificial."),
    )

    class Meta:
        model = Post
        fields = [
            "title_es",
            "title_en",
            "summary_es",
            "summary_en",
            "body_es",
            "body_en",
            "image",
            "published_at",
        ]
        widgets = {
            "summary_es": forms.Textarea(attrs={"rows": 2}),
            "summary_en": forms.Textarea(attrs={"rows": 2}),
            "body_es": forms.Textarea(attrs={"rows": 12}),
            "body_en": forms.Textarea(attrs={"rows": 12}),
            "image": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
            ),
            "published_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    field_order = ["target"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self, filtering=False)  # 'Elige un país', not '---------'
        self.user = user
        choices = []
        if is_ime_staff(user):
            choices.append((NETWORK, _("Toda la red (IME)")))
        sectors = [(f"sector:{s.pk}", s.name) for s in writable_sectors(user)]
        if sectors:
            choices.append((_("Sectores (PNCS)"), sectors))
        chapters = [(f"chapter:{c.pk}", c.name) for c in writable_chapters(user).order_by("name")]
        if chapters:
            choices.append((_("Capítulos"), chapters))
        self.fields["target"].choices = choices
        self.fields["image"].help_text = _(
            "Opcional. JPEG, PNG, WebP o GIF de hasta 5 MB; se guarda sin metadatos."
        )
        if self.instance.pk:
            self.initial.setdefault("target", self._target_of(self.instance))
            self.initial.setdefault(
                "tag_names", ", ".join(t.name for t in self.instance.tags.all())
            )
        else:
            self.initial.setdefault(
                "published_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    @staticmethod
    def _target_of(post):
        if post.scope == Post.Scope.SECTOR:
            return f"sector:{post.sector_id}"
        if post.scope == Post.Scope.CHAPTER:
            return f"chapter:{post.chapter_id}"
        return NETWORK

    def clean_tag_names(self):
        names = []
        for raw in self.cleaned_data.get("tag_names", "").split(","):
            name = " ".join(raw.split()).lower()
            if not name:
                continue
            if len(name) > 40:
                raise forms.ValidationError(TAG_TOO_LONG)
            if name not in names:
                names.append(name)
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(TOO_MANY_TAGS, params={"max": MAX_TAGS})
        return names

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if not image or not hasattr(image, "size") or image == self.initial.get("image"):
            return image  # cleared, empty or unchanged
        return process_photo(image, account_id=self.user.pk)

    def save(self, commit=True):
        post = super().save(commit=False)
        target = self.cleaned_data["target"]
        post.sector_id = post.chapter_id = None
        if target == NETWORK:
            post.scope = Post.Scope.NETWORK
        else:
            kind, pk = target.split(":", 1)
            post.scope = Post.Scope.SECTOR if kind == "sector" else Post.Scope.CHAPTER
            setattr(post, f"{kind}_id", int(pk))
        if commit:
            post.save()
        return post


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo de la devolución"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("La autora o el autor lo lee junto a su noticia."),
    )


class ApproveForm(forms.Form):
    trust_author = forms.BooleanField(
        label=_("Publicar sin revisión las próximas noticias de esta persona"), required=False
    )
