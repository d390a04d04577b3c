"""The demo dossiers: who applied for what, where, and what happened to it when.

Forty-one dossiers at four receiving units — the one-stop sections of Phường Hoàn Kiếm
and Phường Cửa Nam and the Public Administration Service Centre of Hà Nội, and the
one-stop section of Phường Hải Châu, Đà Nẵng — for real procedures of the seed catalog
(birth and marriage registration, marital status certificate, judicial record,
permanent residence, absence declaration, household business registration). Together
they reach every status of the lifecycle, some overdue, some due today (when today is a
working day: due instants never fall on a day off).

Times are given relative to now: ``tb.at(3, "08:40")`` is 08:40 on the third working
day before today in that province, ``tb.ago(25)`` twenty-five minutes ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from motcua.core.calendar import VN_TZ, WorkCalendar
from motcua.demo.people import CHILD_NAMES, PARTNERS, PEOPLE, Person
from motcua.units.selectors import work_calendar

T = TypeVar("T")

BIRTH = "1.001193"  # Đăng ký khai sinh
MARRIAGE = "1.000894"  # Đăng ký kết hôn
MARITAL = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân
JUDICIAL = "3.000333"  # Cấp Phiếu lý lịch tư pháp
RESIDENCE = "1.004222"  # Đăng ký thường trú
ABSENCE = "1.003677"  # Khai báo tạm vắng
BUSINESS = "1.001612"  # Đăng ký thành lập hộ kinh doanh


@dataclass(frozen=True)
class Office:
    """A receiving unit and the demo officers who work the dossiers it receives."""

    key: str
    receiving: str
    reception: str
    specialist: str
    leader: str
    province: str


OFFICES = {
    o.key: o
    for o in [
        Office(
            "hk", "H01.00070.MC", "motcua.hoankiem", "chuyenvien.hoankiem", "lanhdao.hoankiem", "01"
        ),
        Office("cn", "H01.00073.MC", "motcua.cuanam", "chuyenvien.cuanam", "lanhdao.cuanam", "01"),
        Office(
            "hn", "H01.TTPVHCC", "motcua.ttpvhcc.hanoi", "chuyenvien.hanoi", "lanhdao.hanoi", "01"
        ),
        Office(
            "hc", "H48.20242.MC", "motcua.haichau", "chuyenvien.haichau", "lanhdao.haichau", "48"
        ),
    ]
}
HOSPITALS = {"01": "Bệnh viện Phụ sản Hà Nội", "48": "Bệnh viện Phụ sản – Nhi Đà Nẵng"}
BIRTH_PROVINCES = {
    "001": "Hà Nội",
    "031": "Hải Phòng",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "079": "Thành phố Hồ Chí Minh",
}


@dataclass(frozen=True)
class Step:
    action: str
    actor: str  # "applicant", "reception", "specialist", "leader", or "<office>.<role>"
    at: datetime
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    office: str
    person: str
    procedure: str
    channel: str
    submitted: datetime
    steps: tuple[Step, ...] = ()
    case: str = "1"

    @property
    def key(self) -> tuple[str, str, str]:
        """Identifies the demo dossier (idempotent loading): who, what, where."""
        return (self.person, self.procedure, OFFICES[self.office].receiving)

    @property
    def submitter(self) -> str:
        return "applicant" if self.channel == "online" else "reception"


class Timebase:
    """Instants relative to now on a province's working calendar."""

    def __init__(self, now: datetime, calendar: WorkCalendar) -> None:
        self.now = now.astimezone(VN_TZ)
        self.calendar = calendar

    def day(self, n: int) -> date:
        """The n-th working day before today."""
        day = self.now.date()
        for _ in range(n):
            day -= timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def at(self, n: int, hhmm: str, minutes: int = 0) -> datetime:
        moment = datetime.combine(self.day(n), time.fromisoformat(hhmm), tzinfo=VN_TZ)
        return moment + timedelta(minutes=minutes)

    def ago(self, minutes: int) -> datetime:
        return self.now - timedelta(minutes=minutes)

    def due_today(self) -> str:
        """A reception time on the last working day that makes a one-day dossier due today,
        an hour or so after now (within office hours)."""
        wanted = (self.now + timedelta(minutes=60)).time()
        clamped = min(max(wanted, time(7, 15)), time(16, 45))
        return clamped.strftime("%H:%M")


