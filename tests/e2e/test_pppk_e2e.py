"""PNS and PPPK employees end to end through the local stack: the type comes in with `sinawai import
employees` (column jenis_asn), the employees register with /daftar, and then /cuti, the FAQ and the
information menus answer each with the rules of their type.

Its own stack (database, bucket): the shipped content is published with `sinawai content publish`.

Bad inputs tried: an employees file with jenis_asn "P3K" (refused, nothing imported, the stack's employees
unchanged); a PPPK pressing the menu button of cuti besar, a kind they do not have.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import ChatMessage
from sinawai import cli
from tests.helpers import db_env, fresh_database, query, text_of

pytestmark = pytest.mark.e2e

STAFF = -1001000000011
PUTRI = 5590001  # PPPK
BUDI = 5590002  # PNS
TAMU = 5590003  # not registered
NIP_PUTRI = "199604212023212007"
NIP_BUDI = "199001172015031001"
PASSWORD_PUTRI = "Awal#2026Ptm"
PASSWORD_BUDI = "Awal#2026Bds"
EMPLOYEES = (
    "nip,nama,password,jabatan,jenis_kelamin,tanggal_lahir,jenis_asn\n"
    f"{NIP_BUDI},Budi Santoso,{PASSWORD_BUDI},Analis SDM Aparatur,L,1990-01-17,PNS\n"
    f"{NIP_PUTRI},Putri Maharani,{PASSWORD_PUTRI},Pranata Komputer Ahli Pertama,P,1996-04-21,PPPK\n"
)
CUTI = (
    "nip,tahun,jenis,hak,terpakai\n"
    f"{NIP_BUDI},{{year}},tahunan,12,3\n"
    f"{NIP_BUDI},{{year}},alasan_penting,30,2\n"
    f"{NIP_PUTRI},{{year}},tahunan,12,4\n"
    f"{NIP_PUTRI},{{year}},sakit,30,2\n"
)
PNS_ONLY = ("Cuti besar", "Cuti karena alasan penting", "Cuti di luar tanggungan negara")


def sinawai(stack: LocalStack, *args: str) -> int:
    """`sinawai` as an operator runs it against this stack (its database, moto for S3)."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in db_env(stack.config.database).items():
            mp.setenv(key, value)
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        mp.setenv("DOCUMENTS_BUCKET", stack.config.bucket)
        return cli.main(list(args))


def say(stack: LocalStack, user: int, text: str) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text)
    stack.wait_idle()
    return update


def press(stack: LocalStack, user: int, message_id: int, data: str) -> None:
    stack.telegram.press_button(user, user, message_id, data)
    stack.wait_idle()


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return stack.telegram.bot_messages(chat_id)[-1]


def current_year(stack: LocalStack) -> int:
    rows = query(stack.config.database, "SELECT YEAR(UTC_TIMESTAMP() + INTERVAL 7 HOUR) AS y")
    return int(rows[0]["y"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("pppk-logs")
    files = tmp_path_factory.mktemp("pppk-files")
    with fresh_database("sinawai_e2e_pppk") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-pppk",
            extra_env={"CONTENT_CACHE_SECONDS": "0"},
        )
        with LocalStack(config) as local:
            emu = local.telegram
            for user, name in ((PUTRI, "Putri"), (BUDI, "Budi"), (TAMU, "Tamu")):
                emu.add_user(user, name)
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[])
            (files / "pegawai.csv").write_text(EMPLOYEES, encoding="utf-8")
            (files / "cuti.csv").write_text(CUTI.format(year=current_year(local)), encoding="utf-8")
            assert sinawai(local, "import", "employees", str(files / "pegawai.csv")) == 0
            assert sinawai(local, "import", "cuti", str(files / "cuti.csv")) == 0
            assert sinawai(local, "content", "publish", str(ROOT / "content")) == 0
            for user, nip, password in ((PUTRI, NIP_PUTRI, PASSWORD_PUTRI), (BUDI, NIP_BUDI, PASSWORD_BUDI)):
                local.telegram.send_message(user, f"/daftar {nip} {password}")
                local.wait_idle()
                assert "Pendaftaran berhasil" in (local.telegram.bot_messages(user)[-1].text or "")
            yield local


# ---- /cuti ---------------------------------------------------------------------------------------------


def test_a_pppk_employees_cuti_shows_only_the_pppk_kinds(stack: LocalStack) -> None:
    say(stack, PUTRI, "/cuti")
    text = text_of(last(stack, PUTRI))
    assert "Sebagai PPPK" in text
    for name in ("Cuti tahunan", "Cuti sakit", "Cuti melahirkan", "Cuti bersama"):
        assert f"\n{name}\n" in text
    for name in PNS_ONLY:
        assert name not in text
    assert "Hak 12 hari · terpakai 4 hari · sisa 8 hari" in text
    assert "Hak 30 hari · terpakai 2 hari · sisa 28 hari" in text  # cuti sakit
    assert "tidak mengurangi hak cuti tahunan" in text


def test_a_pns_employees_cuti_shows_every_kind_and_alasan_penting_per_event(stack: LocalStack) -> None:
    say(stack, BUDI, "/cuti")
    text = text_of(last(stack, BUDI))
    assert "Sebagai PPPK" not in text
    for name in ("Cuti tahunan", *PNS_ONLY, "Cuti sakit", "Cuti melahirkan", "Cuti bersama"):
        assert f"\n{name}\n" in text
    assert "Hak 12 hari · terpakai 3 hari · sisa 9 hari" in text
    block = text.split("\nCuti karena alasan penting\n", 1)[1].split("\n\n", 1)[0]
    assert "Diambil tahun ini: 2 hari" in block
    assert "sisa" not in block


