"""The one home of how a stage result is computed from module grades and attendance.

- The stage average is the weighted mean of the module grades,
  sum(weight * grade) / sum(weight), rounded half up to two decimals. It exists only
  when every module of the stage has a grade (a missing grade is "not finished yet",
  never a zero).
- Attendance is the share of the stage's sessions attended, in percent, rounded half up
  to two decimals; a stage without sessions has no attendance requirement.
- A participant completes the stage when the average reaches the stage's pass grade and
  the attendance reaches its minimum (both thresholds are set per stage).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class StageResult:
    average: Decimal | None
    attendance: Decimal | None
    completed: bool


def weighted_average(grades: dict[int, Decimal], weights: dict[int, int]) -> Decimal | None:
    """The weighted mean of `grades` (module id → grade) with `weights` (module id → weight);
    None unless every weighted module has a grade."""
    if not weights or any(module_id not in grades for module_id in weights):
        return None
    total = sum(weights.values())
    value = sum(Decimal(weights[m]) * grades[m] for m in weights) / Decimal(total)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def attendance_rate(attended: int, sessions: int) -> Decimal | None:
    """Percent of `sessions` attended; None when the stage has no sessions."""
    if sessions == 0:
        return None
    return (Decimal(100) * attended / Decimal(sessions)).quantize(CENT, rounding=ROUND_HALF_UP)


def stage_result(
    *,
    grades: dict[int, Decimal],
    weights: dict[int, int],
    attended: int,
    sessions: int,
    pass_grade: Decimal,
    min_attendance: Decimal,
) -> StageResult:
    """Average, attendance and completion of one participant in one stage."""
    average = weighted_average(grades, weights)
    attendance = attendance_rate(attended, sessions)
    completed = (
        average is not None
        and average >= pass_grade
        and (attendance is None or attendance >= min_attendance)
    )
    return StageResult(average=average, attendance=attendance, completed=completed)