# --- e-form data per procedure ----------------------------------------------------------
def _requester(p: Person, *, sex: bool = True, born: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_full_name": p.name,
        "requester_id_number": p.id_number,
        "requester_phone": p.phone,
    }
    if born:
        data["requester_date_of_birth"] = p.born.isoformat()
    if sex:
        data["requester_sex"] = "nu" if p.female else "nam"
    return data


def _pick(options: list[T], p: Person) -> T:
    """One of ``options``, always the same for a person."""
    return options[int(p.serial) % len(options)]


def form_data(procedure: str, p: Person, province: str, today: date) -> dict[str, Any]:
    """Valid e-form data for the seed catalog's form of ``procedure``."""
    partner = _pick(PARTNERS[p.female], p)
    if procedure == BIRTH:
        girl = int(p.serial) % 2 == 0
        father_family = partner.split()[0] if p.female else p.family_name
        return {
            **_requester(p, sex=False, born=False),
            "requester_residence": p.address,
            "relation_to_child": "Mẹ" if p.female else "Cha",
            "child_full_name": f"{father_family} {_pick(CHILD_NAMES[girl], p)}",
            "child_date_of_birth": (today - timedelta(days=18)).isoformat(),
            "child_sex": "nu" if girl else "nam",
            "child_birth_place": HOSPITALS[province],
            "mother_full_name": p.name if p.female else partner,
            "father_full_name": partner if p.female else p.name,
            "parents_marriage_registered": True,
        }
    if procedure == MARRIAGE:
        partner_born = date(p.born.year + 1, 3, 15).isoformat()
        me = {"full_name": p.name, "date_of_birth": p.born.isoformat()}
        them = {"full_name": partner, "date_of_birth": partner_born}
        bride, groom = (me, them) if p.female else (them, me)
        return {
            **_requester(p, sex=False, born=False),
            "requester_residence": p.address,
            "applicant_side": "Bên nữ" if p.female else "Bên nam",
            "bride_full_name": bride["full_name"],
            "bride_date_of_birth": bride["date_of_birth"],
            "groom_full_name": groom["full_name"],
            "groom_date_of_birth": groom["date_of_birth"],
            "voluntary_declaration": True,
        }
    if procedure == MARITAL:
        purposes = ["Đăng ký kết hôn", "Vay vốn ngân hàng", "Mua bán, chuyển nhượng tài sản"]
        purpose = _pick(purposes, p)
        return {
            **_requester(p),
            "requester_residence": p.address,
            "marital_status": "Chưa đăng ký kết hôn với ai",
            "purpose": purpose,
            "copies_requested": 2,
        }
    if procedure == JUDICIAL:
        return {
            **_requester(p),
            "requester_residence": p.address,
            "birth_place": BIRTH_PROVINCES[p.birth_province],
            "nationality": "Việt Nam",
            "purpose": _pick(["Bổ sung hồ sơ xin việc", "Làm thủ tục xin thị thực du học"], p),
            "copies_requested": 2,
            "receive_method": "Nhận bản điện tử qua Kho quản lý dữ liệu điện tử",
        }
    if procedure == RESIDENCE:
        return {
            **_requester(p),
            "requester_residence": p.address,
            "request_content": "Đăng ký thường trú vào chỗ ở hợp pháp",
            "new_address": p.address,
            "residence_basis": _pick(
                [
                    "Chỗ ở hợp pháp thuộc quyền sở hữu của mình",
                    "Về ở với vợ/chồng, cha/mẹ, con, ông/bà, anh/chị/em ruột "
                    "(khoản 2 Điều 20 Luật Cư trú)",
                ],
                p,
            ),
        }
    if procedure == ABSENCE:
        return {
            **_requester(p),
            "requester_residence": p.address,
            "absence_reason": "Đi làm việc theo hợp đồng lao động tại tỉnh khác",
            "absence_from": (today + timedelta(days=5)).isoformat(),
            "absence_to": (today + timedelta(days=400)).isoformat(),
            "destination_address": "Khu công nghiệp VSIP, phường Thuận An, Thành phố Hồ Chí Minh",
        }
    if procedure == BUSINESS:
        trade = _pick(
            [
                ("Phở", "5610 – Nhà hàng và các dịch vụ ăn uống phục vụ lưu động", "5610"),
                ("Cà phê", "5630 – Dịch vụ phục vụ đồ uống", "5630"),
                ("Tạp hóa", "4711 – Bán lẻ lương thực, thực phẩm trong cửa hàng", "4711"),
            ],
            p,
        )
        return {
            "owner_full_name": p.name,
            "owner_id_number": p.id_number,
            "owner_date_of_birth": p.born.isoformat(),
            "owner_sex": "nu" if p.female else "nam",
            "owner_residence": p.address,
            "owner_phone": p.phone,
            "business_name": f"Hộ kinh doanh {trade[0]} {p.name.split()[-1]}",
            "business_address": p.address,
            "business_lines": trade[1],
            "main_business_code": trade[2],
            "capital": 150_000_000,
            "employee_count": 3,
            "tax_method": "Khoán",
        }
    raise ValueError(f"no demo form for {procedure}")


