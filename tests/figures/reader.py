"""The reader who attacks a published table: from the shown cells and the total they add
up to, which values can each hidden cell still have? Written apart from figures.disclosure
(it enumerates the sums the other cells can reach instead of using interval arithmetic),
so the property tests check the module against an independent solver."""

import re

SMALL = "<5"
RESERVED = "≥5"


def cell_range(text: str, cap: int) -> range:
    """What a reader knows of a cell from its text (a reserved cell at most `cap`)."""
    text = text.strip()
    if text == SMALL:
        return range(1, 5)
    if text == RESERVED:
        return range(5, max(5, cap) + 1)
    if re.fullmatch(r"\d+", text.replace(",", "")):
        value = int(text.replace(",", ""))
        return range(value, value + 1)
    raise ValueError(f"not a published count: {text!r}")


def total_range(text: str) -> tuple[int, int]:
    """A published total: exact ("14"), rounded ("1,200 o más": 1200-1299, "menos de 100")."""
    text = text.strip()
    if match := re.fullmatch(r"menos de (\d+)|fewer than (\d+)", text):
        return 0, int(match.group(1) or match.group(2)) - 1
    if match := re.fullmatch(r"([\d,]+) o más|([\d,]+) or more", text):
        floor = int((match.group(1) or match.group(2)).replace(",", ""))
        return floor, floor + 99
    if text == SMALL:
        return 1, 4
    value = int(text.replace(",", ""))
    return value, value


def possible_values(texts, total=None, relation="=") -> list[set[int]]:
    """For each cell, every value consistent with all the texts and the total: a value v of
    cell j is possible when the other cells can reach a sum s (each within its own range)
    with v + s equal to the total (relation "=") or at most it ("<=")."""
    if total is None:
        cap = 10_000
        return [set(cell_range(text, cap)) for text in texts]
    low, high = total
    ranges = [cell_range(text, high) for text in texts]
    found = []
    for j, own in enumerate(ranges):
        sums = {0}
        for i, other in enumerate(ranges):
            if i != j:
                sums = {s + v for s in sums for v in other if s + v <= high}
        found.append(
            {
                v
                for v in own
                if any((low <= v + s <= high) if relation == "=" else v + s <= high for s in sums)
            }
        )
    return found


def assert_nothing_hidden_can_be_worked_out(texts, total=None, relation="=", where=""):
    """Every "<5" cell can still be any of 1-4; every "≥5" cell has more than one value."""
    for text, values in zip(texts, possible_values(texts, total, relation), strict=True):
        if text == SMALL:
            assert values == {1, 2, 3, 4}, f"{where}: a <5 cell narrowed to {sorted(values)}"
        elif text == RESERVED:
            assert len(values) > 1, f"{where}: a reserved cell is {sorted(values)}"
