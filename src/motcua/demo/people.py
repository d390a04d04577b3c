"""Demo applicants: realistic Vietnamese names, addresses and valid personal ID numbers.

Every person is invented. A personal ID number is built the legal way (Circular
59/2021/TT-BCA): the birth-registration province code (3 digits), the century-and-sex
digit (0/1 born in the 1900s male/female, 2/3 in the 2000s), the last two digits of the
birth year and six serial digits; ``person_id_numbers_check`` runs each one through
``accounts.validators.validate_personal_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from motcua.accounts.validators import validate_personal_id

HOAN_KIEM = "phường Hoàn Kiếm, thành phố Hà Nội"
CUA_NAM = "phường Cửa Nam, thành phố Hà Nội"
HAI_CHAU = "phường Hải Châu, thành phố Đà Nẵng"


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    female: bool
    born: date
    birth_province: str  # 3-digit code used in ID numbers, e.g. 001 Hà Nội
    serial: str  # six digits
    street: str
    area: str
    phone: str

    @property
    def id_number(self) -> str:
        century = (self.born.year // 100 - 19) * 2  # 0 for the 1900s, 2 for the 2000s
        return f"{self.birth_province}{century + self.female}{self.born:%y}{self.serial}"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.area}"

    @property
    def username(self) -> str:
        return f"congdan.{self.key}"

    @property
    def email(self) -> str:
        return f"{self.key}@example.invalid"

    @property
    def family_name(self) -> str:
        return self.name.split()[0]


def _p(
    key: str,
    name: str,
    female: bool,
    born: str,
    province: str,
    serial: str,
    street: str,
    area: str,
    phone: str,
) -> Person:
    return Person(
        key, name, female, date.fromisoformat(born), province, serial, street, area, phone
    )


# fmt: off
PEOPLE: dict[str, Person] = {
    p.key: p
    for p in [
        _p("lan", "Nguyễn Thị Lan", True, "1990-04-12", "001", "012345", "12 Hàng Bạc", HOAN_KIEM, "0912345678"),  # noqa: E501
        _p("hung", "Trần Quốc Hùng", False, "1986-09-02", "001", "004821", "27 Hàng Gai", HOAN_KIEM, "0903112233"),  # noqa: E501
        _p("mai", "Lê Thị Mai", True, "1994-01-23", "036", "118204", "5 Lý Thái Tổ", HOAN_KIEM, "0987654321"),  # noqa: E501
        _p("tuan", "Phạm Anh Tuấn", False, "1992-11-30", "001", "207731", "88 Hàng Bông", HOAN_KIEM, "0934567890"),  # noqa: E501
        _p("huong", "Vũ Thị Thu Hương", True, "1988-06-15", "034", "055102", "14 Đinh Tiên Hoàng", HOAN_KIEM, "0977001122"),  # noqa: E501
        _p("duc", "Đỗ Minh Đức", False, "1979-03-08", "001", "330917", "3 Hàng Đào", HOAN_KIEM, "0913990011"),  # noqa: E501
        _p("thao", "Hoàng Phương Thảo", True, "2001-07-19", "040", "126653", "61 Hàng Buồm", HOAN_KIEM, "0868123456"),  # noqa: E501
        _p("nam", "Bùi Văn Nam", False, "1983-12-01", "038", "401276", "19 Cầu Gỗ", HOAN_KIEM, "0945223344"),  # noqa: E501
        _p("ngoc", "Ngô Bảo Ngọc", True, "1997-02-14", "001", "512098", "102 Hàng Trống", HOAN_KIEM, "0888456123"),  # noqa: E501
        _p("quang", "Đặng Văn Quang", False, "1975-10-21", "031", "098311", "7 Tràng Tiền", HOAN_KIEM, "0904778899"),  # noqa: E501
        _p("linh", "Trịnh Khánh Linh", True, "1999-05-05", "001", "623410", "45 Quán Sứ", CUA_NAM, "0971334455"),  # noqa: E501
        _p("son", "Phan Thanh Sơn", False, "1991-08-27", "037", "144590", "23 Hai Bà Trưng", CUA_NAM, "0915667788"),  # noqa: E501
        _p("ha", "Lý Thu Hà", True, "1985-12-09", "001", "075213", "9 Lý Thường Kiệt", CUA_NAM, "0936889900"),  # noqa: E501
        _p("khanh", "Dương Quốc Khánh", False, "2000-09-02", "001", "338127", "31 Trần Hưng Đạo", CUA_NAM, "0399112233"),  # noqa: E501
        _p("yen", "Mai Hải Yến", True, "1993-03-17", "035", "260845", "16 Hàng Chuối", CUA_NAM, "0962445566"),  # noqa: E501
        _p("phong", "Tạ Đình Phong", False, "1968-01-26", "001", "017654", "58 Phan Bội Châu", CUA_NAM, "0912003456"),  # noqa: E501
        _p("trang", "Nguyễn Thu Trang", True, "1996-10-10", "001", "409382", "2 Phố Huế", CUA_NAM, "0353778899"),  # noqa: E501
        _p("vinh", "Hồ Quang Vinh", False, "1989-04-30", "040", "311908", "74 Bà Triệu", CUA_NAM, "0986223311"),  # noqa: E501
        _p("an", "Huỳnh Thị Bình An", True, "1995-07-07", "048", "102938", "78 Bạch Đằng", HAI_CHAU, "0905123789"),  # noqa: E501
        _p("long", "Trương Văn Long", False, "1987-02-03", "048", "220471", "120 Trần Phú", HAI_CHAU, "0935456012"),  # noqa: E501
        _p("nhung", "Phan Thị Hồng Nhung", True, "1998-12-24", "049", "145306", "33 Lê Lợi", HAI_CHAU, "0763345901"),  # noqa: E501
        _p("kiet", "Lê Tuấn Kiệt", False, "2002-05-19", "048", "018275", "15 Hùng Vương", HAI_CHAU, "0778901234"),  # noqa: E501
        _p("dung", "Võ Thị Kim Dung", True, "1981-09-13", "046", "067429", "201 Nguyễn Văn Linh", HAI_CHAU, "0914778123"),  # noqa: E501
        _p("bao", "Nguyễn Gia Bảo", False, "1993-06-01", "048", "390612", "42 Pasteur", HAI_CHAU, "0989345670"),  # noqa: E501
        _p("tam", "Đinh Thanh Tâm", True, "1990-11-11", "048", "254783", "9 Yên Bái", HAI_CHAU, "0901234599"),  # noqa: E501
        _p("hieu", "Cao Minh Hiếu", False, "1984-08-08", "079", "183027", "66 Nguyễn Chí Thanh", HAI_CHAU, "0938112244"),  # noqa: E501
    ]
}
# fmt: on

# Given names for children in birth registrations, and partners in marriages.
CHILD_NAMES = {
    True: ["Minh Anh", "Khánh Vy", "Bảo Ngọc", "Gia Hân"],
    False: ["Minh Khôi", "Gia Huy", "Đức Anh", "Quang Minh"],
}
PARTNERS = {  # keyed by the applicant being female
    True: ["Nguyễn Đức Thắng", "Lê Hoàng Nam", "Trần Minh Khoa"],
    False: ["Phạm Thị Thu Hà", "Đỗ Ngọc Ánh", "Vũ Thị Hạnh"],
}


def person_id_numbers_check() -> None:
    """Every demo ID number is valid and unique (raises ValidationError/ValueError)."""
    seen: set[str] = set()
    for person in PEOPLE.values():
        validate_personal_id(person.id_number)
        if person.id_number in seen:
            raise ValueError(f"duplicate demo ID number {person.id_number}")
        seen.add(person.id_number)
