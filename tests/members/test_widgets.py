"""The fast select widgets render what Django's templates render: escaped, selected, grouped."""

from html.parser import HTMLParser

from django import forms

from members.widgets import FastSelect, FastSelectMultiple

CHOICES = [
    ("a", "Alfa"),
    ('"><script>x</script>', "<b>Beta & co</b>"),
    ("Grupo <g>", [("c", "Charlie"), ("d", "Delta")]),
]


class _Options(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)


def parsed(html):
    parser = _Options()
    parser.feed(html)
    return parser


def test_fast_select_renders_like_django_select():
    for fast, plain in ((FastSelect, forms.Select), (FastSelectMultiple, forms.SelectMultiple)):
        attrs = {"id": "id_x", "aria-describedby": "x_help"}
        value = ["d", '"><script>x</script>']
        mine = parsed(fast(choices=CHOICES).render("x", value, attrs))
        django = parsed(plain(choices=CHOICES).render("x", value, attrs))
        assert mine.tags == django.tags
        assert [t.strip() for t in mine.texts if t.strip()] == [
            t.strip() for t in django.texts if t.strip()
        ]


def test_fast_select_escapes_values_and_labels():
    html = str(FastSelect(choices=CHOICES).render("x", "a", {"id": "id_x"}))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;Beta &amp; co&lt;/b&gt;" in html
    assert '<option value="a" selected>Alfa</option>' in html
    assert '<optgroup label="Grupo &lt;g&gt;">' in html


class _Form(forms.Form):
    name = forms.CharField(label="Nombre <tú>", help_text="Como aparece & se lee", max_length=5)
    pick = forms.MultipleChoiceField(choices=CHOICES[:2], widget=FastSelectMultiple)
    sure = forms.BooleanField(label="¿Seguro?", required=False)
    many = forms.MultipleChoiceField(
        choices=CHOICES[:2], widget=forms.CheckboxSelectMultiple, required=False
    )


def test_field_group_tag_renders_what_as_field_group_renders():
    from members.templatetags.members_tags import field_group

    form = _Form({"name": "demasiado largo", "pick": ["a"]})
    assert not form.is_valid()  # "name" is too long: its error is drawn too
    for name in ("name", "pick", "sure", "many"):
        mine, django = parsed(str(field_group(form[name]))), parsed(form[name].as_field_group())
        assert mine.tags == django.tags, name
        assert [t.strip() for t in mine.texts if t.strip()] == [
            t.strip() for t in django.texts if t.strip()
        ], name


FLAT = [("a", "Alfa"), ('"><script>x</script>', "<b>Beta & co</b>"), ("c", "Charlie")]


def test_a_choice_list_renders_like_django_select_and_forgets_each_selection():
    from members.widgets import ChoiceList

    shared = ChoiceList(FLAT)
    for value in (["c"], ['"><script>x</script>', "a"], [], ["not-a-choice"], ["a"]):
        mine = parsed(FastSelectMultiple(choices=shared).render("x", value, {"id": "id_x"}))
        django = parsed(forms.SelectMultiple(choices=FLAT).render("x", value, {"id": "id_x"}))
        assert mine.tags == django.tags, value
        assert mine.texts == [t for t in django.texts if t.strip()], value


def test_a_choice_list_is_validated_and_labelled_from_its_sets():
    from members.widgets import ChoiceList

    shared = ChoiceList(FLAT)
    field = forms.MultipleChoiceField(choices=shared, widget=FastSelectMultiple)
    assert field.choices is shared  # kept as it is, not normalised per field
    assert field.clean(["a", "c"]) == ["a", "c"]
    assert shared.labels["c"] == "Charlie" and "zz" not in shared.allowed


def test_a_choice_list_survives_the_copies_of_each_form_built_and_is_drawn_once():
    from members.widgets import ChoiceList

    shared = ChoiceList(FLAT)

    class Form(forms.Form):
        x = forms.MultipleChoiceField(choices=shared, widget=FastSelectMultiple)

    first, second = Form(), Form()  # each deep-copies its fields, widgets and choices
    assert first.fields["x"].widget.choices is shared
    assert second.fields["x"].widget.choices is shared
    str(first["x"])
    drawn = shared._drawn
    assert drawn is not None
    str(second["x"])
    assert shared._drawn is drawn


def test_fast_inputs_render_like_django_inputs():
    from members.widgets import FastCheckboxInput, FastTextInput

    attrs = {"id": "id_x", "maxlength": "200", "aria-describedby": 'x_help"', "required": True}
    cases = [
        (FastTextInput, forms.TextInput, ['x" onfocus="y', "", None, 42]),
        (FastCheckboxInput, forms.CheckboxInput, [True, False, None, "on"]),
    ]
    for fast, plain, values in cases:
        for value in values:
            mine = parsed(str(fast().render("x", value, attrs)))
            django = parsed(plain().render("x", value, attrs))
            assert mine.tags == django.tags, (fast, value)


def test_fast_inputs_escape_the_value():
    from members.widgets import FastTextInput

    html = str(FastTextInput().render("x", 'x" onfocus="y', {"id": "id_x"}))
    assert 'value="x&quot; onfocus=&quot;y"' in html
