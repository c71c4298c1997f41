"""The JT/T 808 terminal parameter table (spec §5.5), as data.

Each :class:`ParameterSpec` gives a parameter id its snake_case name, wire type, unit and
meaning. ``versions`` lists the protocol versions that define it (most exist in all three;
the table marks the ones the digest says were added or dropped). Vendor parameters
(0xF000–0xFFFF) and ids missing here travel as raw bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

ALL: Final = frozenset({"2011", "2013", "2019"})
SINCE_2013: Final = frozenset({"2013", "2019"})
UNTIL_2013: Final = frozenset({"2011", "2013"})
ONLY_2019: Final = frozenset({"2019"})


class ParamType(StrEnum):
    """Wire type of a parameter value."""

    BYTE = "BYTE"
    WORD = "WORD"
    DWORD = "DWORD"
    STRING = "STRING"
    BYTES = "BYTE[n]"


INT_SIZES: Final = {ParamType.BYTE: 1, ParamType.WORD: 2, ParamType.DWORD: 4}
"""Byte size of the integer types."""


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One terminal parameter. ``size`` is the fixed length of a BYTE[n] value."""

    param_id: int
    name: str
    type: ParamType
    unit: str
    description: str
    size: int | None = None
    versions: frozenset[str] = ALL


def _spec(
    param_id: int,
    name: str,
    kind: ParamType,
    unit: str,
    description: str,
    versions: frozenset[str] = ALL,
    size: int | None = None,
) -> ParameterSpec:
    return ParameterSpec(param_id, name, kind, unit, description, size, versions)


