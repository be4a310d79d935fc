"""What the surveys app stores about a member: their own answers. Part of their data
download (access and portability) and deleted with their account (cancellation), through
members' `<app>.personal_data` hook; members never imports surveys.

Deleted, not unlinked: a free-text answer can identify its author even without the link,
so nothing of the person's answers is kept. Figures already published (a FigureSnapshot,
aggregates only) are not recomputed backwards; the next snapshot counts without them."""

from members.services.merging import MergeRule, move_rows

from .models import Answer, Response, Survey


def _iso(value):
    return value.isoformat() if value else None


def _answer_text(answer) -> str:
    if answer.option_id:
        return answer.option.text_es
    if answer.number is not None:
        return str(answer.number)
    if answer.country:
        return str(answer.country.code)
    return answer.text


def export(user) -> dict:
    """Every survey the member answered, with their answers (question and answer, in
    Spanish as written)."""
    responses = (
        Response.objects.filter(user=user).select_related("survey").order_by("submitted_at", "pk")
    )
    answers = {}
    for answer in (
        Answer.objects.filter(response__user=user)
        .select_related("question", "option")
        .order_by("response_id", "question__position", "question_id", "pk")
    ):
        answers.setdefault(answer.response_id, []).append(
            {"question": answer.question.text_es, "answer": _answer_text(answer)}
        )
    return {
        "survey_responses": [
            {
                "survey": response.survey.title_es,
                "submitted_at": _iso(response.submitted_at),
                "answers": answers.get(response.pk, []),
            }
            for response in responses
        ]
    }


def erase(user) -> None:
    """Account cancellation: the member's answers go (their rows, free text included)."""
    Response.objects.filter(user=user).delete()


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): answers move to the kept account; both
    answered one survey: the earlier answer stays (a person counts once in the results)."""
    return move_rows(
        [
            MergeRule(
                Response,
                "user",
                unique_with=("survey",),
                rank=lambda r: (r.submitted_at, r.pk),
                describe=lambda r: r.survey.title_es,
            ),
            MergeRule(Survey, "created_by"),
        ],
        kept=kept,
        merged=merged,
    )
