"""A person's threads: inbox, reading and replying, block, report, sharing their address,
and the notice preference. Every thread is fetched through `Thread.objects.visible_to`:
someone else's answers 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.access import second_factor_required
from members.access import member_required
from members.models import Profile, public_name

from . import services
from .forms import MessageForm, PreferenceForm, ReportForm
from .models import Message, Participant, Thread

INBOX_PAGE_SIZE = 25
SENT = _("Mensaje enviado.")
BLOCKED = _("Bloqueaste esta conversación. Nadie puede escribir en ella hasta que la desbloquees.")
UNBLOCKED = _("Desbloqueaste esta conversación.")
SHARED = _("La otra parte ahora ve tu correo electrónico.")
UNSHARED = _("Tu correo electrónico ya no se muestra a la otra parte.")
REPORTED = _("Gracias. El personal del IME revisará el mensaje reportado.")
ALREADY_REPORTED = _("Ya habías reportado este mensaje.")
PREFERENCES_SAVED = _("Preferencias guardadas.")


def _thread_or_404(user, pk):
    return get_object_or_404(Thread.objects.visible_to(user), pk=pk)


@member_required
def inbox(request):
    """The person's threads, newest activity first, unread ones marked."""
    page = Paginator(Thread.objects.for_inbox(request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "messaging/inbox.html", {"page": page})


@member_required
def thread_detail(request, pk):
    """Read a thread (it counts as read) and reply to it."""
    thread = _thread_or_404(request.user, pk)
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.send_message(
                    thread=thread, sender=request.user, body=form.cleaned_data["body"]
                )
            except services.MessagingError as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, SENT)
                return redirect("messaging:thread", pk=thread.pk)
    services.mark_read(thread=thread, user=request.user)
    parties = list(thread.parties.prefetch_related("participants__user").order_by("pk"))
    mine = next(
        p for p in parties if any(x.user_id == request.user.pk for x in p.participants.all())
    )
    me = next(x for x in mine.participants.all() if x.user_id == request.user.pk)
    others = [p for p in parties if p.pk != mine.pk]
    shared_emails = [x.user.email for p in others for x in p.participants.all() if x.shares_email]
    return render(
        request,
        "messaging/thread.html",
        {
            "thread": thread,
            "thread_messages": Message.objects.filter(thread=thread).select_related("party"),
            "form": form,
            "mine": mine,
            "me": me,
            "other": others[0] if others else None,
            "blocked": any(p.blocked_at for p in parties),
            "shared_emails": shared_emails,
        },
    )


@member_required
@require_POST
def block(request, pk):
    thread = _thread_or_404(request.user, pk)
    services.block_thread(thread=thread, user=request.user)
    messages.success(request, BLOCKED)
    return redirect("messaging:thread", pk=thread.pk)


@member_required
@require_POST
def unblock(request, pk):
    thread = _thread_or_404(request.user, pk)
    services.unblock_thread(thread=thread, user=request.user)
    messages.success(request, UNBLOCKED)
    return redirect("messaging:thread", pk=thread.pk)


@member_required
@require_POST
def share_email(request, pk):
    """Show or hide one's address to the other side (`share` = "1" or "0")."""
    thread = _thread_or_404(request.user, pk)
    share = request.POST.get("share") == "1"
    services.set_email_sharing(thread=thread, user=request.user, share=share)
    messages.success(request, SHARED if share else UNSHARED)
    return redirect("messaging:thread", pk=thread.pk)


@member_required
def report(request, pk, message_pk):
    """Report a message of the other side to IME staff."""
    thread = _thread_or_404(request.user, pk)
    mine = Participant.objects.filter(party__thread=thread, user=request.user).values("party_id")
    message = get_object_or_404(
        Message.objects.filter(thread=thread).exclude(party_id__in=mine).select_related("party"),
        pk=message_pk,
    )
    form = ReportForm()
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            created = services.report_message(
                message=message, reporter=request.user, **form.cleaned_data
            )
            messages.success(request, REPORTED if created else ALREADY_REPORTED)
            return redirect("messaging:thread", pk=thread.pk)
    return render(
        request, "messaging/report.html", {"thread": thread, "message": message, "form": form}
    )


@member_required
def preferences(request):
    """E-mail notices of new messages, and contact from other members: on or off."""
    form = PreferenceForm(
        initial={
            "email_notices": services.wants_email_notices(request.user),
            "member_contact": services.accepts_member_contact(request.user),
        }
    )
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.set_email_notices(
                user=request.user, enabled=form.cleaned_data["email_notices"]
            )
            services.set_member_contact(
                user=request.user, enabled=form.cleaned_data["member_contact"]
            )
            messages.success(request, PREFERENCES_SAVED)
            return redirect("messaging:preferences")
    return render(request, "messaging/preferences.html", {"form": form})


@member_required
@second_factor_required
def write_to_member(request, pk):
    """Write to a member from their profile (one the writer may open: else 404). The
    message goes into the thread of the two; a member who turned contact off, or a thread
    one of them blocked, refuses it with the reason and nothing is saved."""
    profile = get_object_or_404(
        Profile.objects.visible_to(request.user).exclude(pk=request.user.pk), pk=pk
    )
    recipient = profile.user
    accepts = services.accepts_member_contact(recipient)
    form = MessageForm()
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                message = services.write_to_member(
                    sender=request.user, recipient=recipient, body=form.cleaned_data["body"]
                )
            except services.MessagingError as refused:
                form.add_error(None, refused.message)
                status = 403 if not accepts else 200
            else:
                messages.success(request, SENT)
                return redirect("messaging:thread", pk=message.thread_id)
    return render(
        request,
        "messaging/write_to_member.html",
        {
            "profile": profile,
            "name": public_name(recipient),
            "accepts": accepts,
            "form": form,
        },
        status=status,
    )
