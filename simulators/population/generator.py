"""A deterministic synthetic population: 100,000 residents in households.

Nothing is stored. A resident is computed on demand from the seed and their index
(0 … size-1), so start-up is instant and memory stays small; the only table built is
the list of household start offsets (about 30,000 integers), drawn once.

* Households: sizes 1–6 drawn from the seed; members are the head, a spouse, children
  and sometimes the head's mother. Children carry their father's family name, live
  with the household and have the head and spouse as parents.
* Places: the real provinces and communes after 1 July 2025 (``vietnam_provinces``);
  each household lives in one commune; a few residents live elsewhere temporarily.
* Personal ID numbers follow Decree 137/2015 and Circular 59/2021: the pre-2025
  province code of birth registration, the century-and-sex digit, the birth year,
  then six digits. The six digits are an invertible permutation of the index, so an
  ID number leads straight back to its resident (``Population.find``).
* Ages are counted at ``REFERENCE_DATE``, not today, so the population never changes.

Names come from Faker's ``vi_VN`` lists, widened with other common family names.
"""

# ruff: noqa: S311 — seeded, reproducible synthetic data is the point; nothing here is secret

from __future__ import annotations

import random
import threading
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from faker.providers.address.vi_VN import Provider as _FakerAddress
from faker.providers.person.vi_VN import Provider as _FakerPerson
from vietnam_provinces import Province, Ward

REFERENCE_DATE = date(2025, 7, 1)
DEFAULT_SEED = 20250701
DEFAULT_SIZE = 100_000
_TAIL_SPACE = 1_000_000
_MULTIPLIER = 379_721  # odd and not a multiple of 5: invertible modulo 10**6
_INVERSE = pow(_MULTIPLIER, -1, _TAIL_SPACE)

# Pre-2025 province codes (used in ID numbers) of each province after 1 July 2025
# (Resolution 202/2025/QH15): the merged provinces keep the code of one of them.
OLD_CODES_OF_PROVINCE: dict[str, tuple[str, ...]] = {
    "01": ("001",),
    "04": ("004",),
    "08": ("008", "002"),
    "11": ("011",),
    "12": ("012",),
    "14": ("014",),
    "15": ("010", "015"),
    "19": ("019", "006"),
    "20": ("020",),
    "22": ("022",),
    "24": ("024", "027"),
    "25": ("025", "026", "017"),
    "31": ("031", "030"),
    "33": ("033", "034"),
    "37": ("037", "035", "036"),
    "38": ("038",),
    "40": ("040",),
    "42": ("042",),
    "44": ("044", "045"),
    "46": ("046",),
    "48": ("048", "049"),
    "51": ("051", "062"),
    "52": ("064", "052"),
    "56": ("056", "058"),
    "66": ("066", "054"),
    "68": ("068", "067", "060"),
    "75": ("075", "070"),
    "79": ("079", "074", "077"),
    "80": ("072", "080"),
    "82": ("087", "082"),
    "86": ("086", "083", "084"),
    "91": ("089", "091"),
    "92": ("092", "093", "094"),
    "96": ("096", "095"),
}

_FAMILY_NAMES = (
    *_FakerPerson.last_names,
    "Huỳnh",
    "Phan",
    "Võ",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Lý",
    "Trịnh",
    "Đinh",
    "Lâm",
)
# Nguyễn is by far the most common family name; the rest share the remainder.
_FAMILY_WEIGHTS = tuple(38 if n == "Nguyễn" else 4 for n in _FAMILY_NAMES)
_GIVEN_MALE = tuple(dict.fromkeys(_FakerPerson.first_names_male))
_GIVEN_FEMALE = tuple(dict.fromkeys(_FakerPerson.first_names_female))
_MIDDLE_MALE = ("Văn", "Đức", "Hữu", "Quang", "Minh", "Thành", "Xuân", "Công", "Hoàng", "Thế")
_MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Phương", "Hồng", "Mai", "Bảo")
_STREETS = tuple(dict.fromkeys(_FakerAddress.streets))