# --- the stories ------------------------------------------------------------------------
R, SP, L, A = "reception", "specialist", "leader", "applicant"
ITEMS = {
    BIRTH: ["Giấy chứng sinh bản chính (bản chụp đã nộp không đọc được số giấy)"],
    MARITAL: ["Bản sao trích lục ghi chú ly hôn", "Tờ khai có chữ ký của người yêu cầu"],
    BUSINESS: ["Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh"],
    RESIDENCE: ["Hợp đồng cho ở nhờ có công chứng", "Ý kiến đồng ý của chủ hộ"],
}


def scenarios(now: datetime) -> list[Scenario]:
    t = Timebase(now, work_calendar("01"))  # Hà Nội
    d = Timebase(now, work_calendar("48"))  # Đà Nẵng
    due_hn = t.due_today()
    fwd = {"note": "Chuyển chuyên viên thụ lý"}
    ok = {"note": "Đồng ý, trình ký"}
    return [
        # --- new: waiting at the counter (submitted online)
        Scenario("hk", "lan", BIRTH, "online", t.ago(25)),
        Scenario("hk", "mai", MARITAL, "online", t.ago(140)),
        Scenario("cn", "son", RESIDENCE, "online", t.at(1, "20:15")),
        Scenario("hc", "long", BUSINESS, "online", d.ago(70)),
        Scenario("hn", "tuan", JUDICIAL, "online", t.ago(50)),
        # --- received: waiting to be handed to the specialist
        Scenario(
            "hk", "thao", ABSENCE, "online", t.at(1, due_hn, -25),
            (Step("receive", R, t.at(1, due_hn)),), case="2",
        ),  # due today
        Scenario(
            "cn", "yen", MARITAL, "in_person", t.at(1, "09:10"),
            (Step("receive", R, t.at(1, "09:25")),),
        ),
        Scenario(
            "hc", "bao", MARRIAGE, "online", d.at(2, "07:45"),
            (Step("receive", R, d.at(2, "08:05")),), case="2",
        ),
        Scenario(
            "hn", "hieu", JUDICIAL, "online", t.at(2, "21:40"),
            (Step("receive", R, t.at(1, "08:10")),),
        ),
        # --- refused at the counter
        Scenario(
            "hk", "quang", RESIDENCE, "online", t.at(4, "10:02"),
            (Step("refuse", R, t.at(4, "14:20"), {"reason": "Chỗ ở đề nghị đăng ký không thuộc "
                  "địa bàn phường Hoàn Kiếm; đề nghị nộp tại UBND phường nơi có chỗ ở."}),),
        ),
        Scenario(
            "cn", "trang", BIRTH, "online", t.at(2, "22:30"),
            (Step("refuse", R, t.at(1, "07:40"), {"reason": "Giấy chứng sinh tải lên là của "
                  "trẻ khác (không trùng họ tên mẹ); đề nghị nộp lại hồ sơ."}),),
        ),
        Scenario(
            "hc", "nhung", MARITAL, "online", d.at(3, "15:12"),
            (Step("refuse", R, d.at(3, "16:05"), {"reason": "Người yêu cầu không cư trú tại "
                  "phường Hải Châu (thẩm quyền của UBND phường nơi cư trú)."}),),
        ),
        # --- processing
        Scenario(
            "hk", "hung", BIRTH, "in_person", t.at(3, "08:20"),
            (Step("receive", R, t.at(3, "08:30")), Step("forward", R, t.at(3, "08:45"), fwd)),
        ),  # same-day procedure, three days late
        Scenario(
            "hk", "nam", RESIDENCE, "online", t.at(13, "16:30"),
            (Step("receive", R, t.at(12, "08:15")), Step("forward", R, t.at(12, "09:00"), fwd)),
        ),  # 7 working days: overdue
        Scenario(
            "hk", "huong", MARRIAGE, "in_person", t.at(2, "09:30"),
            (
                Step("receive", R, t.at(2, "09:40")),
                Step("forward", R, t.at(2, "10:00"), fwd),
                Step("forward", SP, t.at(2, "14:10"), {"to_unit": "H01.00073",
                     "note": "Đề nghị UBND phường Cửa Nam xác minh tình trạng hôn nhân bên nam"}),
            ),
            case="2",
        ),  # now with Cửa Nam, Hoàn Kiếm supports
        Scenario(
            "hk", "duc", BUSINESS, "online", t.at(2, "13:50"),
            (
                Step("receive", R, t.at(2, "14:00")),
                Step("forward", R, t.at(2, "14:15"), fwd),
                Step("forward", SP, t.at(1, "10:30"), {"note": "Trình lãnh đạo phê duyệt"}),
                Step("approve", L, t.at(1, "15:45"), ok),
            ),
        ),
        Scenario(
            "cn", "khanh", ABSENCE, "online", t.at(1, due_hn, -40),
            (Step("receive", R, t.at(1, due_hn)), Step("forward", R, t.at(1, due_hn, 10), fwd)),
            case="2",
        ),  # due today
        Scenario(
            "cn", "phong", RESIDENCE, "in_person", t.at(4, "08:00"),
            (
                Step("receive", R, t.at(4, "08:20")),
                Step("forward", R, t.at(4, "09:00"), fwd),
                Step("forward", SP, t.at(3, "16:00"), {"note": "Trình ký"}),
                Step("send_back", L, t.at(2, "10:15"), {"reason": "Đề nghị chuyên viên kiểm "
                     "tra lại diện tích nhà ở bình quân theo quy định của Hội đồng nhân dân "
                     "thành phố."}),
            ),
        ),
        Scenario(
            "hc", "an", BIRTH, "online", d.at(1, "15:40"),
            (Step("receive", R, d.at(1, "16:10")), Step("forward", R, d.at(1, "16:20"), fwd)),
        ),  # received after 15:00: due at the close of the next working day (today)
        Scenario(
            "hc", "hieu", RESIDENCE, "in_person", d.at(6, "09:00"),
            (
                Step("receive", R, d.at(6, "09:10")),
                Step("forward", R, d.at(6, "09:40"), fwd),
                Step("apologise_extend", SP, d.at(1, "10:00"), {"working_days": 3, "reason":
                     "Cần xác minh thêm quyền sở hữu nhà với Văn phòng đăng ký đất đai; xin lỗi "
                     "ông/bà vì sự chậm trễ."}),
            ),
        ),
        # --- supplement requested (the clock is paused)
        Scenario(
            "hk", "ngoc", BIRTH, "online", t.at(2, "08:45"),
            (
                Step("receive", R, t.at(2, "09:00")),
                Step("request_supplement", R, t.at(2, "09:30"), {"reason": "Hồ sơ chưa đầy "
                     "đủ, chưa hợp lệ", "items": ITEMS[BIRTH]}),
            ),
        ),
        Scenario(
            "cn", "ha", MARITAL, "online", t.at(3, "10:20"),
            (
                Step("receive", R, t.at(3, "10:35")),
                Step("forward", R, t.at(3, "11:00"), fwd),
                Step("request_supplement", SP, t.at(2, "15:30"), {"reason": "Người yêu cầu đã "
                     "ly hôn nhưng chưa nộp giấy tờ chứng minh", "items": ITEMS[MARITAL]}),
            ),
        ),
        Scenario(
            "hc", "dung", BUSINESS, "online", d.at(1, "08:05"),
            (
                Step("receive", R, d.at(1, "08:30")),
                Step("request_supplement", R, d.at(1, "09:10"), {"reason": "Hộ kinh doanh do "
                     "các thành viên hộ gia đình thành lập", "items": ITEMS[BUSINESS]}),
            ),
        ),
        # --- awaiting payment of the fee
        Scenario(
            "hn", "lan", JUDICIAL, "online", t.at(3, "07:55"),
            (
                Step("receive", R, t.at(3, "08:20")),
                Step("request_payment", R, t.at(3, "08:25"), {"amount": 200_000,
                     "note": "Phí cấp Phiếu lý lịch tư pháp"}),
            ),
        ),
        Scenario(
            "hn", "linh", JUDICIAL, "in_person", t.at(1, "10:00"),
            (
                Step("receive", R, t.at(1, "10:12")),
                Step("forward", R, t.at(1, "10:30"), fwd),
                Step("request_payment", SP, t.at(1, "14:00"), {"amount": 205_000,
                     "note": "Phí cấp phiếu và phí cấp thêm 01 phiếu"}),
            ),
        ),
        Scenario(
            "hk", "tuan", MARITAL, "in_person", t.at(1, "08:50"),
            (
                Step("receive", R, t.at(1, "09:00")),
                Step("request_payment", R, t.at(1, "09:05"), {"amount": 5_000,
                     "note": "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân"}),
            ),
        ),
        # --- withdrawn by the applicant
        Scenario(
            "hk", "thao", BUSINESS, "online", t.at(5, "11:10"),
            (Step("withdraw", A, t.at(5, "13:45"), {"reason": "Nộp nhầm thủ tục"}),),
        ),
        Scenario(
            "cn", "linh", BIRTH, "online", t.at(4, "09:00"),
            (
                Step("receive", R, t.at(4, "09:20")),
                Step("withdraw", A, t.at(3, "08:10"), {"reason": "Gia đình về quê ngoại "
                     "đăng ký khai sinh cho cháu"}),
            ),
        ),
        Scenario(
            "hc", "kiet", RESIDENCE, "online", d.at(5, "10:00"),
            (
                Step("receive", R, d.at(5, "10:30")),
                Step("request_supplement", R, d.at(4, "09:00"), {"reason": "Thiếu giấy tờ "
                     "chứng minh chỗ ở hợp pháp", "items": ITEMS[RESIDENCE]}),
                Step("withdraw", A, d.at(2, "16:20"), {"reason": "Chủ nhà không đồng ý cho "
                     "đăng ký thường trú"}),
            ),
        ),
        # --- stopped by the leader
        Scenario(
            "hk", "quang", MARITAL, "in_person", t.at(8, "14:00"),
            (
                Step("receive", R, t.at(8, "14:10")),
                Step("forward", R, t.at(8, "14:30"), fwd),
                Step("stop", L, t.at(3, "11:00"), {"reason": "Kết quả xác minh cho thấy người "
                     "yêu cầu đang có vợ: không đủ điều kiện cấp xác nhận theo nội dung đề nghị."}),
            ),
        ),
        Scenario(
            "hc", "tam", MARRIAGE, "in_person", d.at(6, "08:30"),
            (
                Step("receive", R, d.at(6, "08:45")),
                Step("forward", R, d.at(6, "09:00"), fwd),
                Step("stop", L, d.at(2, "10:00"), {"reason": "Bên nam chưa đủ điều kiện kết "
                     "hôn theo kết quả xác minh (đang có vợ)."}),
            ),
            case="2",
        ),
        # --- result ready, waiting to be returned
        Scenario(
            "hk", "mai", BIRTH, "online", t.at(1, "07:50"),
            (
                Step("receive", R, t.at(1, "08:15")),
                Step("forward", R, t.at(1, "08:30"), fwd),
                Step("forward", SP, t.at(1, "09:40"), {"note": "Trình ký"}),
                Step("approve", L, t.at(1, "10:00"), ok),
                Step("mark_result_ready", SP, t.at(1, "10:20")),
            ),
        ),
        Scenario(
            "cn", "vinh", ABSENCE, "online", t.at(3, "16:00"),
            (
                Step("receive", R, t.at(2, "07:35")),
                Step("forward", R, t.at(2, "08:00"), fwd),
                Step("approve", L, t.at(2, "14:00"), ok),
                Step("mark_result_ready", SP, t.at(2, "14:30")),
            ),
            case="2",
        ),
        Scenario(
            "hn", "quang", JUDICIAL, "online", t.at(9, "09:00"),
            (
                Step("receive", R, t.at(9, "09:15")),
                Step("request_payment", R, t.at(9, "09:20"), {"amount": 200_000}),
                Step("confirm_payment", R, t.at(9, "09:50"), {"receipt": "BLĐT-2025-0091337"}),
                Step("forward", R, t.at(9, "10:10"), fwd),
                Step("approve", L, t.at(2, "15:00"), ok),
                Step("mark_result_ready", SP, t.at(1, "08:30")),
            ),
        ),
        Scenario(
            "hc", "long", MARITAL, "in_person", d.at(3, "13:40"),
            (
                Step("receive", R, d.at(3, "14:00")),
                Step("forward", R, d.at(3, "14:20"), fwd),
                Step("approve", L, d.at(1, "09:00"), ok),
                Step("mark_result_ready", SP, d.at(1, "09:30")),
            ),
        ),
        # --- result returned
        Scenario(
            "hk", "huong", MARITAL, "in_person", t.at(6, "08:00"),
            (
                Step("receive", R, t.at(6, "08:10")),
                Step("forward", R, t.at(6, "08:30"), fwd),
                Step("approve", L, t.at(4, "15:00"), ok),
                Step("mark_result_ready", SP, t.at(4, "15:30")),
                Step("return_result", R, t.at(3, "09:00"), {"method": "counter"}),
            ),
        ),
        Scenario(
            "hk", "duc", BIRTH, "post", t.at(10, "10:00"),
            (
                Step("receive", R, t.at(10, "10:20")),
                Step("forward", R, t.at(10, "10:40"), fwd),
                Step("approve", L, t.at(9, "09:30"), ok),
                Step("mark_result_ready", SP, t.at(9, "10:00")),
                Step("return_result", R, t.at(9, "14:00"), {"method": "post"}),
            ),
        ),  # same-day procedure, returned a day late
        Scenario(
            "cn", "son", MARITAL, "online", t.at(14, "08:30"),
            (
                Step("receive", R, t.at(14, "09:00")),
                Step("forward", R, t.at(14, "09:30"), fwd),
                Step("approve", L, t.at(12, "10:00"), ok),
                Step("mark_result_ready", SP, t.at(12, "10:30")),
                Step("return_result", R, t.at(12, "10:35"), {"method": "warehouse"}),
            ),
        ),
        Scenario(
            "hn", "phong", JUDICIAL, "online", t.at(15, "08:00"),
            (
                Step("receive", R, t.at(15, "08:30")),
                Step("request_payment", R, t.at(15, "08:35"), {"amount": 200_000}),
                Step("confirm_payment", R, t.at(15, "09:05"), {"receipt": "BLĐT-2025-0088412"}),
                Step("forward", R, t.at(15, "09:30"), fwd),
                Step("approve", L, t.at(8, "14:00"), ok),
                Step("mark_result_ready", SP, t.at(8, "14:20")),
                Step("return_result", R, t.at(7, "09:00"), {"method": "post"}),
            ),
        ),
        Scenario(
            "hc", "an", MARITAL, "online", d.at(5, "07:30"),
            (
                Step("receive", R, d.at(5, "07:45")),
                Step("forward", R, d.at(5, "08:00"), fwd),
                Step("approve", L, d.at(4, "10:00"), ok),
                Step("mark_result_ready", SP, d.at(4, "10:15")),
                Step("return_result", R, d.at(4, "10:20"), {"method": "warehouse"}),
            ),
        ),
        Scenario(
            "hc", "bao", BUSINESS, "in_person", d.at(8, "09:00"),
            (
                Step("receive", R, d.at(8, "09:20")),
                Step("request_supplement", R, d.at(7, "10:00"), {"reason": "Thiếu biên bản "
                     "họp hộ gia đình", "items": ITEMS[BUSINESS]}),
                Step("supplement", R, d.at(5, "08:30"), {"note": "Đã nộp bổ sung tại quầy"}),
                Step("forward", R, d.at(5, "09:00"), fwd),
                Step("approve", L, d.at(3, "14:00"), ok),
                Step("mark_result_ready", SP, d.at(3, "14:30")),
                Step("return_result", R, d.at(2, "08:00"), {"method": "counter"}),
            ),
        ),
    ]  # fmt: skip


def people_used() -> list[Person]:
    return list(PEOPLE.values())
