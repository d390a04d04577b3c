"""Identity numbers: 12-digit personal ID numbers and Vietnamese tax codes.

Personal ID number (số định danh cá nhân, Decree 137/2015 and Circular 59/2021/TT-BCA):
digits 1–3 the province code of birth registration (pre-2025 codes 001–096),
digit 4 the century and sex (0/1 20th century male/female, 2/3 21st, 4/5 22nd,
6/7 23rd, 8/9 24th), digits 5–6 the last two digits of the birth year, digits 7–12
a random number. Tax codes (mã số thuế) are checked with python-stdnum.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.vn import mst

# Province codes used in personal ID numbers (Circular 07/2016/TT-BCA, 63 pre-2025 provinces).
BIRTH_PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)
_CENTURY_BY_DIGIT = {
    0: 1900,
    1: 1900,
    2: 2000,
    3: 2000,
    4: 2100,
    5: 2100,
    6: 2200,
    7: 2200,
    8: 2300,
    9: 2300,
}
_TWELVE_DIGITS = re.compile(r"^[0-9]{12}$")


def personal_id_birth_year(value: str) -> int:
    return _CENTURY_BY_DIGIT[int(value[3])] + int(value[4:6])


def validate_personal_id(value: str) -> None:
    if not isinstance(value, str) or not _TWELVE_DIGITS.match(value):
        raise ValidationError(
            _("The personal ID number must have exactly 12 digits."), code="personal_id_format"
        )
    if value[:3] not in BIRTH_PROVINCE_CODES:
        raise ValidationError(
            _("The personal ID number starts with %(code)s, which is not a province code."),
            code="personal_id_province",
            params={"code": value[:3]},
        )
    if personal_id_birth_year(value) > date.today().year:  # noqa: DTZ011 — a year is enough
        raise ValidationError(
            _("The personal ID number encodes a birth year in the future."),
            code="personal_id_year",
        )


def normalise_tax_code(value: str) -> str:
    return mst.compact(value)


def validate_tax_code(value: str) -> None:
    try:
        mst.validate(value)
    except InvalidLength:
        raise ValidationError(
            _("A tax code has 10 digits, or 13 digits for a branch (e.g. 0100233488-001)."),
            code="tax_code_length",
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _("This tax code's check digit is wrong: please check the number."),
            code="tax_code_checksum",
        ) from None
    except InvalidFormat:
        raise ValidationError(
            _("A tax code may contain digits and one hyphen only."), code="tax_code_format"
        ) from None
