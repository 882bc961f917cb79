"""The two kinds of civil servant (ASN) and what differs between them where the bot answers (pure).

PNS: PP 11/2017 as amended by PP 17/2020. PPPK (contract civil servants): PP 49/2018, whose Pasal 77 gives
them cuti tahunan, cuti sakit, cuti melahirkan and cuti bersama only. An employee's type comes from the HR
import (``pengguna.jenis_asn``); one imported without it is a PNS.
"""

from __future__ import annotations

from typing import Literal

AsnType = Literal["PNS", "PPPK"]
ASN_TYPES: tuple[AsnType, ...] = ("PNS", "PPPK")
DEFAULT_ASN_TYPE: AsnType = "PNS"

# The kinds of leave each type has, as the cuti import names them (cuti bersama is set by Keputusan
# Presiden for everyone and has no balance of its own, so the HR system exports no row for it).
ALL_LEAVE_KINDS = ("tahunan", "besar", "sakit", "melahirkan", "alasan_penting", "luar_tanggungan")
LEAVE_KINDS_OF: dict[AsnType, tuple[str, ...]] = {
    "PNS": ALL_LEAVE_KINDS,
    "PPPK": ("tahunan", "sakit", "melahirkan"),
}
PPPK_LEAVE_SOURCE = "PP 49/2018 Pasal 77"


def asn_type(value: object) -> AsnType:
    """A stored or imported type as one of the two; anything else (NULL, an old row) is a PNS."""
    text = str(value or "").strip().upper()
    return "PPPK" if text == "PPPK" else DEFAULT_ASN_TYPE


def leave_applies(kind: str, jenis_asn: AsnType) -> bool:
    """Whether an employee of this type has this kind of leave at all."""
    return kind in LEAVE_KINDS_OF[jenis_asn]
