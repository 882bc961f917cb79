"""The FAQ matcher against the question table: hit rate and false-answer rate (``make bench`` prints both).

The table (``tests/fixtures/faq_questions.csv``) holds questions as employees write them, each with the
topic that should be offered first, or ``-`` when no topic should be offered (a personal case, something
outside the helpdesk's content). Its rows are split in three parts: ``tuning`` (looked at while improving
the matcher and the keywords), ``heldout`` (written with the first matcher and never tuned on) and
``heldout2`` (written for the second round, before the matcher was changed again, and never tuned on): the
held-out parts say how the matcher does on questions it has not seen. A question that asks about two
things may name both topics (``a|b``): either one is right.

Each question is matched against the shipped content exactly as the consultation path matches it
(``faq.offered`` with the deployed threshold): the FAQ either shows the first topic as the answer (the
others as buttons), or, when no topic is clearly the one, offers the topics as a choice with no answer
shown. Each question is one of:

- right: an expected topic is shown first as the answer, or nothing is offered for a ``-`` row;
- chosen: a choice is offered with an expected topic among it (one tap more, no wrong answer shown);
- missed: nothing is offered although a topic was expected, or a choice without an expected topic, or a
  choice for a ``-`` row (the employee presses "teruskan ke petugas": no wrong answer shown);
- wrong: a topic is shown first as the answer that is not an expected one (any answer for a ``-`` row).

Hit rate = (right + chosen) / questions (the right topic is offered); answered-first rate = right /
questions; false-answer rate = wrong / questions. Goal: hit rate ≥ 85 % and false-answer rate ≤ 5 %; the
answered-first rate is reported so that a choice cannot hide a matcher that never answers.

Run alone: ``python -m local_stack.faq_bench``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from local_stack.stack import ROOT
from sinawai.consultation import faq
from sinawai.information import content_files
from sinawai.information.content import Bundle

TABLE = ROOT / "tests" / "fixtures" / "faq_questions.csv"
NO_MATCH = "-"
SPLITS = ("tuning", "heldout", "heldout2")
ALTERNATIVE = "|"
HIT_GOAL = 0.85
FALSE_GOAL = 0.05

ANSWERED_FLOOR = 0.80  # no part may turn most questions into a choice
Verdict = Literal["right", "chosen", "missed", "wrong"]


@dataclass(frozen=True)
class Question:
    split: str
    text: str
    expected: str  # a topic id, several joined by ALTERNATIVE (either is right), or NO_MATCH

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics any of which is right offered first (none for a NO_MATCH row)."""
        return () if self.expected == NO_MATCH else tuple(self.expected.split(ALTERNATIVE))


@dataclass(frozen=True)
class Outcome:
    question: Question
    offered: tuple[str, ...]
    answered: bool  # the first offered topic is shown as the answer (else: a choice)
    verdict: Verdict


def load_table(path: Path = TABLE) -> list[Question]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Question(row["split"], row["question"], row["expected"]) for row in csv.DictReader(f)]


def shipped_bundle() -> Bundle:
    return content_files.build(content_files.load_folder(ROOT / "content"))


def judge(question: Question, offered: Sequence[str], answered: bool = True) -> Verdict:
    if not offered:
        return "right" if question.expected == NO_MATCH else "missed"
    if not answered:
        return "chosen" if set(offered) & set(question.topics) else "missed"
    return "right" if offered[0] in question.topics else "wrong"


def evaluate(
    bundle: Bundle, questions: Sequence[Question], threshold: float = faq.DEFAULT_THRESHOLD
) -> list[Outcome]:
    outcomes = []
    for q in questions:
        found = faq.offered(q.text, bundle, threshold=threshold)
        offered = tuple(m.topic.id for m in found.matches)
        outcomes.append(Outcome(q, offered, found.answered, judge(q, offered, found.answered)))
    return outcomes


def rates(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    total = len(outcomes)
    right = sum(1 for o in outcomes if o.verdict == "right")
    chosen = sum(1 for o in outcomes if o.verdict == "chosen")
    wrong = sum(1 for o in outcomes if o.verdict == "wrong")
    return {
        "questions": total,
        "right": right,
        "chosen": chosen,
        "missed": total - right - chosen - wrong,
        "wrong": wrong,
        "hit_rate": (right + chosen) / total if total else 0.0,
        "answered_rate": right / total if total else 0.0,
        "false_answer_rate": wrong / total if total else 0.0,
    }


def run(threshold: float = faq.DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Both halves and the whole table: rates, and every question that was not answered right."""
    outcomes = evaluate(shipped_bundle(), load_table(), threshold)
    result: dict[str, Any] = {
        "threshold": threshold,
        "goal": {"hit_rate": HIT_GOAL, "false_answer_rate": FALSE_GOAL},
    }
    for split in SPLITS:
        result[split] = rates([o for o in outcomes if o.question.split == split])
    result["all"] = rates(outcomes)
    result["not_right"] = [
        {
            "split": o.question.split,
            "question": o.question.text,
            "expected": o.question.expected,
            "offered": list(o.offered),
            "answered": o.answered,
            "verdict": o.verdict,
        }
        for o in outcomes
        if o.verdict != "right"
    ]
    return result


def render(result: dict[str, Any]) -> str:
    lines = [
        f"FAQ matcher on the question table (threshold {result['threshold']:g}; goal ≥ "
        f"{HIT_GOAL:.0%} right topic offered, ≤ {FALSE_GOAL:.0%} wrong answer shown first)",
    ]
    for split in (*SPLITS, "all"):
        r = result[split]
        met = r["hit_rate"] >= HIT_GOAL and r["false_answer_rate"] <= FALSE_GOAL
        lines.append(
            f"  {split:<8} {r['questions']:>3} questions: hit rate {r['hit_rate']:.1%} "
            f"({r['right']} answered first + {r['chosen']} in a choice), answered first "
            f"{r['answered_rate']:.1%}, false-answer rate {r['false_answer_rate']:.1%} ({r['wrong']}), "
            f"missed {r['missed']}  {'goal met' if met else 'GOAL MISSED'}"
        )
    for miss in result["not_right"]:
        offered = ", ".join(miss["offered"]) or "nothing"
        offered += "" if miss["answered"] or not miss["offered"] else " (as a choice)"
        lines.append(
            f"  {miss['verdict']:<6} [{miss['split']}] {miss['question']!r}: expected {miss['expected']}, "
            f"offered {offered}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_stack.faq_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=faq.DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)
    print(render(run(args.threshold)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