# (code, name, weight): the ethnic groups with most members (General Statistics Office
# codes, Decision 121-TCTK/PPCĐ), roughly in their proportions.
ETHNICITIES = (
    ("01", "Kinh", 853),
    ("02", "Tày", 19),
    ("03", "Thái", 18),
    ("04", "Hoa", 8),
    ("05", "Khơ-me", 14),
    ("06", "Mường", 15),
    ("07", "Nùng", 11),
    ("08", "Mông", 15),
    ("09", "Dao", 9),
    ("10", "Gia-rai", 5),
)
RELIGIONS = (
    ("none", "Không", 860),
    ("buddhism", "Phật giáo", 80),
    ("catholicism", "Công giáo", 40),
    ("caodaism", "Cao Đài", 10),
    ("protestantism", "Tin Lành", 5),
    ("hoa_hao", "Phật giáo Hòa Hảo", 5),
)
NATIONALITY = ("VN", "Việt Nam")
PARENT_RELATIONS = frozenset({"head", "wife", "husband"})


@dataclass(frozen=True)
class Place:
    province_code: str
    province_name: str
    commune_code: str
    commune_name: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "province_code": self.province_code,
            "province_name": self.province_name,
            "commune_code": self.commune_code,
            "commune_name": self.commune_name,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Resident:
    index: int
    id_number: str
    former_id_number: str | None
    family_name: str
    middle_name: str
    given_name: str
    sex: str  # "male" | "female"
    date_of_birth: date
    ethnicity: tuple[str, str]
    religion: tuple[str, str]
    marital_status: str  # single | married | widowed | divorced
    birth_registration_place: Place
    home_town: Place
    permanent_residence: Place
    current_residence: Place
    household: int
    relation_to_head: str  # head | wife | husband | child | mother
    e_id_level: int  # 0: no national e-ID account (under 14), 1 or 2

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    @property
    def age(self) -> int:
        born = self.date_of_birth
        return (
            REFERENCE_DATE.year
            - born.year
            - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day))
        )


@dataclass(frozen=True)
class Household:
    number: int
    members: tuple[Resident, ...]
    father_names: dict[int, str]  # parents outside the population, by member index
    mother_names: dict[int, str]

    @property
    def head(self) -> Resident:
        return self.members[0]

    @property
    def code(self) -> str:
        return f"HK{self.number + 1:08d}"