def test_datapribadi_tells_each_employee_their_type(stack: LocalStack) -> None:
    say(stack, PUTRI, "/datapribadi")
    assert "Jenis ASN: PPPK" in text_of(last(stack, PUTRI))
    say(stack, BUDI, "/datapribadi")
    assert "Jenis ASN: PNS" in text_of(last(stack, BUDI))


# ---- the FAQ -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "pppk_rule", "pns_rule"),
    [
        (
            "Apakah saya bisa mengambil cuti besar untuk ibadah haji tahun depan?",
            "tidak memperoleh cuti besar",
            "paling lama 3 bulan",
        ),
        (
            "Bagaimana syarat cuti di luar tanggungan negara untuk ikut suami tugas ke luar negeri?",
            "tidak memperoleh cuti di luar tanggungan negara",
            "paling lama 3 tahun",
        ),
    ],
)
def test_the_faq_answers_a_pppk_with_the_pppk_rule_and_a_pns_unchanged(
    stack: LocalStack, question: str, pppk_rule: str, pns_rule: str
) -> None:
    say(stack, PUTRI, question)
    offer = text_of(last(stack, PUTRI))
    assert "Mungkin ini jawaban yang Anda cari" in offer
    assert pppk_rule in offer
    assert "PP 49/2018" in offer
    assert pns_rule not in offer
    say(stack, BUDI, question)
    offer = text_of(last(stack, BUDI))
    assert "Mungkin ini jawaban yang Anda cari" in offer
    assert pns_rule in offer
    assert pppk_rule not in offer
    assert "Untuk PPPK:" not in offer


# ---- the menus -----------------------------------------------------------------------------------------


def open_topic(stack: LocalStack, user: int, topic: str) -> str:
    say(stack, user, "/jahdis")
    page = last(stack, user)
    press(stack, user, page.message_id, "information:jahdis:s:cuti")
    press(stack, user, page.message_id, f"information:jahdis:t:{topic}")
    shown = next(m for m in stack.telegram.bot_messages(user) if m.message_id == page.message_id)
    return text_of(shown)


def test_the_menus_show_each_reader_the_rule_of_their_type(stack: LocalStack) -> None:
    pppk = open_topic(stack, PUTRI, "cuti-besar")
    assert "Sebagai PPPK, Anda tidak memperoleh cuti besar" in pppk
    pns = open_topic(stack, BUDI, "cuti-besar")
    assert "paling lama 3 bulan" in pns
    assert "PPPK" not in pns
    # not registered: the general text, with the PPPK difference noted under it
    guest = open_topic(stack, TAMU, "cuti-besar")
    assert guest.startswith(pns.split("\n\nDasar:")[0])
    assert "Untuk PPPK: PPPK tidak memperoleh cuti besar" in guest
    views = query(
        stack.config.database,
        "SELECT DISTINCT topic_id FROM content_view WHERE chat_id IN (%s, %s, %s) AND via = 'button'"
        " AND topic_id IS NOT NULL",
        (PUTRI, BUDI, TAMU),
    )
    assert {v["topic_id"] for v in views} == {"cuti-besar"}  # a variant is viewed as its topic


def test_an_import_with_a_bad_type_changes_no_employee(stack: LocalStack, tmp_path: Path) -> None:
    bad = tmp_path / "pegawai.csv"
    bad.write_text(EMPLOYEES.replace(",PPPK\n", ",P3K\n").replace(",PNS\n", ",PPPK\n"), encoding="utf-8")
    assert sinawai(stack, "import", "employees", str(bad)) == 1
    rows = query(stack.config.database, "SELECT nip, jenis_asn FROM pengguna ORDER BY nip")
    assert {r["nip"]: r["jenis_asn"] for r in rows} == {NIP_BUDI: "PNS", NIP_PUTRI: "PPPK"}


def test_the_other_offered_topics_are_shown_to_a_pppk_with_the_pppk_rule(stack: LocalStack) -> None:
    say(stack, PUTRI, "Bagaimana cara mengajukan cuti? Saya perlu untuk bulan depan.")
    offer = last(stack, PUTRI)
    rows = query(
        stack.config.database,
        "SELECT id, topic_ids FROM faq_offer WHERE chat_id = %s ORDER BY id DESC LIMIT 1",
        (PUTRI,),
    )
    offer_id, topic_ids = rows[0]["id"], json.loads(rows[0]["topic_ids"])
    assert len(topic_ids) > 1  # several leave topics match: the others are one press away
    with_variant = {"cuti-tahunan", "cuti-besar", "cuti-sakit", "cuti-melahirkan", "cuti-alasan-penting"}
    with_variant |= {"cuti-luar-tanggungan", "cuti-bersama"}
    checked = 0
    for index, topic_id in enumerate(topic_ids):
        if index:  # the first is shown already; each other one in its place, by its button
            press(stack, PUTRI, offer.message_id, f"consultation:faqt:{offer_id}:{index}")
        shown = text_of(
            next(m for m in stack.telegram.bot_messages(PUTRI) if m.message_id == offer.message_id)
        )
        assert "Untuk PPPK:" not in shown  # a registered PPPK reads the PPPK rule itself, not a note
        if topic_id in with_variant:
            assert "PP 49/2018" in shown, topic_id
            checked += 1
    assert checked