B, W, D, S, N = ParamType.BYTE, ParamType.WORD, ParamType.DWORD, ParamType.STRING, ParamType.BYTES
PARAMETERS: Final[tuple[ParameterSpec, ...]] = (
    _spec(0x0001, "heartbeat_interval", D, "s", "terminal heartbeat interval"),
    _spec(0x0002, "tcp_reply_timeout", D, "s", "TCP reply time-out"),
    _spec(0x0003, "tcp_retries", D, "count", "TCP retransmissions"),
    _spec(0x0004, "udp_reply_timeout", D, "s", "UDP reply time-out"),
    _spec(0x0005, "udp_retries", D, "count", "UDP retransmissions"),
    _spec(0x0006, "sms_reply_timeout", D, "s", "SMS reply time-out"),
    _spec(0x0007, "sms_retries", D, "count", "SMS retransmissions"),
    _spec(0x0010, "main_server_apn", S, "", "main server APN (dial-up access point)"),
    _spec(0x0011, "main_server_user", S, "", "main server dial-up user"),
    _spec(0x0012, "main_server_password", S, "", "main server dial-up password"),
    _spec(0x0013, "main_server_address", S, "", "main server IP or domain (2019: host:port;...)"),
    _spec(0x0014, "backup_server_apn", S, "", "backup server APN"),
    _spec(0x0015, "backup_server_user", S, "", "backup server dial-up user"),
    _spec(0x0016, "backup_server_password", S, "", "backup server dial-up password"),
    _spec(0x0017, "backup_server_address", S, "", "backup server IP or domain"),
    _spec(0x0018, "server_tcp_port", D, "", "server TCP port (in 0x0013 since 2019)", UNTIL_2013),
    _spec(0x0019, "server_udp_port", D, "", "server UDP port (in 0x0013 since 2019)", UNTIL_2013),
    _spec(0x001A, "ic_auth_server_address", S, "", "IC-card auth server IP or domain", SINCE_2013),
    _spec(0x001B, "ic_auth_server_tcp_port", D, "", "IC-card auth server TCP port", SINCE_2013),
    _spec(0x001C, "ic_auth_server_udp_port", D, "", "IC-card auth server UDP port", SINCE_2013),
    _spec(0x001D, "ic_auth_backup_address", S, "", "IC-card auth backup server", SINCE_2013),
    _spec(0x0020, "report_strategy", D, "", "0 by time, 1 by distance, 2 time and distance"),
    _spec(0x0021, "report_scheme", D, "", "0 by ACC state; 1 by login state, then ACC"),
    _spec(0x0022, "logged_out_report_interval", D, "s", "interval, driver not logged in"),
    _spec(0x0023, "slave_server_apn", S, "", "slave server APN (empty: as main)", ONLY_2019),
    _spec(0x0024, "slave_server_user", S, "", "slave server dial-up user", ONLY_2019),
    _spec(0x0025, "slave_server_password", S, "", "slave server dial-up password", ONLY_2019),
    _spec(0x0026, "slave_server_address", S, "", "slave server host:port;...", ONLY_2019),
    _spec(0x0027, "sleep_report_interval", D, "s", "report interval while asleep"),
    _spec(0x0028, "emergency_report_interval", D, "s", "report interval during an emergency alarm"),
    _spec(0x0029, "default_report_interval", D, "s", "default report interval"),
    _spec(0x002C, "default_report_distance", D, "m", "default distance interval"),
    _spec(0x002D, "logged_out_report_distance", D, "m", "distance interval, driver not logged in"),
    _spec(0x002E, "sleep_report_distance", D, "m", "distance interval while asleep"),
    _spec(0x002F, "emergency_report_distance", D, "m", "distance interval during an emergency"),
    _spec(0x0030, "corner_resend_angle", D, "degrees", "corner-point re-send angle (< 180)"),
    _spec(0x0031, "geofence_radius", W, "m", "illegal-displacement threshold", SINCE_2013),
    _spec(0x0032, "illegal_driving_window", N, "", "start HH MM, end HH MM", ONLY_2019, 4),
    _spec(0x0040, "platform_phone", S, "", "monitoring platform phone number"),
    _spec(0x0041, "reset_phone", S, "", "phone number that resets the terminal"),
    _spec(0x0042, "factory_reset_phone", S, "", "phone number that factory-resets the terminal"),
    _spec(0x0043, "platform_sms_phone", S, "", "platform SMS number"),
    _spec(0x0044, "alarm_sms_phone", S, "", "number receiving SMS text alarms"),
    _spec(0x0045, "call_answer_policy", D, "", "0 answer automatically, 1 only with ACC on"),
    _spec(0x0046, "max_call_time", D, "s", "longest call (0 none, 0xFFFFFFFF unlimited)"),
    _spec(0x0047, "max_monthly_call_time", D, "s", "call time per month"),
    _spec(0x0048, "monitor_phone", S, "", "listen-in phone number"),
    _spec(0x0049, "privileged_sms_phone", S, "", "supervision platform privileged SMS number"),
    _spec(0x0050, "alarm_mask", D, "", "alarm mask (alarm-flag bit layout; 1 = ignored)"),
    _spec(0x0051, "alarm_sms_switch", D, "", "alarm bits that send an SMS"),
    _spec(0x0052, "alarm_photo_switch", D, "", "alarm bits that take a photo"),
    _spec(0x0053, "alarm_photo_store_flags", D, "", "alarm bits whose photos are stored"),
    _spec(0x0054, "key_alarm_flags", D, "", "alarm bits that are key alarms"),
    _spec(0x0055, "overspeed_limit", D, "km/h", "maximum speed"),
    _spec(0x0056, "overspeed_duration", D, "s", "overspeed duration before the alarm"),
    _spec(0x0057, "continuous_driving_limit", D, "s", "continuous driving time limit"),
    _spec(0x0058, "daily_driving_limit", D, "s", "driving time per day"),
    _spec(0x0059, "minimum_rest_time", D, "s", "minimum rest time"),
    _spec(0x005A, "maximum_parking_time", D, "s", "maximum parking time"),
    _spec(0x005B, "overspeed_warning_margin", W, "0.1 km/h", "overspeed pre-warning", SINCE_2013),
    _spec(0x005C, "fatigue_warning_margin", W, "s", "fatigue pre-warning margin", SINCE_2013),
    _spec(0x005D, "collision_parameters", W, "", "b0-7 time (4 ms), b8-15 0.1 g", SINCE_2013),
    _spec(0x005E, "rollover_angle", W, "degrees", "rollover alarm angle", SINCE_2013),
    _spec(0x0064, "timed_photo_control", D, "", "timed photo control bits", SINCE_2013),
    _spec(0x0065, "distance_photo_control", D, "", "distance photo control bits", SINCE_2013),
    _spec(0x0070, "image_quality", D, "", "image/video quality 1-10, 1 best"),
    _spec(0x0071, "brightness", D, "", "brightness 0-255"),
    _spec(0x0072, "contrast", D, "", "contrast 0-127"),
    _spec(0x0073, "saturation", D, "", "saturation 0-127"),
    _spec(0x0074, "chroma", D, "", "chroma 0-255"),
    _spec(0x0080, "odometer", D, "0.1 km", "vehicle odometer reading"),
    _spec(0x0081, "province_id", W, "", "province id of the vehicle (GB/T 2260)"),
    _spec(0x0082, "city_id", W, "", "city id of the vehicle (GB/T 2260)"),
    _spec(0x0083, "plate", S, "", "licence plate"),
    _spec(0x0084, "plate_color", B, "", "plate colour (JT/T 415)"),
    _spec(0x0090, "gnss_mode", B, "", "b0 GPS, b1 BeiDou, b2 GLONASS, b3 Galileo", SINCE_2013),
    _spec(0x0091, "gnss_baud_rate", B, "", "0 4800 ... 5 115200 baud", SINCE_2013),
    _spec(0x0092, "gnss_output_rate", B, "", "0 500 ms, 1 1 s, 2 2 s, 3 3 s, 4 4 s", SINCE_2013),
    _spec(0x0093, "gnss_sampling_rate", D, "s", "GNSS detail sampling interval", SINCE_2013),
    _spec(0x0094, "gnss_upload_mode", B, "", "GNSS detail upload mode", SINCE_2013),
    _spec(0x0095, "gnss_upload_setting", D, "", "GNSS detail upload setting", SINCE_2013),
    _spec(0x0100, "can1_sampling_interval", D, "ms", "CAN channel 1 sampling", SINCE_2013),
    _spec(0x0101, "can1_upload_interval", W, "s", "CAN channel 1 upload", SINCE_2013),
    _spec(0x0102, "can2_sampling_interval", D, "ms", "CAN channel 2 sampling", SINCE_2013),
    _spec(0x0103, "can2_upload_interval", W, "s", "CAN channel 2 upload", SINCE_2013),
    _spec(0x0110, "can_id_sampling", N, "", "per-CAN-id sampling setting", SINCE_2013, 8),
)  # fmt: skip
"""Standard parameters (2013 table 12 plus the 2019 changes of the digest)."""

PARAMETER_BY_ID: Final = {spec.param_id: spec for spec in PARAMETERS}
PARAMETER_BY_NAME: Final = {spec.name: spec for spec in PARAMETERS}
VENDOR_RANGE: Final = range(0xF000, 0x10000)
"""Vendor-defined parameter ids (kept raw)."""


def markdown_table() -> str:
    """The parameter table as Markdown rows (docs/jt808.md holds this text verbatim)."""
    rows = ["| id | name | type | unit | versions | meaning |", "|---|---|---|---|---|---|"]
    for spec in PARAMETERS:
        kind = f"BYTE[{spec.size}]" if spec.size is not None else str(spec.type)
        versions = "all" if spec.versions == ALL else ", ".join(sorted(spec.versions))
        rows.append(
            f"| 0x{spec.param_id:04X} | `{spec.name}` | {kind} | {spec.unit} | {versions} "
            f"| {spec.description} |"
        )
    return "\n".join(rows) + "\n"