def normalise_name(value: str) -> str:
    """Compare names as people write them: case, spacing and Unicode form do not count."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


@lru_cache(maxsize=1)
def _communes() -> tuple[tuple[str, str, str], ...]:
    """(commune code, commune name, province code) of every commune, in code order."""
    return tuple(
        (f"{int(w.code):05d}", w.name, f"{int(w.province_code):02d}")
        for w in sorted(Ward.iter_all(), key=lambda w: int(w.code))
    )


@lru_cache(maxsize=1)
def _province_names() -> dict[str, str]:
    return {f"{int(p.code):02d}": p.name for p in Province.iter_all()}


@lru_cache(maxsize=1)
def _communes_by_province() -> dict[str, tuple[tuple[str, str, str], ...]]:
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for commune in _communes():
        grouped.setdefault(commune[2], []).append(commune)
    return {code: tuple(items) for code, items in grouped.items()}


def _weighted(rng: random.Random, table: tuple[tuple[str, str, int], ...]) -> tuple[str, str]:
    code, name, _weight = rng.choices(table, weights=[row[2] for row in table])[0]
    return code, name


class Population:
    """The synthetic residents of one seed. Thread-safe; cheap to create."""

    def __init__(self, *, seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> None:
        if not 1 <= size <= _TAIL_SPACE:
            raise ValueError(f"size must be between 1 and {_TAIL_SPACE}")
        self.seed = seed
        self.size = size
        self._tail_offset = random.Random(f"{seed}:tail").randrange(_TAIL_SPACE)
        self._starts: array[int] | None = None
        self._lock = threading.Lock()
        self.household = lru_cache(maxsize=1024)(self._household)

    # --- households ----------------------------------------------------------------
    def _household_starts(self) -> array[int]:
        if self._starts is None:
            with self._lock:
                if self._starts is None:
                    rng = random.Random(f"{self.seed}:sizes")
                    starts = array("l")
                    position = 0
                    sizes, weights = (1, 2, 3, 4, 5, 6), (12, 20, 25, 25, 12, 6)
                    while position < self.size:
                        starts.append(position)
                        position += rng.choices(sizes, weights)[0]
                    self._starts = starts
        return self._starts

    @property
    def household_count(self) -> int:
        return len(self._household_starts())

    def household_of(self, index: int) -> int:
        return bisect_right(self._household_starts(), index) - 1

    def _household(self, number: int) -> Household:
        starts = self._household_starts()
        start = starts[number]
        end = starts[number + 1] if number + 1 < len(starts) else self.size
        return _build_household(self, number, start, end - start)

    # --- residents -------------------------------------------------------------------
    def id_tail(self, index: int) -> int:
        return (index * _MULTIPLIER + self._tail_offset) % _TAIL_SPACE

    def resident(self, index: int) -> Resident:
        if not 0 <= index < self.size:
            raise IndexError(index)
        household = self.household(self.household_of(index))
        return household.members[index - household.members[0].index]

    def find(self, id_number: str) -> Resident | None:
        """The resident holding ``id_number``, or None."""
        if not (isinstance(id_number, str) and len(id_number) == 12 and id_number.isdigit()):
            return None
        index = ((int(id_number[6:]) - self._tail_offset) * _INVERSE) % _TAIL_SPACE
        if index >= self.size:
            return None
        resident = self.resident(index)
        return resident if resident.id_number == id_number else None

    def lookup(self, *, id_number: str, full_name: str, date_of_birth: date) -> Resident | None:
        """The look-up of the population database: all three must match."""
        resident = self.find(id_number)
        if resident is None:
            return None
        if normalise_name(resident.full_name) != normalise_name(full_name):
            return None
        if resident.date_of_birth != date_of_birth:
            return None
        return resident

    def with_e_id(self, *, offset: int = 0, limit: int = 12) -> list[Resident]:
        """Residents holding a national e-ID account, in index order from ``offset``."""
        found: list[Resident] = []
        index = max(offset, 0)
        while len(found) < limit and index < self.size:
            resident = self.resident(index)
            if resident.e_id_level:
                found.append(resident)
            index += 1
        return found

    def parents_of(
        self, resident: Resident
    ) -> tuple[tuple[str, str | None], tuple[str, str | None]]:
        """((father's name, ID number or None), (mother's name, ID number or None))."""
        household = self.household(resident.household)
        members = household.members
        position = resident.index - members[0].index
        head = members[0]
        spouse = next((m for m in members if m.relation_to_head in {"wife", "husband"}), None)
        father: tuple[str, str | None] = (household.father_names.get(position, ""), None)
        mother: tuple[str, str | None] = (household.mother_names.get(position, ""), None)
        if resident.relation_to_head == "child":
            for parent in (head, spouse):
                if parent is None:
                    continue
                if parent.sex == "male":
                    father = (parent.full_name, parent.id_number)
                else:
                    mother = (parent.full_name, parent.id_number)
        elif resident.relation_to_head == "head":
            grandmother = next((m for m in members if m.relation_to_head == "mother"), None)
            if grandmother is not None:
                mother = (grandmother.full_name, grandmother.id_number)
        return father, mother

    def spouse_of(self, resident: Resident) -> Resident | None:
        if resident.relation_to_head not in {"head", "wife", "husband"}:
            return None
        members = self.household(resident.household).members
        if resident.relation_to_head == "head":
            return next((m for m in members if m.relation_to_head in {"wife", "husband"}), None)
        return members[0]


# --- building one household ---------------------------------------------------------------


def _place(rng: random.Random, province_code: str | None = None) -> Place:
    if province_code is None:
        commune_code, commune_name, province_code = rng.choice(_communes())
    else:
        commune_code, commune_name, _p = rng.choice(_communes_by_province()[province_code])
    return Place(province_code, _province_names()[province_code], commune_code, commune_name)


def _address_detail(rng: random.Random, commune_name: str) -> str:
    if commune_name.startswith(("Phường", "Đặc khu")) or rng.random() < 0.4:
        street = rng.choice(_STREETS)
        if rng.random() < 0.3:
            return f"Số {rng.randint(1, 80)}, ngõ {rng.randint(1, 400)} {street}"
        return f"Số {rng.randint(1, 400)} {street}"
    hamlet = rng.choice(("Thôn", "Xóm", "Ấp", "Bản", "Tổ dân phố"))
    return f"{hamlet} {rng.randint(1, 15)}"


def _name(rng: random.Random, sex: str, family: str | None = None) -> tuple[str, str, str]:
    family = family or rng.choices(_FAMILY_NAMES, _FAMILY_WEIGHTS)[0]
    middles, givens = (
        (_MIDDLE_MALE, _GIVEN_MALE) if sex == "male" else (_MIDDLE_FEMALE, _GIVEN_FEMALE)
    )
    middle = rng.choice(middles)
    given = rng.choice([g for g in givens if g != middle])
    return family, middle, given


def _birth_date(rng: random.Random, age: int) -> date:
    """A birthday such that the person is ``age`` on the reference date."""
    latest = date(REFERENCE_DATE.year - age, REFERENCE_DATE.month, REFERENCE_DATE.day)
    return latest - timedelta(days=rng.randrange(365))


def _build_household(population: Population, number: int, start: int, size: int) -> Household:
    rng = random.Random(f"{population.seed}:household:{number}")
    home = _place(rng)
    home = Place(
        home.province_code,
        home.province_name,
        home.commune_code,
        home.commune_name,
        _address_detail(rng, home.commune_name),
    )
    ethnicity = _weighted(rng, ETHNICITIES)
    religion = _weighted(rng, RELIGIONS)

    # Who lives here: (relation, sex, age), the head first.
    kind = "single"
    if size >= 2:
        roll = rng.random()
        if size == 2:
            kind = "couple" if roll < 0.6 else ("single_parent" if roll < 0.85 else "with_mother")
        else:
            kind = (
                "family"
                if roll < 0.65
                else ("three_generations" if roll < 0.9 else "single_parent")
            )
    children = {"single": 0, "couple": 0, "with_mother": 0}.get(kind, size - 2)
    if kind == "single_parent":
        children = size - 1
    if kind == "three_generations":
        children = size - 3
    has_spouse = kind in {"couple", "family", "three_generations"}
    has_mother = kind in {"with_mother", "three_generations"}

    head_sex = "male" if rng.random() < (0.7 if has_spouse else 0.5) else "female"
    head_age = rng.randint(20, 85) if not children else rng.randint(22, 60)
    if has_mother:
        head_age = min(head_age, 70)
    spouse_age = max(20, head_age + rng.randint(-6, 6)) if has_spouse else 0
    youngest_parent = min(head_age, spouse_age) if has_spouse else head_age
    child_ages = sorted(
        (rng.randint(0, max(0, youngest_parent - 20)) for _ in range(children)), reverse=True
    )
    plan: list[tuple[str, str, int]] = [("head", head_sex, head_age)]
    if has_spouse:
        plan.append(
            (
                "wife" if head_sex == "male" else "husband",
                "female" if head_sex == "male" else "male",
                spouse_age,
            )
        )
    plan += [("child", rng.choice(("male", "female")), age) for age in child_ages]
    if has_mother:
        plan.append(("mother", "female", min(100, head_age + rng.randint(18, 35))))

    head_family = rng.choices(_FAMILY_NAMES, _FAMILY_WEIGHTS)[0]
    father_family = head_family if head_sex == "male" or not has_spouse else None
    members: list[Resident] = []
    father_names: dict[int, str] = {}
    mother_names: dict[int, str] = {}
    spouse_family = None
    for position, (relation, sex, age) in enumerate(plan):
        index = start + position
        prng = random.Random(f"{population.seed}:resident:{index}")
        if relation == "head":
            family, middle, given = _name(prng, sex, head_family)
        elif relation in {"wife", "husband"}:
            family, middle, given = _name(prng, sex)
            spouse_family = family
            if sex == "male":
                father_family = family
        elif relation == "child":
            family, middle, given = _name(prng, sex, father_family or spouse_family)
            if father_family is None:  # a single mother: children carry her family name
                family = head_family
        else:  # the head's mother
            family, middle, given = _name(prng, sex)
        born = _birth_date(prng, age)
        if relation == "child":
            birth_place = _place(prng, home.province_code)
            fathers = [m for m in members if m.relation_to_head != "child" and m.sex == "male"]
            home_town = (fathers[0] if fathers else members[0]).home_town
        else:
            home_town = _place(prng)
            birth_place = home_town if prng.random() < 0.8 else _place(prng)
        old_code = prng.choice(OLD_CODES_OF_PROVINCE[birth_place.province_code])
        century_digit = {1900: 0, 2000: 2}[born.year // 100 * 100] + (sex == "female")
        id_number = f"{old_code}{century_digit}{born.year % 100:02d}{population.id_tail(index):06d}"
        if relation in {"head"} and not has_spouse:
            marital = "single" if age < 30 else prng.choice(("single", "widowed", "divorced"))
            if kind == "single_parent":
                marital = prng.choice(("widowed", "divorced"))
        elif relation in {"head", "wife", "husband"}:
            marital = "married"
        elif relation == "mother":
            marital = "widowed"
        else:
            marital = "single"
        current = home
        if age >= 18 and prng.random() < 0.08:
            elsewhere = _place(prng)
            current = Place(
                elsewhere.province_code,
                elsewhere.province_name,
                elsewhere.commune_code,
                elsewhere.commune_name,
                _address_detail(prng, elsewhere.commune_name),
            )
        level = 0 if age < 14 else (2 if prng.random() < 0.85 else 1)
        former = f"{prng.randrange(10**8, 10**9)}" if born.year < 1995 else None
        member = Resident(
            index=index,
            id_number=id_number,
            former_id_number=former,
            family_name=family,
            middle_name=middle,
            given_name=given,
            sex=sex,
            date_of_birth=born,
            ethnicity=ethnicity,
            religion=religion if prng.random() < 0.9 else _weighted(prng, RELIGIONS),
            marital_status=marital,
            birth_registration_place=birth_place,
            home_town=home_town,
            permanent_residence=home,
            current_residence=current,
            household=number,
            relation_to_head=relation,
            e_id_level=level,
        )
        members.append(member)
        # Parents who are not members: names only (a person carries the father's family name).
        if relation != "child":
            father_names[position] = " ".join(_name(prng, "male", family))
            mother_names[position] = " ".join(_name(prng, "female"))
        else:
            parent_sexes = {m.sex for m in members if m.relation_to_head in PARENT_RELATIONS}
            if "male" not in parent_sexes:
                father_names[position] = " ".join(_name(prng, "male", family))
            if "female" not in parent_sexes:
                mother_names[position] = " ".join(_name(prng, "female"))
    return Household(number, tuple(members), father_names, mother_names)


@lru_cache(maxsize=4)
def population(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> Population:
    """The shared population of ``seed`` (one per process)."""
    return Population(seed=seed, size=size)
