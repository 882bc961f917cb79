"""CONSULTATION_FORUM_TOPICS read as off / per ticket / per area, the link to a moved ticket's header, and
the notice in the new area's topic (issue 15, item 5)."""

from __future__ import annotations

import pytest

from sinawai.consultation import config, forum_topics
from sinawai.consultation import texts as t
from sinawai.platform.config import Settings


@pytest.mark.parametrize(
    ("raw", "per_ticket", "per_area"),
    [
        ("", False, False),
        ("false", False, False),
        ("true", True, False),
        ("TRUE", True, False),
        ("1", True, False),
        ("area", False, True),
        (" Area ", False, True),
        ("bidang", False, False),  # an unknown value: no topics (bad input changes nothing)
    ],
)
def test_the_setting_is_off_per_ticket_or_per_area(
    raw: str, per_ticket: bool, per_area: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSULTATION_FORUM_TOPICS", raw)
    settings = config.ConsultationSettings.from_env(Settings.from_env())
    assert (settings.forum_topics, settings.forum_topics_by_area) == (per_ticket, per_area)


def test_a_header_link_points_into_its_topic_of_a_supergroup_only() -> None:
    assert forum_topics.header_link(-1001234567890, 77, 120) == "https://t.me/c/1234567890/77/120"
    assert forum_topics.header_link(-1001234567890, None, 120) == "https://t.me/c/1234567890/120"
    assert forum_topics.header_link(-4012345, 77, 120) is None  # a basic group has no message links


def test_the_topic_names_say_the_area() -> None:
    assert forum_topics.topic_name("jahdis") == "Bidang Kesejahteraan & Disiplin"
    assert forum_topics.topic_name("umum") == "Bidang Umum"


def test_the_moved_notice_links_to_the_header_or_says_where_it_is() -> None:
    linked = t.moved_to_area(12, "Mutasi", "https://t.me/c/1/7/9")
    assert linked.startswith("📌 Tiket #12 dipindahkan ke bidang Mutasi.")
    assert '<a href="https://t.me/c/1/7/9">tajuk tiket</a>' in linked
    assert "tajuk tiket di topik sebelumnya" in t.moved_to_area(12, "Mutasi", None)
