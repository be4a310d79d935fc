"""Issue 17, item 13: an e-mail address longer than the column that stores it (254
characters) is refused by every form that writes one, with a clear message in the visitor's
language; it is never stored cut short, and trying again never answers 500. Every length
from 250 to 330 is tried."""

import pytest
from allauth.account.forms import AddEmailForm, ChangeEmailForm, ResetPasswordForm
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chapters.models import Chapter
from members.admin import UserCreationForm
from members.models import User
from pncs.models import Pncs
from tests.factories import member
from tests.members.test_accounts import PASSWORD, signup_data

pytestmark = pytest.mark.django_db

LENGTHS = range(250, 331)
LIMIT = 254


def address(length: int, tag: str = "") -> str:
    """A well-formed address of exactly `length` characters (local part at most 64,
    labels at most 63), distinct per `tag`."""
    local = (tag + "u" * 64)[:64]
    remaining = length - len(local) - 1 - len("org")  # the labels before "org", with dots
    labels = []
    while remaining > 0:
        take = min(63, remaining - 1)
        if remaining - (take + 1) == 1:  # a lone dot would be left: shorten this label
            take -= 1
        labels.append("d" * take)
        remaining -= take + 1
    labels.append("org")
    email = local + "@" + ".".join(labels)
    assert len(email) == length, (length, len(email))
    return email


def test_the_address_helper_builds_every_length():
    for length in LENGTHS:
        assert len(address(length, "t")) == length


def test_sign_up_accepts_up_to_the_column_and_refuses_longer_addresses_with_a_message(
    django_capture_on_commit_callbacks, settings
):
    # allauth counts sign-ups per visitor's address: every try here is the same visitor.
    settings.ACCOUNT_RATE_LIMITS = {"signup": None}
    for length in LENGTHS:
        email = address(length, f"s{length}")
        for attempt in (1, 2):
            with django_capture_on_commit_callbacks(execute=True):
                response = Client().post(reverse("account_signup"), signup_data(email=email))
            if length <= LIMIT:
                # Stored whole; the same address again is a known address (the same answer,
                # or allauth's limit of one "already exists" message per 10 s), never a 500.
                assert response.status_code == (302 if attempt == 1 else 429), length
                assert User.objects.filter(email=email.lower()).count() == 1
                continue
            assert response.status_code == 200, (length, attempt)
            errors = response.context["form"].errors["email"]
            assert errors, length
            if length <= 320:
                assert f"como máximo {LIMIT} caracteres (esta tiene {length})" in errors[0]
            assert not User.objects.filter(email__startswith=f"s{length}u").exists()
    assert User.objects.filter(email__startswith="s").count() == LIMIT - 250 + 1


def test_the_message_is_in_english_under_en(client):
    response = client.post("/en" + reverse("account_signup"), signup_data(email=address(300)))
    assert response.status_code == 200
    assert "at most 254 characters (this one has 300)" in response.content.decode()


def test_adding_changing_or_resetting_with_a_long_address_is_refused_by_allauths_forms():
    user = member()
    for length in LENGTHS:
        email = address(length, f"a{length}")
        for form in (
            AddEmailForm(user=user, data={"email": email}),
            ChangeEmailForm(email=user.email, data={"email": email}),
            ResetPasswordForm(data={"email": email}),
        ):
            assert form.is_valid() is (length <= LIMIT), (type(form).__name__, length)
            if length > LIMIT:
                assert form.errors["email"]
    assert user.emailaddress_set.count() == 1


@pytest.mark.parametrize("model", [Chapter, Pncs])
def test_contact_addresses_in_the_admin_refuse_what_the_column_cannot_hold(model):
    form_class = forms.modelform_factory(model, fields=["contact_email"])
    for length in LENGTHS:
        form = form_class(data={"contact_email": address(length)})
        assert form.is_valid() is (length <= LIMIT), length


def test_the_admins_new_user_form_refuses_a_long_address_with_a_message():
    for length in LENGTHS:
        form = UserCreationForm(
            data={
                "email": address(length, f"n{length}"),
                "password1": PASSWORD,
                "password2": PASSWORD,
            }
        )
        with translation.override("es-mx"):
            valid = form.is_valid()
        assert valid is (length <= LIMIT), length
        if length > LIMIT:
            assert form.errors["email"]
